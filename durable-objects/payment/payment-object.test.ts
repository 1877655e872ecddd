/**
 * The PaymentObject in workerd with Stripe reached over the network (the local stand-in,
 * stand-ins/stripe, started by test/workerd/local-stripe.ts): a payment's whole life — paid, the
 * listing sold, Stripe's fee read, released by the handover or by the alarm at the end of the
 * window — and the hard cases: duplicates and out-of-order moves, a transfer refused once and then
 * made once, a dispute freezing the release, refunds before and after release.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { INSPECTION_WINDOW_MS } from "../../shared/payments/types.ts";
import { stripeClient } from "../../shared/stripe/client.ts";
import { seedPayment } from "../../test/support/payments.ts";

const bindings = env as unknown as DispatchEnv;
const stripe = stripeClient(bindings);
const DAY = 86_400_000;

async function testApi(path: string, body: unknown = {}) {
	const res = await fetch(`${bindings.STRIPE_API_BASE}/_test/${path}`, {
		method: "POST",
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify(body),
	});
	if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
	return (await res.json()) as Record<string, unknown>;
}

async function stripeEvents(type: string) {
	const res = await fetch(`${bindings.STRIPE_API_BASE}/_test/events?type=${type}`);
	const list = (await res.json()) as { data: { event: { data: { object: Record<string, unknown> } } }[] };
	return list.data.map((record) => record.event.data.object);
}

/** A seller's connected account; onboarded unless told otherwise. */
async function sellerAccount(onboarded = true): Promise<string> {
	const account = await stripe.accounts.create({ type: "express", capabilities: { transfers: { requested: true } } });
	if (onboarded) await testApi(`accounts/${account.id}/onboard`);
	return account.id;
}

/** A payment whose checkout the buyer has paid by card on Stripe; the object is open, not yet told. */
async function paidCheckout(options: { onboarded?: boolean; amount?: number } = {}) {
	const account = await sellerAccount(options.onboarded ?? true);
	const amount = options.amount ?? 1_000_000;
	const session = await stripe.checkout.sessions.create({
		mode: "payment",
		line_items: [
			{ quantity: 1, price_data: { currency: "usd", unit_amount: amount, product_data: { name: "A SaaS" } } },
		],
		allowed_payment_method_types: ["card", "us_bank_account"],
		success_url: "http://localhost:8787/paid",
		cancel_url: "http://localhost:8787/cancelled",
	});
	const seeded = await seedPayment(bindings.DB, {
		amount_cents: amount,
		stripe_account_id: account,
		checkout_session_id: session.id,
	});
	const paid = await testApi(`checkout/sessions/${session.id}/pay`, { method: "card" });
	const stub = bindings.PaymentObject.getByName(seeded.opening.id);
	await stub.open({ ...seeded, now: Date.now() });
	return { ...seeded, stub, account, intent: String(paid.payment_intent) };
}

const transfersTo = async (group: string) =>
	(await stripeEvents("transfer.created")).filter((transfer) => transfer.transfer_group === group);

describe("PaymentObject", () => {
	it("opens once: a second open returns the payment unchanged", async () => {
		const seeded = await seedPayment(bindings.DB);
		const stub = bindings.PaymentObject.getByName(seeded.opening.id);
		const first = await stub.open({ ...seeded, now: Date.now() });
		const second = await stub.open({ ...seeded, checkout_url: "https://elsewhere.example/", now: Date.now() + 5 });
		expect(second).toEqual(first);
		expect(first).toMatchObject({
			status: "pending",
			amount_cents: 1_000_000,
			fee_cents: 80_000,
			seller_payout_cents: 920_000,
		});
		expect(first.checkout_url).toBe(seeded.checkout_url);
	});

	it("takes the payment, sells the listing, reads Stripe's fee, and releases on the handover with one transfer", async () => {
		const p = await paidCheckout();
		const paid = await p.stub.apply(
			{ type: "checkout_completed", payment_status: "paid", payment_intent_id: p.intent },
			Date.now(),
		);
		expect(paid).toMatchObject({ ok: true, view: { status: "paid", checkout_url: null } });
		const listing = await bindings.DB.prepare("SELECT status, claimed_by_offer_id FROM listings WHERE id = ?")
			.bind(p.opening.listing_id)
			.first();
		expect(listing).toEqual({ status: "sold", claimed_by_offer_id: p.opening.offer_id });
		const fee = await runInDurableObject(p.stub, (_o, state) =>
			state.storage.sql.exec<{ fee: number | null }>("SELECT stripe_fee_cents AS fee FROM payment").one(),
		);
		expect(fee.fee).toBeGreaterThan(0);
		// Stripe redelivers the event: nothing changes.
		const again = await p.stub.apply(
			{ type: "checkout_completed", payment_status: "paid", payment_intent_id: p.intent },
			Date.now(),
		);
		expect(again).toMatchObject({ ok: false, refusal: { kind: "already" } });
		const released = await p.stub.apply({ type: "handover_confirmed", by: "buyer" }, Date.now());
		expect(released).toMatchObject({ ok: true, view: { status: "released", released_at: expect.any(String) } });
		const transfers = await transfersTo(p.opening.id);
		expect(transfers).toHaveLength(1);
		expect(transfers[0]).toMatchObject({ amount: 920_000, destination: p.account, currency: "usd" });
		// The transfer.created webhook repeats what the object applied from Stripe's answer.
		const echo = await p.stub.apply({ type: "transfer_created", transfer_id: String(transfers[0]?.id) }, Date.now());
		expect(echo).toMatchObject({ ok: false, refusal: { kind: "already" } });
		// Every change went out on payment-events from the outbox; Stripe's fee rode along once read.
		const outbox = await runInDurableObject(p.stub, (_o, state) =>
			state.storage.sql
				.exec<{ body: string; sent_at: number | null }>("SELECT body, sent_at FROM outbox ORDER BY created_at, rowid")
				.toArray(),
		);
		expect(outbox.every((row) => row.sent_at !== null)).toBe(true);
		const events = outbox.map((row) => JSON.parse(row.body) as { type: string; stripe_fee_cents: number | null });
		expect(events.map((event) => event.type)).toEqual([
			"payment.paid",
			"payment.fee_recorded",
			"payment.release_requested",
			"payment.released",
		]);
		expect(events.at(-1)?.stripe_fee_cents).toBe(fee.fee);
	});

	it("refuses moves that arrive out of order without changing anything", async () => {
		const p = await paidCheckout();
		const early = await p.stub.apply({ type: "transfer_created", transfer_id: "tr_early" }, Date.now());
		expect(early).toMatchObject({ ok: false, refusal: { kind: "not_requested" }, view: { status: "pending" } });
		await p.stub.apply({ type: "checkout_completed", payment_status: "paid", payment_intent_id: p.intent }, Date.now());
		const late = await p.stub.apply(
			{ type: "checkout_completed", payment_status: "unpaid", payment_intent_id: p.intent },
			Date.now(),
		);
		expect(late).toMatchObject({ ok: false, refusal: { kind: "stale" } });
		const failed = await p.stub.apply({ type: "async_payment_failed" }, Date.now());
		expect(failed).toMatchObject({ ok: false, refusal: { kind: "stale" }, view: { status: "paid" } });
		const expired = await p.stub.apply({ type: "session_expired" }, Date.now());
		expect(expired).toMatchObject({ ok: false, view: { status: "paid" } });
	});

	it("releases the money from its alarm when the inspection window ends", async () => {
		const p = await paidCheckout();
		const paidAt = Date.now() - INSPECTION_WINDOW_MS - DAY;
		await p.stub.apply({ type: "checkout_completed", payment_status: "paid", payment_intent_id: p.intent }, paidAt);
		await runDurableObjectAlarm(p.stub);
		await expect.poll(async () => (await p.stub.view())?.status, { timeout: 5000 }).toBe("released");
		expect(await transfersTo(p.opening.id)).toHaveLength(1);
	});

	it("does not release before the window ends", async () => {
		const p = await paidCheckout();
		await p.stub.apply({ type: "checkout_completed", payment_status: "paid", payment_intent_id: p.intent }, Date.now());
		const early = await p.stub.apply({ type: "inspection_window_ended" }, Date.now());
		expect(early).toMatchObject({ ok: false, refusal: { kind: "not_due" } });
		const alarm = await runInDurableObject(p.stub, (_o, state) => state.storage.getAlarm());
		expect(alarm).toBeGreaterThan(Date.now() + INSPECTION_WINDOW_MS - DAY);
	});

	it("retries a transfer Stripe refused, from its alarm, and makes it once", async () => {
		const p = await paidCheckout({ onboarded: false });
		await p.stub.apply({ type: "checkout_completed", payment_status: "paid", payment_intent_id: p.intent }, Date.now());
		const asked = await p.stub.apply({ type: "handover_confirmed", by: "buyer" }, Date.now());
		// The seller cannot receive transfers yet: the release is asked for, the money still held.
		expect(asked).toMatchObject({ ok: true, view: { status: "paid" } });
		expect(await transfersTo(p.opening.id)).toHaveLength(0);
		await testApi(`accounts/${p.account}/onboard`);
		expect(await runDurableObjectAlarm(p.stub)).toBe(true);
		expect((await p.stub.view())?.status).toBe("released");
		await runDurableObjectAlarm(p.stub);
		expect(await transfersTo(p.opening.id)).toHaveLength(1);
	});

	it("freezes the release while the buyer's dispute is open", async () => {
		const p = await paidCheckout();
		await p.stub.apply(
			{ type: "checkout_completed", payment_status: "paid", payment_intent_id: p.intent },
			Date.now() - INSPECTION_WINDOW_MS - DAY,
		);
		// The alarm may already have run; disputing first is the case here, so use a fresh window.
		const q = await paidCheckout();
		await q.stub.apply({ type: "checkout_completed", payment_status: "paid", payment_intent_id: q.intent }, Date.now());
		const disputed = await q.stub.apply(
			{ type: "dispute_opened", by: "buyer", reason: "The repository was empty." },
			Date.now(),
		);
		expect(disputed).toMatchObject({
			ok: true,
			view: { status: "disputed", dispute: { reason: "The repository was empty.", opened_by: "buyer" } },
		});
		const handover = await q.stub.apply({ type: "handover_confirmed", by: "buyer" }, Date.now());
		expect(handover).toMatchObject({ ok: false, refusal: { kind: "disputed" } });
		const window = await q.stub.apply({ type: "inspection_window_ended" }, Date.now() + INSPECTION_WINDOW_MS + DAY);
		expect(window).toMatchObject({ ok: false, refusal: { kind: "disputed" } });
		expect(await transfersTo(q.opening.id)).toHaveLength(0);
	});

	it("refunds before release: part, then the rest, the payment refunded once Stripe confirms it all", async () => {
		const p = await paidCheckout();
		await p.stub.apply({ type: "checkout_completed", payment_status: "paid", payment_intent_id: p.intent }, Date.now());
		const part = await p.stub.apply({ type: "refund_requested", by: "admin", amount_cents: 100_000 }, Date.now());
		expect(part).toMatchObject({ ok: true, view: { status: "paid", fee_cents: 72_000, seller_payout_cents: 828_000 } });
		const refunds = (await stripeEvents("charge.refunded")).filter((charge) => charge.payment_intent === p.intent);
		expect(refunds.at(-1)).toMatchObject({ amount_refunded: 100_000 });
		await p.stub.apply({ type: "charge_refunded", amount_refunded: 100_000 }, Date.now());
		const rest = await p.stub.apply({ type: "refund_requested", by: "admin" }, Date.now());
		expect(rest.ok).toBe(true);
		const done = await p.stub.apply({ type: "charge_refunded", amount_refunded: 1_000_000 }, Date.now());
		expect(done).toMatchObject({ ok: true, view: { status: "refunded", refunded_cents: 1_000_000 } });
		expect(await transfersTo(p.opening.id)).toHaveLength(0);
	});

	it("refunds after release by reversing the seller's share first", async () => {
		const p = await paidCheckout();
		await p.stub.apply({ type: "checkout_completed", payment_status: "paid", payment_intent_id: p.intent }, Date.now());
		await p.stub.apply({ type: "handover_confirmed", by: "buyer" }, Date.now());
		const [transfer] = await transfersTo(p.opening.id);
		const asked = await p.stub.apply({ type: "refund_requested", by: "admin" }, Date.now());
		expect(asked).toMatchObject({ ok: true, view: { status: "released" } });
		const reversed = (await stripeEvents("transfer.reversed")).filter((t) => t.id === transfer?.id);
		expect(reversed.at(-1)).toMatchObject({ amount_reversed: 920_000 });
		// Only once the reversal is confirmed does the buyer's refund go out.
		await p.stub.apply(
			{ type: "transfer_reversed", transfer_id: String(transfer?.id), amount_reversed: 920_000 },
			Date.now(),
		);
		const refunded = (await stripeEvents("charge.refunded")).filter((charge) => charge.payment_intent === p.intent);
		expect(refunded.at(-1)).toMatchObject({ amount_refunded: 1_000_000 });
		const done = await p.stub.apply({ type: "charge_refunded", amount_refunded: 1_000_000 }, Date.now());
		expect(done).toMatchObject({ ok: true, view: { status: "refunded" } });
	});
});
