/**
 * The payment routes inside workerd, against the local Stripe stand-in (test/workerd/local-stripe.ts)
 * reached over the network through the official SDK, as in production. The user Worker's
 * PaymentObject binding reaches the objects hosted by the bundled dispatch script. Stripe's
 * webhooks are not delivered here: where a test needs Stripe's side (a payment made, a session
 * expired, an account onboarded), it makes it happen on the stand-in, then hands the object the
 * move the verified webhook would (what the payments consumer does), or writes the row the
 * consumer would. Every answer is checked against the route's contract.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import type { PaymentObject } from "../../../durable-objects/payment/payment-object.ts";
import { responseSchema } from "../../../shared/contract/policy.ts";
import { offersRoutes } from "../../../shared/contract/routes/offers.ts";
import { paymentsRoutes as r } from "../../../shared/contract/routes/payments.ts";
import { newId } from "../../../shared/encoding.ts";
import type { PaymentMove } from "../../../shared/payments/types.ts";
import { listingInsert, tenantInsert } from "../../../test/support/listings.ts";
import { type Checkout, sessionOf, stripeTestApi } from "../../../test/support/stripe-test-api.ts";
import {
	call as callUserWorkerAs,
	type Member,
	runStatements,
	type Statement,
} from "../../../test/support/user-worker.ts";
import { paymentIdFor } from "./checkout.ts";

const bindings = env as unknown as UserEnv;
const worker = (exports as unknown as { default: Fetcher }).default;
const object = (id: string) =>
	(bindings.PaymentObject as unknown as DurableObjectNamespace<PaymentObject>).getByName(id);
const stripeUrl = inject("localStripeUrl");

declare module "vitest" {
	/** test/workerd/local-stripe.ts provides it. */
	interface ProvidedContext {
		localStripeUrl: string;
	}
}

const call = (method: string, path: string, caller: Member, body?: unknown) =>
	callUserWorkerAs(worker, bindings.TENANT_CONTEXT_SECRET, method, path, caller, body);

/** The body of `response`, checked against the route's declared schema for its status. */
async function checked<T = Record<string, unknown>>(
	route: { responses: Record<number, unknown> },
	response: Response,
	status: number,
): Promise<T> {
	const body = await response.json();
	expect(response.status, JSON.stringify(body)).toBe(status);
	const schema = responseSchema(route as never, status);
	expect(schema, `route declares ${status}`).not.toBeNull();
	const parsed = schema?.safeParse(body);
	expect(parsed?.success, JSON.stringify(parsed?.error?.issues)).toBe(true);
	return body as T;
}

const run = (statements: Statement[]) => runStatements(bindings.DB, statements);

async function tenant(role: "seller" | "buyer" | "investor" | "admin"): Promise<Member> {
	const caller = { role, tenantId: newId(role), userId: newId("usr") };
	await run([tenantInsert(caller.tenantId, role)]);
	return caller;
}

/** Stripe's side through the stand-in's test API. */
const stripeTest = (path: string, body?: unknown) => stripeTestApi(stripeUrl, path, body);

/** The seller onboards at Stripe; the consumer then records `account.updated` (written here as it would). */
async function onboard(seller: Member): Promise<string> {
	const link = await checked<{ account: { account_id: string } }>(
		r.startSellerOnboarding,
		await call("POST", "/api/v1/sellers/connect", seller),
		200,
	);
	const account = link.account.account_id;
	await stripeTest(`/accounts/${account}/onboard`);
	await run([
		{
			sql: `UPDATE seller_accounts SET details_submitted = 1, charges_enabled = 1, payouts_enabled = 1,
			        capabilities = '{"transfers":"active"}', stripe_event_created = ? WHERE tenant_id = ?`,
			values: [Math.floor(Date.now() / 1000), seller.tenantId],
		},
	]);
	return account;
}

/** A seller with an active listing, a buyer, and the buyer's offer accepted by the seller. */
async function acceptedDeal(options: { onboarded?: boolean; amount?: number } = {}) {
	const seller = await tenant("seller");
	const buyer = await tenant("buyer");
	const listingId = newId("lst");
	await run([listingInsert({ id: listingId, seller_tenant_id: seller.tenantId, title: `Listing ${listingId}` })]);
	const offer = (await (
		await call("POST", `/api/v1/listings/${listingId}/offers`, buyer, { amount_cents: options.amount ?? 250_000 })
	).json()) as { id: string; version: number };
	const accepted = await call("POST", `/api/v1/offers/${offer.id}/accept`, seller, { version: offer.version });
	expect(accepted.status).toBe(200);
	const account = options.onboarded === false ? null : await onboard(seller);
	return { seller, buyer, listingId, offerId: offer.id, account };
}

/** Checkout, pay by card at the stand-in, and the object told as `checkout.session.completed` would. */
async function paidDeal() {
	const deal = await acceptedDeal();
	const checkout = await checked<Checkout>(
		r.createCheckout,
		await call("POST", `/api/v1/offers/${deal.offerId}/checkout`, deal.buyer),
		201,
	);
	const session = await stripeTest(`/checkout/sessions/${sessionOf(checkout)}/pay`, { method: "card" });
	const move: PaymentMove = {
		type: "checkout_completed",
		payment_status: "paid",
		payment_intent_id: String(session.payment_intent),
	};
	const applied = await object(checkout.payment_id).apply(move, Date.now());
	expect(applied.ok).toBe(true);
	return { ...deal, checkout };
}

describe("seller payout onboarding", () => {
	it("makes the seller's Express account once and answers a fresh onboarding link each time", async () => {
		const seller = await tenant("seller");
		const before = await checked<{ account_id: string | null }>(
			r.getSellerAccount,
			await call("GET", "/api/v1/sellers/connect", seller),
			200,
		);
		expect(before).toMatchObject({ account_id: null, can_receive_transfers: false });
		const [first, second] = await Promise.all([
			call("POST", "/api/v1/sellers/connect", seller).then((res) =>
				checked<{ url: string; account: { account_id: string } }>(r.startSellerOnboarding, res, 200),
			),
			call("POST", "/api/v1/sellers/connect", seller).then((res) =>
				checked<{ url: string; account: { account_id: string } }>(r.startSellerOnboarding, res, 200),
			),
		]);
		expect(first.account.account_id).toMatch(/^acct_/);
		expect(second.account.account_id).toBe(first.account.account_id);
		expect(first.url).toContain(first.account.account_id);
		const rows = await bindings.DB.prepare("SELECT COUNT(*) AS n FROM seller_accounts WHERE tenant_id = ?")
			.bind(seller.tenantId)
			.first<{ n: number }>();
		expect(rows?.n).toBe(1);
	});

	it("reports the account as Stripe last described it", async () => {
		const seller = await tenant("seller");
		const account = await onboard(seller);
		const state = await checked(r.getSellerAccount, await call("GET", "/api/v1/sellers/connect", seller), 200);
		expect(state).toMatchObject({
			account_id: account,
			details_submitted: true,
			payouts_enabled: true,
			capabilities: { transfers: "active" },
			can_receive_transfers: true,
		});
	});
});

describe("checkout", () => {
	it("is refused while the seller cannot receive payouts, saying so", async () => {
		const deal = await acceptedDeal({ onboarded: false });
		const body = await checked<{ detail: string }>(
			r.createCheckout,
			await call("POST", `/api/v1/offers/${deal.offerId}/checkout`, deal.buyer),
			409,
		);
		expect(body.detail).toBe("The seller cannot receive payouts yet.");
	});

	it("is refused on a thread that is not accepted, to the seller, and to anyone else", async () => {
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		await onboard(seller);
		const listingId = newId("lst");
		await run([listingInsert({ id: listingId, seller_tenant_id: seller.tenantId, title: "Pending" })]);
		const offer = (await (
			await call("POST", `/api/v1/listings/${listingId}/offers`, buyer, { amount_cents: 90_000 })
		).json()) as { id: string };
		const path = `/api/v1/offers/${offer.id}/checkout`;
		await checked(r.createCheckout, await call("POST", path, buyer), 409);
		await checked(r.createCheckout, await call("POST", path, seller), 403);
		await checked(r.createCheckout, await call("POST", path, await tenant("buyer")), 404);
	});

	it("makes one session for a double click and names the payment by offer and attempt", async () => {
		const deal = await acceptedDeal({ amount: 1_000_000 });
		const path = `/api/v1/offers/${deal.offerId}/checkout`;
		const [a, b] = await Promise.all([call("POST", path, deal.buyer), call("POST", path, deal.buyer)]);
		expect([a.status, b.status].sort()).toEqual([200, 201]);
		const first = await checked<Checkout>(r.createCheckout, a, a.status);
		const second = await checked<Checkout>(r.createCheckout, b, b.status);
		expect(second.payment_id).toBe(first.payment_id);
		expect(second.checkout_url).toBe(first.checkout_url);
		expect(first.payment_id).toBe(await paymentIdFor(deal.offerId, 1));
		expect(first).toMatchObject({ amount_cents: 1_000_000, fee_cents: 80_000, seller_payout_cents: 920_000 });
		const again = await checked<Checkout>(r.createCheckout, await call("POST", path, deal.buyer), 200);
		expect(again.payment_id).toBe(first.payment_id);
		const session = (await (
			await fetch(`${stripeUrl}/v1/checkout/sessions/${sessionOf(first)}`, {
				headers: { Authorization: `Bearer ${bindings.STRIPE_SECRET_KEY}` },
			})
		).json()) as Record<string, unknown>;
		expect(session).toMatchObject({
			mode: "payment",
			client_reference_id: first.payment_id,
			metadata: {
				payment_id: first.payment_id,
				offer_id: deal.offerId,
				listing_id: deal.listingId,
				buyer_tenant_id: deal.buyer.tenantId,
				seller_tenant_id: deal.seller.tenantId,
			},
		});
		const payment = await checked(
			r.getPayment,
			await call("GET", `/api/v1/payments/${first.payment_id}`, deal.buyer),
			200,
		);
		expect(payment).toMatchObject({ status: "pending", checkout_url: first.checkout_url });
	});

	it("makes a new attempt once the last one expired", async () => {
		const deal = await acceptedDeal();
		const path = `/api/v1/offers/${deal.offerId}/checkout`;
		const first = await checked<Checkout>(r.createCheckout, await call("POST", path, deal.buyer), 201);
		await stripeTest(`/checkout/sessions/${sessionOf(first)}/expire`);
		expect((await object(first.payment_id).apply({ type: "session_expired" }, Date.now())).ok).toBe(true);
		// The registry is the consumer's to update; until it has, the thread still names the old attempt.
		await checked(r.createCheckout, await call("POST", path, deal.buyer), 409);
		await run([{ sql: "UPDATE payments SET status = 'expired' WHERE id = ?", values: [first.payment_id] }]);
		const second = await checked<Checkout>(r.createCheckout, await call("POST", path, deal.buyer), 201);
		expect(second.payment_id).toBe(await paymentIdFor(deal.offerId, 2));
		expect(second.checkout_url).not.toBe(first.checkout_url);
		// The thread's timeline lists both attempts, first attempt first, as the registry has them.
		const timeline = await checked<{ payments: Record<string, unknown>[] }>(
			offersRoutes.offerTimeline,
			await call("GET", `/api/v1/offers/${deal.offerId}/timeline`, deal.seller),
			200,
		);
		expect(timeline.payments).toEqual([
			expect.objectContaining({ id: first.payment_id, attempt: 1, status: "expired", paid_at: null }),
			expect.objectContaining({
				id: second.payment_id,
				attempt: 2,
				status: "pending",
				amount_cents: 250_000,
				fee_cents: 20_000,
				seller_payout_cents: 230_000,
				refunded_cents: 0,
			}),
		]);
		expect(timeline.payments[0]).not.toHaveProperty("checkout_url");
	});
});

describe("a payment", () => {
	it("is seen by its parties and admins only", async () => {
		const deal = await acceptedDeal();
		const checkout = await checked<Checkout>(
			r.createCheckout,
			await call("POST", `/api/v1/offers/${deal.offerId}/checkout`, deal.buyer),
			201,
		);
		const path = `/api/v1/payments/${checkout.payment_id}`;
		for (const caller of [deal.buyer, deal.seller, await tenant("admin")]) {
			await checked(r.getPayment, await call("GET", path, caller), 200);
		}
		await checked(r.getPayment, await call("GET", path, await tenant("buyer")), 404);
		const mine = await checked<{ items: { id: string }[] }>(
			r.listPayments,
			await call("GET", "/api/v1/payments", deal.seller),
			200,
		);
		expect(mine.items.map((item) => item.id)).toEqual([checkout.payment_id]);
		const strangers = await checked<{ items: unknown[] }>(
			r.listPayments,
			await call("GET", "/api/v1/payments", await tenant("buyer")),
			200,
		);
		expect(strangers.items).toEqual([]);
	});

	it("is released to the seller when the buyer confirms the handover, and only by the buyer", async () => {
		const deal = await paidDeal();
		const path = `/api/v1/payments/${deal.checkout.payment_id}/confirm-handover`;
		await checked(r.confirmHandover, await call("POST", path, deal.seller), 403);
		const released = await checked<{ status: string }>(r.confirmHandover, await call("POST", path, deal.buyer), 200);
		expect(["paid", "released"]).toContain(released.status);
		const view = await object(deal.checkout.payment_id).view();
		expect(view?.status).toBe("released");
		// Once released, a dispute is too late.
		await checked(
			r.openDispute,
			await call("POST", `/api/v1/payments/${deal.checkout.payment_id}/dispute`, deal.buyer, { reason: "late" }),
			409,
		);
	});

	it("cannot be confirmed before it is paid", async () => {
		const deal = await acceptedDeal();
		const checkout = await checked<Checkout>(
			r.createCheckout,
			await call("POST", `/api/v1/offers/${deal.offerId}/checkout`, deal.buyer),
			201,
		);
		await checked(
			r.confirmHandover,
			await call("POST", `/api/v1/payments/${checkout.payment_id}/confirm-handover`, deal.buyer),
			409,
		);
	});

	it("freezes release while the buyer's dispute is open, keeping its reason", async () => {
		const deal = await paidDeal();
		const base = `/api/v1/payments/${deal.checkout.payment_id}`;
		const disputed = await checked(
			r.openDispute,
			await call("POST", `${base}/dispute`, deal.buyer, { reason: "The domain was not transferred." }),
			200,
		);
		expect(disputed).toMatchObject({
			status: "disputed",
			dispute: { reason: "The domain was not transferred.", opened_by: "buyer" },
		});
		await checked(r.confirmHandover, await call("POST", `${base}/confirm-handover`, deal.buyer), 409);
	});

	it("is refunded by an admin, in part and then the rest", async () => {
		const deal = await paidDeal();
		const admin = await tenant("admin");
		const path = `/api/v1/payments/${deal.checkout.payment_id}/refund`;
		const partial = await checked<{ refunded_cents: number; status: string }>(
			r.refundPayment,
			await call("POST", path, admin, { amount_cents: 50_000, reason: "Part of the code was missing." }),
			200,
		);
		expect(partial.status).toBe("paid");
		await checked(r.refundPayment, await call("POST", path, admin, { reason: "The deal fell through." }), 200);
		await checked(r.refundPayment, await call("POST", path, admin, { amount_cents: 0, reason: "zero" }), 400);
	});

	it("has a buyer's dispute decided by an admin: release pays the seller once, and a second decision changes nothing", async () => {
		const deal = await paidDeal();
		const base = `/api/v1/payments/${deal.checkout.payment_id}`;
		await checked(
			r.openDispute,
			await call("POST", `${base}/dispute`, deal.buyer, { reason: "Not handed over." }),
			200,
		);
		const decide = (caller: Member, decision: string) =>
			call("POST", `${base}/dispute/decision`, caller, { decision, reason: "Checked the registrar's records." });
		await checked(r.decideDispute, await decide(deal.buyer, "release"), 403);
		await checked(r.decideDispute, await decide(deal.seller, "release"), 403);
		const admin = await tenant("admin");
		await checked(r.decideDispute, await decide(admin, "sometimes"), 400);
		const decided = await checked<{ status: string }>(r.decideDispute, await decide(admin, "release"), 200);
		expect(["disputed", "released"]).toContain(decided.status);
		expect((await object(deal.checkout.payment_id).view())?.status).toBe("released");
		const again = await checked<{ status: string }>(r.decideDispute, await decide(admin, "refund"), 200);
		expect(again.status).toBe("released");
	});

	it("has a buyer's dispute decided for the buyer: the rest is refunded", async () => {
		const deal = await paidDeal();
		const base = `/api/v1/payments/${deal.checkout.payment_id}`;
		await checked(
			r.openDispute,
			await call("POST", `${base}/dispute`, deal.buyer, { reason: "Not handed over." }),
			200,
		);
		const admin = await tenant("admin");
		await checked(
			r.decideDispute,
			await call("POST", `${base}/dispute/decision`, admin, { decision: "refund", reason: "No handover." }),
			200,
		);
		// Everything not yet refunded goes back to the buyer: nothing is left to pay the seller.
		const view = await object(deal.checkout.payment_id).view();
		expect(view?.seller_payout_cents).toBe(0);
		expect(view?.status).not.toBe("released");
	});

	it("refuses a decision when there is no dispute", async () => {
		const deal = await paidDeal();
		const admin = await tenant("admin");
		await checked(
			r.decideDispute,
			await call("POST", `/api/v1/payments/${deal.checkout.payment_id}/dispute/decision`, admin, {
				decision: "release",
				reason: "x",
			}),
			409,
		);
	});

	it("lists the disputes awaiting a decision to an admin, by status", async () => {
		const deal = await paidDeal();
		await run([{ sql: "UPDATE payments SET status = 'disputed' WHERE id = ?", values: [deal.checkout.payment_id] }]);
		const admin = await tenant("admin");
		const disputed = await checked<{ items: { id: string }[] }>(
			r.listPayments,
			await call("GET", "/api/v1/payments?status=disputed&limit=100", admin),
			200,
		);
		expect(disputed.items.map((item) => item.id)).toContain(deal.checkout.payment_id);
		const pending = await checked<{ items: { id: string }[] }>(
			r.listPayments,
			await call("GET", "/api/v1/payments?status=pending&limit=100", admin),
			200,
		);
		expect(pending.items.map((item) => item.id)).not.toContain(deal.checkout.payment_id);
		await checked(r.listPayments, await call("GET", "/api/v1/payments?status=lost", admin), 400);
	});

	it("gives an admin every tenant's open disputes with what deciding needs: reason, when, amount, listing, parties", async () => {
		const deals = [await paidDeal(), await paidDeal()];
		for (const [index, deal] of deals.entries()) {
			const path = `/api/v1/payments/${deal.checkout.payment_id}/dispute`;
			await checked(
				r.openDispute,
				await call("POST", path, deal.buyer, { reason: `Not handed over (${index}).` }),
				200,
			);
			// What the payments consumer records from the object's event.
			await run([{ sql: "UPDATE payments SET status = 'disputed' WHERE id = ?", values: [deal.checkout.payment_id] }]);
		}
		const page = await checked<{ items: Record<string, unknown>[] }>(
			r.listPayments,
			await call("GET", "/api/v1/payments?status=disputed&limit=100", await tenant("admin")),
			200,
		);
		for (const [index, deal] of deals.entries()) {
			expect(page.items.find((item) => item.id === deal.checkout.payment_id)).toMatchObject({
				status: "disputed",
				listing_id: deal.listingId,
				buyer_tenant_id: deal.buyer.tenantId,
				seller_tenant_id: deal.seller.tenantId,
				amount_cents: 250_000,
				dispute: { reason: `Not handed over (${index}).`, opened_by: "buyer", opened_at: expect.any(String) },
			});
		}
	});
});
