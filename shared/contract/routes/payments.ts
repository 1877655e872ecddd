/**
 * The payments' contract (see ../policy.ts): checkout of an accepted thread, the escrowed
 * payment's reads and moves (confirm the handover, dispute, refund), seller payout onboarding,
 * and Stripe's webhook. The payment's states and moves are docs/domain.md's (Payments): the money
 * is held from `paid` until the buyer confirms the handover or the 14-day window ends, then
 * `amount − fee` goes to the seller's connected account.
 */
import { z } from "@hono/zod-openapi";
import { type PaymentStatus, paymentStatuses } from "../../payments/types.ts";
import {
	adminOnly,
	anyone,
	buyerSide,
	type ContractRoute,
	defineRoute,
	type RoutePolicy,
	sellerOnly,
	signedIn,
} from "../policy.ts";
import {
	amountCents,
	currency,
	cursor,
	json,
	jsonBody,
	listingId,
	minorUnits,
	offerId,
	page,
	paymentId,
	problems,
	signedInSecurity,
	tenantId,
	timestamp,
} from "../schemas.ts";

export { type PaymentStatus, paymentStatuses };

// --- responses -----------------------------------------------------------------------------

export const checkoutView = z
	.object({
		payment_id: paymentId,
		checkout_url: z.url().openapi({ description: "Stripe Checkout's hosted page for this payment." }),
		amount_cents: amountCents,
		fee_cents: minorUnits.openapi({ description: "The platform's 8%, rounded half up." }),
		seller_payout_cents: minorUnits.openapi({ description: "`amount_cents − fee_cents`, transferred on release." }),
		currency,
		status: z.enum(paymentStatuses),
	})
	.strict()
	.openapi("Checkout");

export const paymentView = z
	.object({
		id: paymentId,
		offer_id: offerId,
		listing_id: listingId,
		buyer_tenant_id: tenantId,
		seller_tenant_id: tenantId,
		status: z.enum(paymentStatuses),
		processing: z
			.boolean()
			.openapi({ description: "A bank payment submitted and not yet settled (status stays `pending`)." }),
		amount_cents: amountCents,
		fee_cents: minorUnits,
		seller_payout_cents: minorUnits,
		refunded_cents: minorUnits,
		currency,
		checkout_url: z.url().nullable().openapi({ description: "While the checkout is open, its page; else `null`." }),
		release_at: timestamp.nullable().openapi({ description: "When the held money is released if nobody disputes." }),
		dispute: z
			.object({ reason: z.string(), opened_at: timestamp, opened_by: z.enum(["buyer", "card_network"]) })
			.nullable(),
		paid_at: timestamp.nullable(),
		released_at: timestamp.nullable(),
		created_at: timestamp,
		updated_at: timestamp,
	})
	.strict()
	.openapi("Payment");

export const paymentPage = page(paymentView).openapi("PaymentPage");

export const sellerAccountView = z
	.object({
		account_id: z.string().nullable().openapi({ description: "The Stripe connected account (`acct_…`), once made." }),
		details_submitted: z.boolean(),
		charges_enabled: z.boolean(),
		payouts_enabled: z.boolean(),
		capabilities: z.record(z.string(), z.enum(["active", "inactive", "pending"])),
		can_receive_transfers: z.boolean().openapi({ description: "Whether checkout is open to this seller's listings." }),
		updated_at: timestamp.nullable(),
	})
	.strict()
	.openapi("SellerAccount");

export const onboardingLink = z
	.object({ url: z.url(), expires_at: timestamp, account: sellerAccountView })
	.strict()
	.openapi("OnboardingLink");

// --- request bodies ------------------------------------------------------------------------

export const disputeBody = z
	.object({ reason: z.string().trim().min(1).max(2000) })
	.strict()
	.openapi("OpenDispute");
export const refundBody = z
	.object({
		amount_cents: amountCents.optional().openapi({ description: "Leave out for everything not yet refunded." }),
		reason: z.string().trim().min(1).max(2000),
	})
	.strict()
	.openapi("Refund");
export const disputeDecisionBody = z
	.object({
		decision: z.enum(["release", "refund"]).openapi({
			description: "`release`: the handover happened, the seller is paid; `refund`: the buyer gets the rest back.",
		}),
		reason: z.string().trim().min(1).max(2000),
	})
	.strict()
	.openapi("DisputeDecision");
export const listPaymentsQuery = z
	.object({
		status: z
			.enum(paymentStatuses)
			.optional()
			.openapi({ description: "Only payments in this status, e.g. `disputed` for the disputes awaiting a decision." }),
		limit: z.coerce.number().int().min(1).max(100).default(20),
		cursor: cursor.optional(),
	})
	.strict();

// --- routes --------------------------------------------------------------------------------

const user = (allow: RoutePolicy["allow"], body: "none" | "json", note?: string): RoutePolicy => ({
	allow,
	bucket: "caller",
	body,
	credentials: "accepted",
	servedBy: "user",
	...(note === undefined ? {} : { note }),
});
const paymentParams = z.object({ id: paymentId });
const signedInProblems = [400, 401, 403, 404, 429, 502] as const;

export const paymentsRoutes = {
	createCheckout: defineRoute({
		method: "post",
		path: "/api/v1/offers/{id}/checkout",
		operationId: "createCheckout",
		tags: ["Payments"],
		security: signedInSecurity,
		summary: "Pay for an accepted offer: a Stripe Checkout session, money held in escrow",
		description:
			"The buyer of an accepted thread (anyone else 404; a seller 403). A Checkout Session on the platform's account for the accepted amount, card and bank payment methods, `transfer_group` = the payment id. While a session is open a repeat answers the same one (200), so a double click makes one session; an expired or failed attempt makes a new one (201). 409 when the thread is not accepted, or the seller cannot receive transfers yet (saying so).",
		request: { params: z.object({ id: offerId }) },
		responses: {
			201: json(checkoutView, "A new checkout"),
			200: json(checkoutView, "The checkout already open for this thread"),
			...problems(...signedInProblems, 409, 503),
		},
		"x-policy": user(buyerSide, "none", "the buyer of an accepted offer"),
	}),
	listPayments: defineRoute({
		method: "get",
		path: "/api/v1/payments",
		operationId: "listPayments",
		tags: ["Payments"],
		security: signedInSecurity,
		summary: "The caller's payments, newest first (admins: all)",
		request: { query: listPaymentsQuery },
		responses: {
			200: json(paymentPage, "Payments where the caller is buyer or seller"),
			...problems(400, 401, 403, 429, 502),
		},
		"x-policy": user(signedIn, "none"),
	}),
	getPayment: defineRoute({
		method: "get",
		path: "/api/v1/payments/{id}",
		operationId: "getPayment",
		tags: ["Payments"],
		security: signedInSecurity,
		summary: "A payment",
		request: { params: paymentParams },
		responses: { 200: json(paymentView, "The payment"), ...problems(...signedInProblems) },
		"x-policy": user(signedIn, "none", "a party or an admin"),
	}),
	confirmHandover: defineRoute({
		method: "post",
		path: "/api/v1/payments/{id}/confirm-handover",
		operationId: "confirmHandover",
		tags: ["Payments"],
		security: signedInSecurity,
		summary: "The buyer confirms the business changed hands: the held money is released",
		description:
			"The buyer of a `paid` payment. The transfer of `amount − fee` to the seller is made (idempotently: never twice) and the payment is `released`. 409 when it is not `paid` (a dispute freezes it).",
		request: { params: paymentParams },
		responses: { 200: json(paymentView, "The payment, released"), ...problems(...signedInProblems, 409, 503) },
		"x-policy": user(buyerSide, "none", "the buyer of a paid payment"),
	}),
	openDispute: defineRoute({
		method: "post",
		path: "/api/v1/payments/{id}/dispute",
		operationId: "openDispute",
		tags: ["Payments"],
		security: signedInSecurity,
		summary: "The buyer disputes the handover before release: release is frozen until an admin decides",
		request: { params: paymentParams, body: jsonBody(disputeBody) },
		responses: { 200: json(paymentView, "The payment, disputed"), ...problems(...signedInProblems, 409, 415) },
		"x-policy": user(buyerSide, "json", "the buyer, before release"),
	}),
	refundPayment: defineRoute({
		method: "post",
		path: "/api/v1/payments/{id}/refund",
		operationId: "refundPayment",
		tags: ["Payments"],
		security: signedInSecurity,
		summary: "An admin refunds a payment, fully or partly (after release the transfer is reversed first)",
		request: { params: paymentParams, body: jsonBody(refundBody) },
		responses: {
			200: json(paymentView, "The payment after the refund"),
			...problems(...signedInProblems, 409, 415, 503),
		},
		"x-policy": user(adminOnly, "json"),
	}),
	decideDispute: defineRoute({
		method: "post",
		path: "/api/v1/payments/{id}/dispute/decision",
		operationId: "decideDispute",
		tags: ["Payments"],
		security: signedInSecurity,
		summary: "An admin decides a buyer's dispute: release the money to the seller, or refund the buyer",
		description:
			"Only a buyer's dispute (a card network decides its own chargebacks: 409). `release` makes the transfer of what is not refunded, once; `refund` refunds the rest. Audited.",
		request: { params: paymentParams, body: jsonBody(disputeDecisionBody) },
		responses: { 200: json(paymentView, "The payment after the decision"), ...problems(...signedInProblems, 409) },
		"x-policy": user(adminOnly, "json"),
	}),
	startSellerOnboarding: defineRoute({
		method: "post",
		path: "/api/v1/sellers/connect",
		operationId: "startSellerOnboarding",
		tags: ["Payments"],
		security: signedInSecurity,
		summary: "A seller's Stripe Connect (Express) onboarding link; the account is made once",
		request: {},
		responses: { 200: json(onboardingLink, "Where to onboard"), ...problems(401, 403, 429, 502, 503) },
		"x-policy": user(sellerOnly, "none"),
	}),
	getSellerAccount: defineRoute({
		method: "get",
		path: "/api/v1/sellers/connect",
		operationId: "getSellerAccount",
		tags: ["Payments"],
		security: signedInSecurity,
		summary: "The seller's payout account as Stripe last reported it (`account.updated`)",
		responses: { 200: json(sellerAccountView, "The account state"), ...problems(401, 403, 429, 502) },
		"x-policy": user(sellerOnly, "none"),
	}),
	stripeWebhook: defineRoute({
		method: "post",
		path: "/webhooks/stripe",
		operationId: "stripeWebhook",
		tags: ["Payments"],
		summary: "Stripe's events, verified by signature",
		description:
			"The raw body is verified against `Stripe-Signature` (300 s tolerance, any of several `v1` signatures); anything else is 400 with no side effect. A verified event is recorded by id and queued to `payment-events`; a duplicate is 200 and queued once. 503 when the queue cannot take it, so Stripe retries.",
		security: [],
		request: {
			body: {
				required: true,
				// A plain schema, not zod: the handler verifies the raw bytes before it parses anything.
				content: { "application/json": { schema: { type: "object", description: "A Stripe event, as signed" } } },
			},
		},
		responses: {
			200: json(z.object({ received: z.literal(true), duplicate: z.boolean() }).strict(), "Recorded"),
			...problems(400, 413, 503),
		},
		"x-policy": {
			allow: anyone,
			bucket: "none",
			body: "raw",
			credentials: "ignored",
			servedBy: "dispatch",
			note: "authenticated by the Stripe signature, not by a caller",
		},
	}),
} satisfies Record<string, ContractRoute>;
