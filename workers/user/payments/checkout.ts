/**
 * `POST /api/v1/offers/:id/checkout`: the buyer of an accepted thread pays through Stripe
 * Checkout, on the platform's account (separate charges and transfers: the money is held until
 * release), `transfer_group` = the payment id.
 *
 * A double click makes one session. The payment id is derived from (offer, attempt) and the
 * Stripe idempotency key is `checkout:<offer>:<attempt>`, so every request for the same attempt
 * gets the same session from Stripe and names the same payment; the D1 registry insert is
 * guarded by the partial unique index on one open payment per thread, so of racing requests one
 * registers and the others read it. While a checkout is open it is answered again (200); once it
 * expired or failed, the next attempt makes a new one (201). Opening the payment's object is
 * idempotent, so the repeat path also opens it, which heals a request that died between the
 * registry insert and the object.
 */
import type { Context } from "hono";
import type Stripe from "stripe";
import type { NegotiationRoom } from "../../../durable-objects/negotiation-room/negotiation-room.ts";
import type { PaymentRecord } from "../../../shared/data/payments.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { split } from "../../../shared/payments/fee.ts";
import type { UserHono } from "../types.ts";
import { callerOf, paymentObject, platformOrigin, stripe, viaStripe } from "./objects.ts";

const room = (c: Context<UserHono>, offerId: string) =>
	(c.env.NegotiationRoom as unknown as DurableObjectNamespace<NegotiationRoom>).getByName(offerId);

/** `pay_` + the first 32 hex digits of SHA-256("<offer>:<attempt>"): the same attempt names the same payment. */
export async function paymentIdFor(offerId: string, attempt: number): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${offerId}:${attempt}`));
	const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
	return `pay_${hex.slice(0, 32)}`;
}

export interface CheckoutAnswer {
	status: 200 | 201;
	body: {
		payment_id: string;
		checkout_url: string;
		amount_cents: number;
		fee_cents: number;
		seller_payout_cents: number;
		currency: string;
		status: "pending";
	};
}

function answer(record: PaymentRecord, status: 200 | 201): CheckoutAnswer {
	if (record.checkout_url === null) throw new HttpProblem({ reason: "conflict", detail: "The checkout has closed." });
	return {
		status,
		body: {
			payment_id: record.id,
			checkout_url: record.checkout_url,
			amount_cents: record.amount_cents,
			fee_cents: record.fee_cents,
			seller_payout_cents: record.seller_payout_cents,
			currency: record.currency,
			status: "pending",
		},
	};
}

/** Opens the payment's object from its registry row (idempotent on the id); its view. */
function openObject(c: Context<UserHono>, record: PaymentRecord, buyerTenantId: string) {
	return paymentObject(c, record.id).open({
		opening: {
			id: record.id,
			offer_id: record.offer_id,
			listing_id: record.listing_id,
			buyer_tenant_id: buyerTenantId,
			seller_tenant_id: record.seller_tenant_id,
			amount_cents: record.amount_cents,
			currency: record.currency,
			checkout_session_id: record.checkout_session_id,
		},
		checkout_url: record.checkout_url ?? "",
		stripe_account_id: record.stripe_account_id,
		now: Date.now(),
	});
}

/** The open checkout answered again, if the object still has it open; `null` when it has closed. */
async function reopen(c: Context<UserHono>, record: PaymentRecord, buyer: string): Promise<CheckoutAnswer | null> {
	const view = await openObject(c, record, buyer);
	return view.status === "pending" ? answer(record, 200) : null;
}

const CLOSED_PAID = new Set(["paid", "disputed", "released", "refunded"]);

export async function createCheckout(c: Context<UserHono>, offerId: string): Promise<CheckoutAnswer> {
	const caller = callerOf(c);
	const offer = await c.var.data.offers.find(offerId);
	if (!offer) throw new HttpProblem({ reason: "not_found" });
	if (offer.buyer_tenant_id !== caller.tenantId) {
		throw new HttpProblem({ reason: "forbidden", detail: "Only the buyer pays for an offer." });
	}
	const thread = await room(c, offer.id).view(false);
	if (!thread) throw new HttpProblem({ reason: "not_found" });
	if (thread.status !== "accepted") {
		throw new HttpProblem({ reason: "conflict", detail: "Only an accepted offer can be paid for." });
	}
	const open = await c.var.data.payments.openForOffer(offer.id);
	if (open) {
		const again = await reopen(c, open, caller.tenantId);
		if (again) return again;
		// Expired or failed at Stripe, and the registry has not caught up yet.
		throw new HttpProblem({ reason: "conflict", detail: "The last checkout is closing; try again in a moment." });
	}
	const latest = await c.var.data.payments.latestForOffer(offer.id);
	if (latest && CLOSED_PAID.has(latest.status)) {
		throw new HttpProblem({ reason: "conflict", detail: "This offer has been paid for." });
	}
	const payout = await c.var.data.payments.payoutAccountOf(offer.seller_tenant_id);
	if (!payout?.transfers_active) {
		throw new HttpProblem({ reason: "conflict", detail: "The seller cannot receive payouts yet." });
	}
	const attempt = (latest?.attempt ?? 0) + 1;
	const paymentId = await paymentIdFor(offer.id, attempt);
	const { fee_cents, payout_cents } = split(thread.amount_cents);
	const found = await c.var.data.listings.find(offer.listing_id);
	const metadata = {
		payment_id: paymentId,
		offer_id: offer.id,
		listing_id: offer.listing_id,
		buyer_tenant_id: caller.tenantId,
		seller_tenant_id: offer.seller_tenant_id,
	};
	const origin = platformOrigin(c);
	const params: Stripe.Checkout.SessionCreateParams = {
		mode: "payment",
		line_items: [
			{
				price_data: {
					currency: thread.currency.toLowerCase(),
					unit_amount: thread.amount_cents,
					product_data: { name: found?.listing.title ?? `Listing ${offer.listing_id}` },
				},
				quantity: 1,
			},
		],
		// Card charges top out below $1M; a bank debit completes asynchronously. (The pinned API
		// version names the field `allowed_payment_method_types`, formerly `payment_method_types`.)
		allowed_payment_method_types: ["card", "us_bank_account"],
		payment_intent_data: { transfer_group: paymentId, metadata },
		// The payment is named by `client_reference_id` and `metadata.payment_id` on the session (and
		// the metadata on its intent); the consumer resolves a session's payment by either.
		client_reference_id: paymentId,
		metadata,
		success_url: `${origin}/payments/${paymentId}?session={CHECKOUT_SESSION_ID}`,
		cancel_url: `${origin}/payments/${paymentId}?cancelled=1`,
	};
	const session = await viaStripe("checkout.sessions.create", () =>
		stripe(c).checkout.sessions.create(params, { idempotencyKey: `checkout:${offer.id}:${attempt}` }),
	);
	if (!session.url) throw new HttpProblem({ reason: "bad_gateway" }, { cause: new Error("session without a url") });
	const record: PaymentRecord = {
		id: paymentId,
		offer_id: offer.id,
		attempt,
		listing_id: offer.listing_id,
		buyer_tenant_id: caller.tenantId,
		seller_tenant_id: offer.seller_tenant_id,
		status: "pending",
		amount_cents: thread.amount_cents,
		fee_cents,
		seller_payout_cents: payout_cents,
		currency: thread.currency,
		checkout_session_id: session.id,
		checkout_url: session.url,
		stripe_account_id: payout.stripe_account_id,
		created_at: new Date().toISOString(),
	};
	const { buyer_tenant_id: _buyer, status: _status, ...insert } = record;
	if (!(await c.var.data.payments.insert(insert))) {
		// A racer registered this attempt (or another open one) first: that one is the checkout.
		const winner = await c.var.data.payments.openForOffer(offer.id);
		const again = winner && (await reopen(c, winner, caller.tenantId));
		if (again) return again;
		throw new HttpProblem({ reason: "conflict", detail: "Another checkout of this offer is being made; try again." });
	}
	await openObject(c, record, caller.tenantId);
	return answer(record, 201);
}
