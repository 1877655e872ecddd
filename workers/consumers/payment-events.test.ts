/**
 * The payments consumer in workerd, against real D1 and the PaymentObject (hosted by the dispatch
 * Worker's script, bound as an auxiliary Worker): a `payment.event` keeps the consolidated record
 * whatever the order, once; a verified `stripe.event` becomes the payment's move, is cross-checked
 * against the registry (a mismatch is a security event, not a change), is retried while its
 * payment is not known, and `account.updated` keeps the seller's account current.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { PaymentObject } from "../../durable-objects/payment/payment-object.ts";
import type { PaymentChange, StripeEventMessage } from "../../queues/payment-events.ts";
import { offerTimeline } from "../../shared/data/timeline.ts";
import { seedPayment } from "../../test/support/payments.ts";
import consumers from "./index.ts";

const bindings = env as unknown as ConsumersEnv;
const payments = bindings.PaymentObject as DurableObjectNamespace<PaymentObject>;
const hex = () => crypto.randomUUID().replaceAll("-", "");

async function deliver(bodies: unknown[]) {
	const batch = createMessageBatch(
		"payment-events",
		bodies.map((body, i) => ({ id: `msg-${hex()}-${i}`, timestamp: new Date(), attempts: 1, body })),
	);
	const ctx = createExecutionContext();
	await (consumers.queue as ExportedHandlerQueueHandler<ConsumersEnv>)(batch, bindings, ctx);
	return getQueueResult(batch, ctx);
}

function change(seeded: Awaited<ReturnType<typeof seedPayment>>, overrides: Partial<PaymentChange>): PaymentChange {
	const at = new Date().toISOString();
	const o = seeded.opening;
	return {
		kind: "payment.event",
		id: `evt_${hex()}`,
		type: "payment.paid",
		occurred_at: at,
		payment_id: o.id,
		offer_id: o.offer_id,
		listing_id: o.listing_id,
		buyer_tenant_id: o.buyer_tenant_id,
		seller_tenant_id: o.seller_tenant_id,
		status: "paid",
		processing: false,
		version: 2,
		amount_cents: o.amount_cents,
		fee_cents: 80_000,
		payout_cents: 920_000,
		refunded_cents: 0,
		transfer_cents: 0,
		currency: "USD",
		payment_intent_id: `pi_${hex()}`,
		charge_id: null,
		transfer_id: null,
		stripe_fee_cents: null,
		paid_at: at,
		release_at: at,
		released_at: null,
		...overrides,
	};
}

function stripeEvent(
	type: string,
	object: Record<string, unknown>,
	created = Math.floor(Date.now() / 1000),
): StripeEventMessage {
	return { kind: "stripe.event", id: `evt_${hex().slice(0, 24)}`, type, created, account: null, object };
}

function sessionCompleted(seeded: Awaited<ReturnType<typeof seedPayment>>, overrides: Record<string, unknown> = {}) {
	const o = seeded.opening;
	return stripeEvent("checkout.session.completed", {
		id: o.checkout_session_id,
		object: "checkout.session",
		amount_total: o.amount_cents,
		currency: "usd",
		payment_status: "paid",
		payment_intent: `pi_${hex()}`,
		client_reference_id: o.id,
		metadata: {
			payment_id: o.id,
			offer_id: o.offer_id,
			listing_id: o.listing_id,
			buyer_tenant_id: o.buyer_tenant_id,
			seller_tenant_id: o.seller_tenant_id,
		},
		...overrides,
	});
}

const record = (id: string) =>
	bindings.DB.prepare(
		"SELECT status, version, fee_cents, stripe_fee_cents, platform_net_cents, payment_intent_id FROM payments WHERE id = ?",
	)
		.bind(id)
		.first();
const outcome = (id: string) =>
	bindings.DB.prepare("SELECT outcome FROM stripe_events WHERE id = ?").bind(id).first<string>("outcome");

async function opened() {
	const seeded = await seedPayment(bindings.DB);
	await payments.getByName(seeded.opening.id).open({ ...seeded, now: Date.now() });
	return seeded;
}

describe("payment-events consumer: payment.event", () => {
	it("keeps the consolidated record at the latest version, Stripe's fee whatever the order, one point per event", async () => {
		const seeded = await seedPayment(bindings.DB);
		const points = vi.spyOn(bindings.ANALYTICS, "writeDataPoint");
		const released = change(seeded, { type: "payment.released", status: "released", version: 4 });
		const paid = change(seeded, { version: 2, payment_intent_id: released.payment_intent_id });
		const fee = change(seeded, { type: "payment.fee_recorded", version: 2, stripe_fee_cents: 29_030 });
		const result = await deliver([released, paid, fee, paid]);
		expect(result.retryMessages).toEqual([]);
		expect(await record(seeded.opening.id)).toEqual({
			status: "released",
			version: 4,
			fee_cents: 80_000,
			stripe_fee_cents: 29_030,
			platform_net_cents: 80_000 - 29_030,
			payment_intent_id: released.payment_intent_id,
		});
		const ours = points.mock.calls.filter(([point]) => point?.blobs?.[1] === seeded.opening.id);
		expect(ours.map(([point]) => point?.blobs?.[0])).toEqual([
			"payment.released",
			"payment.paid",
			"payment.fee_recorded",
		]);
		points.mockRestore();
	});
});

describe("payment-events consumer: the thread's timeline", () => {
	it("shows the consolidated payment in its thread's timeline, paid and then released", async () => {
		const seeded = await seedPayment(bindings.DB);
		const offerId = seeded.opening.offer_id;
		const paid = change(seeded, { version: 2 });
		await deliver([paid]);
		expect((await offerTimeline(bindings.DB, offerId)).payments).toEqual([
			expect.objectContaining({
				id: seeded.opening.id,
				attempt: 1,
				status: "paid",
				processing: false,
				amount_cents: seeded.opening.amount_cents,
				fee_cents: 80_000,
				seller_payout_cents: 920_000,
				paid_at: paid.occurred_at,
				released_at: null,
			}),
		]);
		const at = new Date().toISOString();
		await deliver([change(seeded, { type: "payment.released", status: "released", version: 4, released_at: at })]);
		const [released] = (await offerTimeline(bindings.DB, offerId)).payments;
		expect(released).toMatchObject({ status: "released", released_at: at, updated_at: expect.any(String) });
		expect(released).not.toHaveProperty("stripe_fee_cents");
	});
});

describe("payment-events consumer: stripe.event", () => {
	it("applies a completed checkout to the payment's object once", async () => {
		const seeded = await opened();
		const event = sessionCompleted(seeded);
		const result = await deliver([event]);
		expect(result.retryMessages).toEqual([]);
		expect((await payments.getByName(seeded.opening.id).view())?.status).toBe("paid");
		expect(await outcome(event.id)).toBe("applied");
		const again = await deliver([event]);
		expect(again.retryMessages).toEqual([]);
		expect(await outcome(event.id)).toBe("applied");
	});

	it("resolves a session's payment by its client_reference_id when its metadata does not name it", async () => {
		const seeded = await opened();
		const event = sessionCompleted(seeded, { metadata: {} });
		expect((await deliver([event])).retryMessages).toEqual([]);
		expect(await outcome(event.id)).toBe("applied");
		expect((await payments.getByName(seeded.opening.id).view())?.status).toBe("paid");
	});

	it("treats a client_reference_id naming another payment as a mismatch", async () => {
		const seeded = await opened();
		const event = sessionCompleted(seeded, { client_reference_id: `pay_${hex()}` });
		vi.spyOn(console, "error").mockImplementation(() => {});
		expect((await deliver([event])).retryMessages).toEqual([]);
		expect(await outcome(event.id)).toBe("mismatch");
		expect((await payments.getByName(seeded.opening.id).view())?.status).toBe("pending");
		vi.restoreAllMocks();
	});

	it("treats an event whose amount disagrees with the registry as a security event, not a change", async () => {
		const seeded = await opened();
		const points = vi.spyOn(bindings.ANALYTICS, "writeDataPoint");
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		const event = sessionCompleted(seeded, { amount_total: 1 });
		const result = await deliver([event]);
		expect(result.retryMessages).toEqual([]);
		expect(await outcome(event.id)).toBe("mismatch");
		expect((await payments.getByName(seeded.opening.id).view())?.status).toBe("pending");
		expect(
			points.mock.calls.some(([p]) => p?.blobs?.[0] === "security.stripe_mismatch" && p.blobs[1] === event.id),
		).toBe(true);
		expect(errors).toHaveBeenCalled();
		points.mockRestore();
		errors.mockRestore();
	});

	it("treats metadata naming another thread as a mismatch", async () => {
		const seeded = await opened();
		const event = sessionCompleted(seeded);
		(event.object.metadata as Record<string, string>).offer_id = `off_${hex()}`;
		vi.spyOn(console, "error").mockImplementation(() => {});
		await deliver([event]);
		expect(await outcome(event.id)).toBe("mismatch");
		vi.restoreAllMocks();
	});

	it("retries an event for a payment not yet known", async () => {
		const seeded = await seedPayment(bindings.DB);
		const unknown = sessionCompleted(seeded, {
			metadata: { payment_id: `pay_${hex()}` },
			client_reference_id: null,
		});
		const result = await deliver([unknown]);
		expect(result.retryMessages).toHaveLength(1);
		// Known in D1 but its object not opened yet: retried too.
		const early = sessionCompleted(seeded);
		expect((await deliver([early])).retryMessages).toHaveLength(1);
	});

	it("applies out-of-order events harmlessly: an expiry after the payment changes nothing", async () => {
		const seeded = await opened();
		await deliver([sessionCompleted(seeded)]);
		const expired = stripeEvent("checkout.session.expired", {
			...sessionCompleted(seeded).object,
			status: "expired",
			payment_status: "unpaid",
		});
		expect((await deliver([expired])).retryMessages).toEqual([]);
		expect(await outcome(expired.id)).toBe("stale");
		expect((await payments.getByName(seeded.opening.id).view())?.status).toBe("paid");
	});

	it("keeps a seller's account as the latest account.updated says, and retries one not yet recorded", async () => {
		const seeded = await seedPayment(bindings.DB);
		const account = `acct_${hex().slice(0, 16)}`;
		const now = new Date().toISOString();
		await bindings.DB.prepare(
			"INSERT INTO seller_accounts (tenant_id, stripe_account_id, created_at, updated_at) VALUES (?, ?, ?, ?)",
		)
			.bind(seeded.opening.seller_tenant_id, account, now, now)
			.run();
		const base = Math.floor(Date.now() / 1000);
		const active = stripeEvent(
			"account.updated",
			{
				id: account,
				details_submitted: true,
				charges_enabled: true,
				payouts_enabled: true,
				capabilities: { transfers: "active" },
			},
			base + 10,
		);
		const older = stripeEvent(
			"account.updated",
			{
				id: account,
				details_submitted: false,
				charges_enabled: false,
				payouts_enabled: false,
				capabilities: { transfers: "inactive" },
			},
			base,
		);
		await deliver([active, older]);
		const row = await bindings.DB.prepare(
			"SELECT details_submitted, payouts_enabled, capabilities FROM seller_accounts WHERE stripe_account_id = ?",
		)
			.bind(account)
			.first();
		expect(row).toEqual({
			details_submitted: 1,
			payouts_enabled: 1,
			capabilities: JSON.stringify({ transfers: "active" }),
		});
		expect(await outcome(older.id)).toBe("stale");
		const stranger = stripeEvent("account.updated", { id: `acct_${hex().slice(0, 16)}` });
		expect((await deliver([stranger])).retryMessages).toHaveLength(1);
	});
});
