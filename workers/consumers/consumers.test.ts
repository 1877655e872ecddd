import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { OfferEvent } from "../../queues/offer-events.ts";
import consumers from "./index.ts";

const bindings = env as unknown as ConsumersEnv;
const worker = {
	queue: (batch: MessageBatch, ctx: ExecutionContext) =>
		(consumers.queue as ExportedHandlerQueueHandler<ConsumersEnv>)(batch, bindings, ctx),
};

let counter = 0;
const hex = () => (++counter).toString(16).padStart(32, "0");
const evt = () => `evt_${crypto.randomUUID().replaceAll("-", "")}`;

function offerEvent(overrides: Partial<OfferEvent> = {}): OfferEvent {
	return {
		id: evt(),
		type: "offer.created",
		occurred_at: new Date().toISOString(),
		offer_id: `off_${hex()}`,
		listing_id: `lst_${hex()}`,
		buyer_tenant_id: "buyer_1",
		seller_tenant_id: "seller_1",
		actor_tenant_id: "buyer_1",
		version: 1,
		amount_cents: 5_000_000,
		currency: "USD",
		...overrides,
	};
}

async function deliver(queue: string, bodies: unknown[], attempts = 1) {
	const batch = createMessageBatch(
		queue,
		bodies.map((body, i) => ({
			id: `msg-${queue}-${Date.now()}-${i}-${Math.random()}`,
			timestamp: new Date(),
			attempts,
			body,
		})),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, ctx);
	return { batch, result: await getQueueResult(batch, ctx) };
}

async function count(sql: string, ...values: (string | number)[]): Promise<number> {
	const row = await bindings.DB.prepare(sql)
		.bind(...values)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

describe("offer-events consumer", () => {
	it("writes one timeline row per event and acks it", async () => {
		const event = offerEvent();
		const { batch, result } = await deliver("offer-events", [event]);
		expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
		expect(result.retryMessages).toEqual([]);
		const row = await bindings.DB.prepare("SELECT * FROM offer_events WHERE event_id = ?").bind(event.id).first();
		expect(row).toMatchObject({ offer_id: event.offer_id, type: "offer.created", amount_cents: 5_000_000, version: 1 });
	});

	it("records a redelivered event once", async () => {
		const event = offerEvent();
		await deliver("offer-events", [event]);
		const { result } = await deliver("offer-events", [event, event], 2);
		expect(result.explicitAcks).toHaveLength(2);
		expect(await count("SELECT count(*) AS n FROM offer_events WHERE event_id = ?", event.id)).toBe(1);
	});

	it("writes an Analytics Engine point only for a first delivery", async () => {
		const spy = vi.spyOn(bindings.ANALYTICS, "writeDataPoint");
		const event = offerEvent();
		await deliver("offer-events", [event]);
		await deliver("offer-events", [event], 2);
		const calls = spy.mock.calls.filter(([point]) => point?.blobs?.includes(event.offer_id));
		expect(calls).toHaveLength(1);
		spy.mockRestore();
	});

	it("dead-letters a schema-invalid message instead of retrying it", async () => {
		const poison = { ...offerEvent(), amount_cents: -5, smuggled: true };
		const { batch, result } = await deliver("offer-events", [poison]);
		expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
		expect(result.retryMessages).toEqual([]);
		expect(await count("SELECT count(*) AS n FROM offer_events WHERE event_id = ?", poison.id)).toBe(0);
		// The poison reaches offer-events-dlq, whose consumer records it for an operator.
		await vi.waitFor(
			async () => {
				const row = await bindings.DB.prepare("SELECT queue, reason, body FROM dead_letters WHERE body LIKE ?")
					.bind(`%${poison.id}%`)
					.first<{ queue: string; reason: string }>();
				expect(row?.queue).toBe("offer-events");
				expect(row?.reason).toMatch(/^invalid: .*amount_cents/);
			},
			{ timeout: 5_000, interval: 100 },
		);
	});

	it("retries with backoff when the write fails, and acks the rest of the batch", async () => {
		const good = offerEvent();
		const failing = offerEvent();
		// A trigger makes the write of exactly this one event fail, as a D1 outage would.
		await bindings.DB.prepare(
			`CREATE TRIGGER fail_one BEFORE INSERT ON offer_events WHEN NEW.event_id = '${failing.id}'
			 BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
		).run();
		try {
			const { batch, result } = await deliver("offer-events", [good, failing], 3);
			expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
			// The delay itself (backoffSeconds) is covered by backoff.unit.test.ts.
			expect(result.retryMessages.map((retry) => retry.msgId)).toEqual([batch.messages[1]?.id]);
		} finally {
			await bindings.DB.prepare("DROP TRIGGER fail_one").run();
		}
		expect(await count("SELECT count(*) AS n FROM offer_events WHERE event_id = ?", good.id)).toBe(1);
	});
});

describe("payment-events consumer", () => {
	it("records a payment's change once", async () => {
		const at = new Date().toISOString();
		const event = {
			kind: "payment.event",
			id: evt(),
			type: "payment.paid",
			occurred_at: at,
			payment_id: `pay_${hex()}`,
			offer_id: `off_${hex()}`,
			listing_id: `lst_${hex()}`,
			buyer_tenant_id: "buyer_1",
			seller_tenant_id: "seller_1",
			status: "paid",
			processing: false,
			version: 2,
			amount_cents: 10_000_000,
			fee_cents: 800_000,
			payout_cents: 9_200_000,
			refunded_cents: 0,
			transfer_cents: 0,
			currency: "USD",
			payment_intent_id: "pi_1",
			charge_id: null,
			transfer_id: null,
			stripe_fee_cents: null,
			paid_at: at,
			release_at: at,
			released_at: null,
		};
		await deliver("payment-events", [event, event]);
		const row = await bindings.DB.prepare("SELECT * FROM payment_events WHERE event_id = ?").bind(event.id).first();
		expect(row).toMatchObject({ payment_id: event.payment_id, fee_cents: 800_000 });
		expect(await count("SELECT count(*) AS n FROM payment_events WHERE event_id = ?", event.id)).toBe(1);
	});
});

describe("backoffice-jobs consumer", () => {
	it("writes an audit record", async () => {
		const job = {
			id: evt(),
			kind: "audit.record",
			occurred_at: new Date().toISOString(),
			actor_user_id: "usr_1",
			actor_tenant_id: "admin_1",
			subject_tenant_id: "seller_1",
			action: "tenant.suspended",
			detail: { reason: "chargebacks" },
		};
		await deliver("backoffice-jobs", [job]);
		const row = await bindings.DB.prepare("SELECT action, detail FROM audit_log WHERE event_id = ?")
			.bind(job.id)
			.first<{ action: string; detail: string }>();
		expect(row?.action).toBe("tenant.suspended");
		expect(JSON.parse(row?.detail ?? "{}")).toEqual({ reason: "chargebacks" });
	});

	function listingEvent(overrides: Record<string, unknown> = {}) {
		return {
			id: evt(),
			kind: "listing.event",
			type: "listing.published",
			occurred_at: new Date().toISOString(),
			listing_id: `lst_${hex()}`,
			seller_tenant_id: "seller_1",
			actor_tenant_id: "seller_1",
			...overrides,
		};
	}

	it("records a listing event once under duplicate delivery, with one Analytics Engine point", async () => {
		const spy = vi.spyOn(bindings.ANALYTICS, "writeDataPoint");
		const job = listingEvent({ actor_tenant_id: null });
		await deliver("backoffice-jobs", [job, job]);
		const { batch, result } = await deliver("backoffice-jobs", [job], 2);
		expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
		const row = await bindings.DB.prepare("SELECT * FROM listing_events WHERE event_id = ?").bind(job.id).first();
		expect(row).toMatchObject({
			type: "listing.published",
			listing_id: job.listing_id,
			seller_tenant_id: "seller_1",
			actor_tenant_id: null,
			occurred_at: job.occurred_at,
		});
		expect(await count("SELECT count(*) AS n FROM listing_events WHERE event_id = ?", job.id)).toBe(1);
		expect(spy.mock.calls.filter(([point]) => point?.blobs?.includes(job.listing_id))).toHaveLength(1);
		spy.mockRestore();
	});

	it("records the lifecycle's events, with the offer and payment they name, and dead-letters none", async () => {
		const listingId = `lst_${hex()}`;
		const offerId = `off_${hex()}`;
		const paymentId = `pay_${hex()}`;
		const jobs = [
			listingEvent({ listing_id: listingId, type: "listing.under_offer", offer_id: offerId }),
			listingEvent({ listing_id: listingId, type: "listing.reopened" }),
			listingEvent({ listing_id: listingId, type: "listing.sold", offer_id: offerId, payment_id: paymentId }),
		];
		const deadLetter = vi.spyOn(bindings.BACKOFFICE_JOBS_DLQ, "send");
		const { batch, result } = await deliver("backoffice-jobs", jobs);
		expect(deadLetter).not.toHaveBeenCalled();
		deadLetter.mockRestore();
		expect(result.explicitAcks.sort()).toEqual(batch.messages.map((message) => message.id).sort());
		expect(result.retryMessages).toEqual([]);
		const { results } = await bindings.DB.prepare(
			"SELECT type, offer_id, payment_id FROM listing_events WHERE listing_id = ? ORDER BY type",
		)
			.bind(listingId)
			.all();
		expect(results).toEqual([
			{ type: "listing.reopened", offer_id: null, payment_id: null },
			{ type: "listing.sold", offer_id: offerId, payment_id: paymentId },
			{ type: "listing.under_offer", offer_id: offerId, payment_id: null },
		]);
	});

	it("dead-letters a schema-invalid listing event instead of recording it", async () => {
		const poison = listingEvent({ type: "listing.deleted", listing_id: "lst_not-hex" });
		const { batch, result } = await deliver("backoffice-jobs", [poison]);
		expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
		expect(result.retryMessages).toEqual([]);
		expect(await count("SELECT count(*) AS n FROM listing_events WHERE event_id = ?", poison.id)).toBe(0);
		await vi.waitFor(
			async () => {
				const row = await bindings.DB.prepare("SELECT queue, reason FROM dead_letters WHERE body LIKE ?")
					.bind(`%${poison.id}%`)
					.first<{ queue: string; reason: string }>();
				expect(row?.queue).toBe("backoffice-jobs");
				expect(row?.reason).toMatch(/^invalid: .*(type|listing_id)/);
			},
			{ timeout: 5_000, interval: 100 },
		);
	});

	it("dead-letters a job of unknown kind", async () => {
		const { batch, result } = await deliver("backoffice-jobs", [{ id: evt(), kind: "format.disk" }]);
		expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
	});
});

describe("dead-letter consumer", () => {
	it("records messages that exhausted their retries, once", async () => {
		const body = offerEvent();
		const { batch } = await deliver("offer-events-dlq", [body], 6);
		const id = batch.messages[0]?.id ?? "";
		await worker.queue(batch, createExecutionContext());
		const row = await bindings.DB.prepare("SELECT queue, reason, attempts, body FROM dead_letters WHERE message_id = ?")
			.bind(id)
			.first<{ queue: string; reason: string; attempts: number; body: string }>();
		expect(row).toMatchObject({ queue: "offer-events", reason: "retries exhausted", attempts: 6 });
		expect(JSON.parse(row?.body ?? "null")).toEqual(body);
		expect(await count("SELECT count(*) AS n FROM dead_letters WHERE message_id = ?", id)).toBe(1);
	});
});
