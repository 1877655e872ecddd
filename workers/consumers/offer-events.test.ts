import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { OfferEvent } from "../../queues/offer-events.ts";
import { backoffSeconds } from "./backoff.ts";
import consumers from "./index.ts";

const bindings = env as unknown as ConsumersEnv;

const hex = () => crypto.randomUUID().replaceAll("-", "");
const evt = () => `evt_${hex()}`;
const at = (minutes: number) => new Date(Date.UTC(2026, 2, 1, 10, minutes)).toISOString();

/** A thread with its own parties, so per-tenant counters start from nothing in every test. */
function thread() {
	const ids = { offer_id: `off_${hex()}`, listing_id: `lst_${hex()}` };
	const parties = { buyer_tenant_id: `buyer_${hex()}`, seller_tenant_id: `seller_${hex()}` };
	return (type: OfferEvent["type"], version: number, amount_cents: number, overrides: Partial<OfferEvent> = {}) =>
		({
			id: evt(),
			type,
			occurred_at: at(version),
			...ids,
			...parties,
			actor_tenant_id: parties.buyer_tenant_id,
			version,
			amount_cents,
			currency: "USD",
			...overrides,
		}) satisfies OfferEvent;
}

async function deliver(bodies: unknown[], attempts = 1, before?: (batch: MessageBatch) => void) {
	const batch = createMessageBatch(
		"offer-events",
		bodies.map((body, i) => ({ id: `msg-${hex()}-${i}`, timestamp: new Date(), attempts, body })),
	);
	before?.(batch);
	const ctx = createExecutionContext();
	await (consumers.queue as ExportedHandlerQueueHandler<ConsumersEnv>)(batch, bindings, ctx);
	return { batch, result: await getQueueResult(batch, ctx) };
}

async function deal(offerId: string) {
	return bindings.DB.prepare("SELECT * FROM deals WHERE offer_id = ?").bind(offerId).first<Record<string, unknown>>();
}

async function activity(tenantId: string) {
	const { results } = await bindings.DB.prepare(
		`SELECT day, offers_opened, counters, accepted, rejected, withdrawn, expired
		 FROM tenant_daily_activity WHERE tenant_id = ? ORDER BY day`,
	)
		.bind(tenantId)
		.all();
	return results;
}

async function count(sql: string, ...values: string[]): Promise<number> {
	return (
		(await bindings.DB.prepare(sql)
			.bind(...values)
			.first<number>("n")) ?? 0
	);
}

const day = { offers_opened: 0, counters: 0, accepted: 0, rejected: 0, withdrawn: 0, expired: 0 };

describe("deals", () => {
	it("records a redelivered event once: one timeline row, one event on the deal, one count per party", async () => {
		const event = thread()("offer.created", 1, 5_000_000);
		await deliver([event, event]);
		const { batch, result } = await deliver([event], 2);
		expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
		expect(await count("SELECT count(*) AS n FROM offer_events WHERE event_id = ?", event.id)).toBe(1);
		expect(await deal(event.offer_id)).toMatchObject({ events: 1, version: 1, status: "pending" });
		const once = [{ ...day, day: "2026-03-01", offers_opened: 1 }];
		expect(await activity(event.buyer_tenant_id)).toEqual(once);
		expect(await activity(event.seller_tenant_id)).toEqual(once);
	});

	it("ends in the same deal row whatever order the events arrive in", async () => {
		const run = async (order: number[]) => {
			const make = thread();
			const events = [
				make("offer.created", 1, 100_000),
				make("offer.countered", 2, 90_000, { actor_tenant_id: null }),
				make("offer.countered", 3, 95_000),
			];
			for (const version of order) await deliver([events[version - 1]]);
			const { offer_id, listing_id, buyer_tenant_id, seller_tenant_id, ...rest } =
				(await deal(events[0]?.offer_id ?? "")) ?? {};
			return rest;
		};
		const inOrder = await run([1, 2, 3]);
		expect(inOrder).toMatchObject({
			status: "countered",
			amount_cents: 95_000,
			version: 3,
			events: 3,
			opened_at: at(1),
			updated_at: at(3),
		});
		expect(await run([3, 1, 2])).toEqual(inOrder);
		expect(await run([2, 3, 1])).toEqual(inOrder);
	});

	it("keeps the newer status and terms when an older event arrives late, and still records it", async () => {
		const make = thread();
		const counter = make("offer.countered", 2, 90_000);
		await deliver([counter]);
		const created = make("offer.created", 1, 100_000);
		await deliver([created]);
		expect(await deal(counter.offer_id)).toMatchObject({
			status: "countered",
			amount_cents: 90_000,
			version: 2,
			events: 2,
			opened_at: at(1),
		});
		expect(await count("SELECT count(*) AS n FROM offer_events WHERE event_id = ?", created.id)).toBe(1);
	});

	it("sets the final terms and accepted_at from the accepted event, even when it arrives first", async () => {
		const make = thread();
		const accepted = make("offer.accepted", 3, 90_000);
		await deliver([accepted]);
		await deliver([make("offer.created", 1, 100_000), make("offer.countered", 2, 90_000)]);
		expect(await deal(accepted.offer_id)).toMatchObject({
			status: "accepted",
			amount_cents: 90_000,
			final_amount_cents: 90_000,
			accepted_at: at(3),
			closed_at: at(3),
			version: 3,
		});
	});

	it.each([
		["offer.rejected", "rejected"],
		["offer.withdrawn", "withdrawn"],
		["offer.expired", "expired"],
	] as const)("sets closed_at when %s closes the thread", async (type, status) => {
		const make = thread();
		const created = make("offer.created", 1, 100_000);
		await deliver([created]);
		expect(await deal(created.offer_id)).toMatchObject({ status: "pending", closed_at: null });
		const closing = make(type, 2, 100_000);
		await deliver([closing]);
		expect(await deal(closing.offer_id)).toMatchObject({
			status,
			closed_at: at(2),
			accepted_at: null,
			final_amount_cents: null,
		});
	});

	it("moves closed_at to the cancellation of an accepted deal and keeps its accepted terms", async () => {
		const make = thread();
		await deliver([make("offer.created", 1, 100_000), make("offer.accepted", 2, 100_000)]);
		const cancelled = make("offer.cancelled", 3, 100_000, { actor_tenant_id: null });
		await deliver([cancelled]);
		expect(await deal(cancelled.offer_id)).toMatchObject({
			status: "cancelled",
			closed_at: at(3),
			accepted_at: at(2),
			final_amount_cents: 100_000,
		});
	});

	it("toggles on_hold with held and released without changing the status", async () => {
		const make = thread();
		await deliver([make("offer.created", 1, 100_000), make("offer.countered", 2, 90_000)]);
		const held = make("offer.held", 3, 90_000, { actor_tenant_id: null });
		await deliver([held]);
		expect(await deal(held.offer_id)).toMatchObject({ status: "countered", on_hold: 1, version: 3, closed_at: null });
		await deliver([make("offer.released", 4, 90_000, { actor_tenant_id: null })]);
		expect(await deal(held.offer_id)).toMatchObject({ status: "countered", on_hold: 0, version: 4 });
	});

	it("takes the status from a counter that arrives after the hold that followed it", async () => {
		const make = thread();
		const held = make("offer.held", 3, 90_000, { actor_tenant_id: null });
		await deliver([make("offer.created", 1, 100_000), held, make("offer.countered", 2, 90_000)]);
		expect(await deal(held.offer_id)).toMatchObject({ status: "countered", on_hold: 1, version: 3 });
	});

	it("dead-letters a schema-invalid event and records nothing from it", async () => {
		const poison = { ...thread()("offer.created", 1, 100_000), type: "offer.reopened" };
		const { batch, result } = await deliver([poison]);
		expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
		expect(result.retryMessages).toEqual([]);
		expect(await deal(poison.offer_id)).toBeNull();
		expect(await activity(poison.buyer_tenant_id)).toEqual([]);
		await vi.waitFor(
			async () => {
				const row = await bindings.DB.prepare("SELECT queue, reason FROM dead_letters WHERE body LIKE ?")
					.bind(`%${poison.id}%`)
					.first<{ queue: string; reason: string }>();
				expect(row?.queue).toBe("offer-events");
				expect(row?.reason).toMatch(/^invalid: type/);
			},
			{ timeout: 5_000, interval: 100 },
		);
	});

	it("writes nothing of an event whose batch fails part-way, and all of it on the retry", async () => {
		const event = thread()("offer.created", 1, 100_000);
		// The last statement of the batch fails, as a D1 outage mid-batch would.
		await bindings.DB.prepare(
			`CREATE TRIGGER fail_activity BEFORE INSERT ON tenant_daily_activity
			 WHEN NEW.tenant_id = '${event.seller_tenant_id}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
		).run();
		try {
			const { batch, result } = await deliver([event]);
			expect(result.retryMessages.map((retry) => retry.msgId)).toEqual([batch.messages[0]?.id]);
		} finally {
			await bindings.DB.prepare("DROP TRIGGER fail_activity").run();
		}
		expect(await count("SELECT count(*) AS n FROM offer_events WHERE event_id = ?", event.id)).toBe(0);
		expect(await deal(event.offer_id)).toBeNull();
		expect(await activity(event.buyer_tenant_id)).toEqual([]);
		await deliver([event], 2);
		expect(await deal(event.offer_id)).toMatchObject({ events: 1 });
		expect(await activity(event.seller_tenant_id)).toEqual([{ ...day, day: "2026-03-01", offers_opened: 1 }]);
	});
});

describe("tenant daily activity", () => {
	it("counts every event for both parties on the UTC day it occurred", async () => {
		const make = thread();
		const first = make("offer.created", 1, 100_000);
		await deliver([
			first,
			make("offer.countered", 2, 90_000),
			make("offer.held", 3, 90_000, { actor_tenant_id: null }),
			make("offer.released", 4, 90_000, { actor_tenant_id: null }),
			make("offer.countered", 5, 95_000),
			// 23:30 at UTC-5 is the next UTC day.
			make("offer.accepted", 6, 95_000, { occurred_at: "2026-03-01T23:30:00-05:00" }),
			make("offer.cancelled", 7, 95_000, { occurred_at: "2026-03-02T09:00:00Z" }),
		]);
		const expected = [
			{ ...day, day: "2026-03-01", offers_opened: 1, counters: 2 },
			{ ...day, day: "2026-03-02", accepted: 1 },
		];
		expect(await activity(first.buyer_tenant_id)).toEqual(expected);
		expect(await activity(first.seller_tenant_id)).toEqual(expected);
	});

	it("counts rejections, withdrawals and expiries in their own columns", async () => {
		const threads = [thread(), thread(), thread()];
		const [rejected, withdrawn, expired] = threads.map((make) => make("offer.created", 1, 100_000));
		await deliver([
			...threads.map((make) => make("offer.created", 1, 100_000)),
			threads[0]?.("offer.rejected", 2, 100_000),
			threads[1]?.("offer.withdrawn", 2, 100_000),
			threads[2]?.("offer.expired", 2, 100_000, { actor_tenant_id: null }),
		]);
		expect(await activity(rejected?.seller_tenant_id ?? "")).toEqual([
			{ ...day, day: "2026-03-01", offers_opened: 1, rejected: 1 },
		]);
		expect(await activity(withdrawn?.buyer_tenant_id ?? "")).toEqual([
			{ ...day, day: "2026-03-01", offers_opened: 1, withdrawn: 1 },
		]);
		expect(await activity(expired?.seller_tenant_id ?? "")).toEqual([
			{ ...day, day: "2026-03-01", offers_opened: 1, expired: 1 },
		]);
	});
});

describe("batches", () => {
	/** Creates, counters, a hold, a release and an acceptance of one fresh thread, in version order. */
	const history = () => {
		const make = thread();
		return [
			make("offer.created", 1, 100_000),
			make("offer.countered", 2, 90_000, { actor_tenant_id: null }),
			make("offer.held", 3, 90_000, { actor_tenant_id: null }),
			make("offer.released", 4, 90_000, { actor_tenant_id: null }),
			make("offer.accepted", 5, 95_000),
		];
	};

	/** The deal row and both parties' counters, without the ids that differ between threads. */
	async function outcome(events: OfferEvent[]) {
		const first = events[0] as OfferEvent;
		const { offer_id, listing_id, buyer_tenant_id, seller_tenant_id, ...rest } = (await deal(first.offer_id)) ?? {};
		return {
			deal: rest,
			buyer: await activity(first.buyer_tenant_id),
			seller: await activity(first.seller_tenant_id),
			rows: await count("SELECT count(*) AS n FROM offer_events WHERE offer_id = ?", first.offer_id),
		};
	}

	it("records a batch of several threads in one D1 round trip and acks every message", async () => {
		const threads = [history(), history(), history()];
		// Interleaved the way live traffic is: every thread's first event, then every second one, …
		const bodies = [0, 1, 2, 3, 4].flatMap((version) => threads.map((events) => events[version] as OfferEvent));
		const spy = vi.spyOn(bindings.DB, "batch");
		try {
			const { batch, result } = await deliver(bodies);
			expect(spy).toHaveBeenCalledTimes(1);
			expect(result.explicitAcks).toEqual(batch.messages.map((message) => message.id));
			expect(result.retryMessages).toEqual([]);
		} finally {
			spy.mockRestore();
		}
		for (const events of threads) {
			expect(await outcome(events)).toMatchObject({
				deal: {
					status: "accepted",
					on_hold: 0,
					version: 5,
					events: 5,
					amount_cents: 95_000,
					final_amount_cents: 95_000,
				},
				buyer: [{ ...day, day: "2026-03-01", offers_opened: 1, counters: 1, accepted: 1 }],
				rows: 5,
			});
		}
	});

	it("records an event delivered several times in one batch once, with one Analytics Engine point", async () => {
		const spy = vi.spyOn(bindings.ANALYTICS, "writeDataPoint");
		const [created, countered] = history() as [OfferEvent, OfferEvent];
		const { batch, result } = await deliver([created, countered, created, created, countered]);
		expect(result.explicitAcks).toEqual(batch.messages.map((message) => message.id));
		expect(await outcome([created])).toMatchObject({
			deal: { status: "countered", version: 2, events: 2 },
			buyer: [{ ...day, day: "2026-03-01", offers_opened: 1, counters: 1 }],
			seller: [{ ...day, day: "2026-03-01", offers_opened: 1, counters: 1 }],
			rows: 2,
		});
		expect(spy.mock.calls.filter(([point]) => point?.blobs?.includes(created.offer_id))).toHaveLength(2);
		spy.mockRestore();
	});

	it("ends in the deal row of in-order delivery whatever order a batch holds the events in", async () => {
		const reference = history();
		for (const event of reference) await deliver([event]);
		const expected = await outcome(reference);
		expect(expected.deal).toMatchObject({ status: "accepted", version: 5, events: 5, accepted_at: at(5) });
		for (const order of [
			[[4, 3, 2, 1, 0]],
			[[2, 4, 0, 3, 1]],
			[
				[4, 1],
				[3, 0, 2],
			],
			[[3, 2], [4], [1, 0, 4]],
		]) {
			const events = history();
			for (const batch of order) await deliver(batch.map((index) => events[index]));
			expect(await outcome(events)).toEqual(expected);
		}
	});

	it("dead-letters a poison message and records the rest of its batch", async () => {
		const [created, countered] = history() as [OfferEvent, OfferEvent];
		const poison = { ...countered, id: evt(), version: 0 };
		const { batch, result } = await deliver([created, poison, countered]);
		expect(result.explicitAcks.sort()).toEqual(batch.messages.map((message) => message.id).sort());
		expect(result.retryMessages).toEqual([]);
		expect(await count("SELECT count(*) AS n FROM offer_events WHERE event_id = ?", poison.id)).toBe(0);
		expect(await outcome([created])).toMatchObject({ deal: { version: 2, events: 2 }, rows: 2 });
	});

	// Where the failure strikes decides what the rolled-back batch had already written: nothing yet
	// (the timeline insert) or the timeline rows and counters of the whole batch (a deal upsert).
	it.each([
		["timeline row", "offer_events", (event: OfferEvent) => event.id, "event_id"],
		["deal", "deals", (event: OfferEvent) => event.offer_id, "offer_id"],
	] as const)(
		"retries only the message whose %s cannot be written, and records the rest of the batch once",
		async (_, table, key, column) => {
			const events = history();
			const [created, countered, , , accepted] = events as [OfferEvent, OfferEvent, ...OfferEvent[]];
			const [other] = history() as [OfferEvent];
			const [failing] = history() as [OfferEvent];
			await bindings.DB.prepare(
				`CREATE TRIGGER fail_one BEFORE INSERT ON ${table} WHEN NEW.${column} = '${key(failing)}'
				 BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
			).run();
			try {
				// The test harness's queue result does not keep the retry delay, so the call is watched.
				const retries: unknown[] = [];
				const { batch, result } = await deliver([created, failing, countered, other, created], 3, (batch) => {
					for (const message of batch.messages) {
						const retry = message.retry.bind(message);
						message.retry = (options) => {
							retries.push({ id: message.id, ...options });
							retry(options);
						};
					}
				});
				const [first, failed, ...rest] = batch.messages.map((message) => message.id);
				expect(result.explicitAcks).toEqual([first, ...rest]);
				expect(result.retryMessages).toEqual([{ msgId: failed }]);
				expect(retries).toEqual([{ id: failed, delaySeconds: backoffSeconds(3) }]);
			} finally {
				await bindings.DB.prepare("DROP TRIGGER fail_one").run();
			}
			const once = { ...day, day: "2026-03-01", offers_opened: 1, counters: 1 };
			expect(await outcome([created])).toMatchObject({ deal: { version: 2, events: 2 }, buyer: [once], rows: 2 });
			expect(await outcome([other])).toMatchObject({ deal: { version: 1, events: 1 }, rows: 1 });
			expect(await outcome([failing])).toEqual({ deal: {}, buyer: [], seller: [], rows: 0 });

			await deliver([failing, accepted], 4);
			expect(await outcome([failing])).toMatchObject({ deal: { version: 1, events: 1 }, rows: 1 });
			expect(await outcome([created])).toMatchObject({
				deal: { status: "accepted", version: 5, events: 3 },
				buyer: [{ ...once, accepted: 1 }],
				rows: 3,
			});
		},
	);
});
