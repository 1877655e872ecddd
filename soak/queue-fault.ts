/**
 * Fault 1: duplicated and out-of-order offer events, sent straight through Miniflare's producer
 * for `offer-events` (as bench/queue-consolidation.ts does) for synthetic threads no client
 * touches. Every event goes once in a scrambled order (for half the threads strictly highest
 * version first), then a sample is sent again. The check: exactly one `offer_events` row per
 * event id, and each thread's `deals` row equal to what in-order delivery gives.
 */
import { randomBytes } from "node:crypto";
import type { OfferEvent } from "../queues/offer-events.ts";
import type { Topology } from "../test/topology/topology.ts";

export interface QueueFaultPlan {
	prefix: string;
	events: OfferEvent[];
	threads: number;
	expected: Map<string, { version: number; amount_cents: number; status: string; events: number }>;
}

export interface QueueFaultResult {
	threads: number;
	events: number;
	sent_out_of_order_threads: number;
	duplicates_sent: number;
	rows: number;
	distinct_rows: number;
	lost: number;
	duplicated: number;
	deals_missing: number;
	deals_mismatched: number;
	mismatches: string[];
}

export function planQueueFault(threads: number, eventsPerThread: number): QueueFaultPlan {
	const prefix = randomBytes(4).toString("hex");
	const hex = (thread: number, item: number) =>
		`${prefix}${thread.toString(16).padStart(8, "0")}${item.toString(16).padStart(16, "0")}`;
	const start = Date.now();
	const events: OfferEvent[] = [];
	const expected: QueueFaultPlan["expected"] = new Map();
	for (let thread = 0; thread < threads; thread++) {
		const buyer = `buyer_soak${thread}`;
		const seller = `seller_soak${thread % 7}`;
		const accepts = thread % 3 === 0;
		let last = { version: 0, amount_cents: 0, status: "pending" };
		for (let version = 1; version <= eventsPerThread; version++) {
			const byBuyer = version % 2 === 1;
			const type: OfferEvent["type"] =
				version === 1 ? "offer.created" : accepts && version === eventsPerThread ? "offer.accepted" : "offer.countered";
			const amount =
				type === "offer.accepted" ? last.amount_cents : 10_000_000 + (byBuyer ? version : -version) * 1_000;
			events.push({
				id: `evt_${hex(thread, version)}`,
				type,
				occurred_at: new Date(start + version * 1000).toISOString(),
				offer_id: `off_${hex(thread, 0)}`,
				listing_id: `lst_${hex(thread, 0)}`,
				buyer_tenant_id: buyer,
				seller_tenant_id: seller,
				actor_tenant_id: byBuyer ? buyer : seller,
				version,
				amount_cents: amount,
				currency: "USD",
			});
			last = { version, amount_cents: amount, status: version === 1 ? "pending" : type.slice(6) };
		}
		expected.set(`off_${hex(thread, 0)}`, { ...last, events: eventsPerThread });
	}
	return { prefix, events, threads, expected };
}

/** Sends every event once, out of order, then re-sends `duplicateShare` of them. */
export async function injectQueueFault(
	topology: Topology,
	plan: QueueFaultPlan,
	duplicateShare: number,
): Promise<{ outOfOrderThreads: number; duplicates: number }> {
	const byThread = new Map<string, OfferEvent[]>();
	for (const event of plan.events) byThread.set(event.offer_id, [...(byThread.get(event.offer_id) ?? []), event]);
	const scrambled: OfferEvent[] = [];
	let outOfOrderThreads = 0;
	let index = 0;
	for (const events of byThread.values()) {
		// Even threads: strictly descending versions; odd threads: a random shuffle.
		if (index++ % 2 === 0) {
			scrambled.push(...[...events].reverse());
			outOfOrderThreads += 1;
		} else {
			const shuffled = shuffle([...events]);
			if (shuffled.some((event, i) => i > 0 && event.version < (shuffled[i - 1]?.version ?? 0))) outOfOrderThreads += 1;
			scrambled.push(...shuffled);
		}
	}
	const queue = await topology.mf.getQueueProducer<OfferEvent>("OFFER_EVENTS", "techflunky-dispatch");
	const send = async (events: OfferEvent[]) => {
		for (let i = 0; i < events.length; i += 50) {
			await queue.sendBatch(events.slice(i, i + 50).map((body) => ({ body, contentType: "json" as const })));
		}
	};
	await send(scrambled);
	const duplicates = shuffle([...plan.events]).slice(0, Math.round(plan.events.length * duplicateShare));
	await send(duplicates);
	// A second round of a few duplicates later, once the first copies are likely consumed.
	await new Promise((resolve) => setTimeout(resolve, 1_000));
	const late = duplicates.slice(0, Math.ceil(duplicates.length / 4));
	await send(late);
	return { outOfOrderThreads, duplicates: duplicates.length + late.length };
}

export async function checkQueueFault(
	topology: Topology,
	plan: QueueFaultPlan,
	sent: { outOfOrderThreads: number; duplicates: number },
	timeoutMs: number,
): Promise<QueueFaultResult> {
	const db = await topology.db();
	const low = `evt_${plan.prefix}`;
	const high = `evt_${plan.prefix}g`;
	const totals = async () =>
		(await db
			.prepare("SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM offer_events WHERE event_id BETWEEN ? AND ?")
			.bind(low, high)
			.first<{ n: number; d: number }>()) ?? { n: 0, d: 0 };
	let rows = await totals();
	for (const deadline = Date.now() + timeoutMs; rows.d < plan.events.length && Date.now() < deadline; ) {
		await new Promise((resolve) => setTimeout(resolve, 250));
		rows = await totals();
	}
	const deals = await db
		.prepare("SELECT offer_id, version, amount_cents, status, events FROM deals WHERE offer_id BETWEEN ? AND ?")
		.bind(`off_${plan.prefix}`, `off_${plan.prefix}g`)
		.all<{ offer_id: string; version: number; amount_cents: number; status: string; events: number }>();
	const mismatches: string[] = [];
	const found = new Map(deals.results.map((row) => [row.offer_id, row]));
	for (const [offerId, want] of plan.expected) {
		const got = found.get(offerId);
		if (!got) continue;
		if (
			got.version !== want.version ||
			got.amount_cents !== want.amount_cents ||
			got.status !== want.status ||
			got.events !== want.events
		) {
			mismatches.push(`${offerId}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
		}
	}
	return {
		threads: plan.threads,
		events: plan.events.length,
		sent_out_of_order_threads: sent.outOfOrderThreads,
		duplicates_sent: sent.duplicates,
		rows: rows.n,
		distinct_rows: rows.d,
		lost: plan.events.length - rows.d,
		duplicated: rows.n - rows.d,
		deals_missing: plan.threads - found.size,
		deals_mismatched: mismatches.length,
		mismatches: mismatches.slice(0, 10),
	};
}

function shuffle<T>(items: T[]): T[] {
	for (let i = items.length - 1; i > 0; i--) {
		const j = Math.floor(Math.random() * (i + 1));
		[items[i], items[j]] = [items[j] as T, items[i] as T];
	}
	return items;
}
