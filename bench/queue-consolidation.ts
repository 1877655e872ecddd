/**
 * `queue_consolidation`: how fast the offer-events consumer turns a backlog into D1 rows, and
 * whether any event is lost or counted twice on the way. Valid `OfferEvent`s (one `created`, then
 * alternating counters, over many threads) go onto `offer-events` through Miniflare's producer
 * for the queue, 100 per `sendBatch`, as fast as the producer takes them; D1 is then polled until
 * every event has its `offer_events` row.
 *
 * Every id of a run shares a random prefix (ids stay `evt_`/`off_` + 32 hex), so the run's rows
 * are found with a range on the indexed id columns and never mixed with other scenarios' rows.
 * Throughput is measured from the first send to the poll that first sees the last row, so it is
 * low by up to one poll interval.
 */
import { randomBytes } from "node:crypto";
import type { OfferEvent } from "../queues/offer-events.ts";
import type { Topology } from "../test/topology/topology.ts";
import { round, sleep } from "./stats.ts";

export interface QueueOptions {
	threads: number;
	eventsPerThread: number;
	timeoutMs: number;
	pollMs: number;
}

export interface QueueResult {
	events: number;
	events_per_s: number;
	expected: number;
	lost: number;
	duplicated: number;
	/** Threads whose `deals` row does not count exactly the events sent for them (events or version differ). */
	deals_mismatched: number;
	/** Threads expected without a `deals` row. */
	deals_missing: number;
	/** Seconds from the first send to the last `sendBatch` resolving. */
	send_s: number;
	/** Seconds from the first send until every row was seen, or until the timeout. */
	drain_s: number;
	timed_out: boolean;
}

export async function queueConsolidation(topology: Topology, options: QueueOptions): Promise<QueueResult> {
	const prefix = randomBytes(4).toString("hex");
	const hex = (thread: number, item: number) =>
		`${prefix}${thread.toString(16).padStart(8, "0")}${item.toString(16).padStart(16, "0")}`;
	const events: OfferEvent[] = [];
	const start = Date.now();
	for (let thread = 0; thread < options.threads; thread++) {
		const buyer = `buyer_bench${thread}`;
		const seller = `seller_bench${thread % 50}`;
		for (let version = 1; version <= options.eventsPerThread; version++) {
			const byBuyer = version % 2 === 1;
			events.push({
				id: `evt_${hex(thread, version)}`,
				type: version === 1 ? "offer.created" : "offer.countered",
				occurred_at: new Date(start + version * 1000).toISOString(),
				offer_id: `off_${hex(thread, 0)}`,
				listing_id: `lst_${hex(thread, 0)}`,
				buyer_tenant_id: buyer,
				seller_tenant_id: seller,
				actor_tenant_id: byBuyer ? buyer : seller,
				version,
				amount_cents: 20_000_000 + (byBuyer ? version : -version) * 1_000,
				currency: "USD",
			});
		}
	}
	// Interleave threads the way live traffic would, keeping each thread's versions in order.
	events.sort((a, b) => a.version - b.version);

	const queue = await topology.mf.getQueueProducer<OfferEvent>("OFFER_EVENTS", "techflunky-dispatch");
	const db = await topology.db();
	const low = `${prefix}`;
	const high = `${prefix}g`;
	const countRows = async () =>
		(await db
			.prepare("SELECT count(*) AS n FROM offer_events WHERE event_id BETWEEN ? AND ?")
			.bind(`evt_${low}`, `evt_${high}`)
			.first<{ n: number }>()) ?? { n: 0 };

	const firstSend = performance.now();
	for (let i = 0; i < events.length; i += 100) {
		await queue.sendBatch(events.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
	}
	const sendSeconds = (performance.now() - firstSend) / 1000;

	let seen = 0;
	let lastSeenAt = performance.now();
	const deadline = firstSend + options.timeoutMs;
	while (performance.now() < deadline) {
		const { n } = await countRows();
		if (n !== seen) {
			seen = n;
			lastSeenAt = performance.now();
		}
		if (n >= events.length) break;
		await sleep(options.pollMs);
	}
	const timedOut = seen < events.length;
	const drainSeconds = (lastSeenAt - firstSend) / 1000;

	const totals = await db
		.prepare("SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM offer_events WHERE event_id BETWEEN ? AND ?")
		.bind(`evt_${low}`, `evt_${high}`)
		.first<{ n: number; d: number }>();
	const deals = await db
		.prepare(
			"SELECT count(*) AS n, sum(events <> ?1 OR version <> ?1) AS mismatched FROM deals WHERE offer_id BETWEEN ?2 AND ?3",
		)
		.bind(options.eventsPerThread, `off_${low}`, `off_${high}`)
		.first<{ n: number; mismatched: number | null }>();
	const distinct = totals?.d ?? 0;
	return {
		events: distinct,
		events_per_s: round(distinct / drainSeconds, 0),
		expected: events.length,
		lost: events.length - distinct,
		duplicated: (totals?.n ?? 0) - distinct,
		deals_mismatched: deals?.mismatched ?? 0,
		deals_missing: options.threads - (deals?.n ?? 0),
		send_s: round(sendSeconds, 2),
		drain_s: round(drainSeconds, 2),
		timed_out: timedOut,
	};
}
