/**
 * The offer threads' contract (see ../policy.ts): opening a thread on a listing, the moves of
 * docs/domain.md, Offer threads (counter, accept, reject, withdraw), reads of a thread and its consolidated timeline,
 * and a seller re-opening a listing whose accepted offer fell through. Every move answers the
 * offer view the room returns (../../offers/protocol.ts), the same shape its socket frames carry.
 * A refused move is the problem of its refusal (../outcomes.ts): 400, 403, 404 or 409.
 */
import { z } from "@hono/zod-openapi";
import { offerEventTypes } from "../../../queues/offer-events.ts";
import { MAX_MESSAGE_LENGTH, offerStatuses, offerViewSchema, version } from "../../offers/protocol.ts";
import {
	buyerSide,
	type ContractRoute,
	defineRoute,
	party,
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
	problem,
	problems,
	signedInSecurity,
	tenantId,
	timestamp,
} from "../schemas.ts";
import { paymentStatuses } from "./payments.ts";

// --- request bodies ------------------------------------------------------------------------

const message = z.string().trim().max(MAX_MESSAGE_LENGTH);

export const createOfferBody = z
	.object({ amount_cents: amountCents, message: message.optional() })
	.strict()
	.openapi("CreateOffer");
export const counterBody = z
	.object({ amount_cents: amountCents, version, message: message.optional() })
	.strict()
	.openapi("CounterOffer");
/** Accept and reject name the version they answer. */
export const versionBody = z.object({ version }).strict().openapi("OfferVersion");
/** The contract's withdraw has no body; a `version` may still be sent to guard against races. */
export const withdrawBody = z.object({ version: version.optional() }).strict().openapi("WithdrawOffer");

export const listOffersQuery = z
	.object({
		listing_id: listingId.optional().openapi({ description: "Only the threads on this listing" }),
		limit: z.coerce.number().int().min(1).max(50).default(20),
		cursor: cursor.optional(),
	})
	.strict();

// --- responses -----------------------------------------------------------------------------

export const offerPage = page(offerViewSchema).openapi("OfferPage");

export const reopenedListing = z
	.object({
		id: listingId,
		status: z.literal("active"),
		cancelled_offer_ids: z.array(offerId).openapi({ description: "The accepted thread the re-opening cancelled." }),
	})
	.openapi("ReopenedListing");

/** One event the offer-events consumer recorded, oldest version first. */
export const timelineEvent = z
	.object({
		event_id: z.string(),
		type: z.enum(offerEventTypes),
		version,
		amount_cents: amountCents.openapi({ description: "The thread's amount after this event." }),
		currency,
		actor_tenant_id: tenantId.nullable().openapi({ description: "`null` for changes nobody made (expiry, holds)." }),
		occurred_at: timestamp.openapi({ description: "When the room made the change." }),
		recorded_at: timestamp.openapi({ description: "When the consumer recorded it." }),
	})
	.openapi("OfferTimelineEvent");

/** The thread as of the highest version recorded (migrations/0005_deals.sql). */
export const dealRecord = z
	.object({
		offer_id: offerId,
		listing_id: listingId,
		buyer_tenant_id: tenantId,
		seller_tenant_id: tenantId,
		status: z.enum(offerStatuses),
		on_hold: z.boolean(),
		amount_cents: amountCents,
		currency,
		version,
		events: z
			.number()
			.int()
			.nonnegative()
			.openapi({ description: "Distinct events recorded; below `version` while some are in flight." }),
		opened_at: timestamp,
		closed_at: timestamp.nullable(),
		accepted_at: timestamp.nullable(),
		final_amount_cents: amountCents.nullable(),
		updated_at: timestamp,
	})
	.openapi("Deal");

/** A checkout attempt on the thread as the payments consumer recorded it (migrations/0008_payments.sql). */
export const timelinePayment = z
	.object({
		id: paymentId,
		attempt: z.number().int().positive().openapi({ description: "1 for the thread's first checkout." }),
		status: z.enum(paymentStatuses),
		processing: z
			.boolean()
			.openapi({ description: "A bank payment submitted and not yet settled (status stays `pending`)." }),
		amount_cents: amountCents,
		fee_cents: minorUnits.openapi({ description: "The platform's 8%, rounded half up." }),
		seller_payout_cents: minorUnits.openapi({ description: "`amount_cents − fee_cents`, transferred on release." }),
		refunded_cents: minorUnits,
		currency,
		release_at: timestamp.nullable().openapi({ description: "When the held money is released if nobody disputes." }),
		paid_at: timestamp.nullable(),
		released_at: timestamp.nullable(),
		created_at: timestamp.openapi({ description: "When the checkout was made." }),
		updated_at: timestamp.openapi({ description: "When the payment last changed, as recorded." }),
	})
	.openapi("OfferTimelinePayment");

export const offerTimeline = z
	.object({
		events: z.array(timelineEvent),
		deal: dealRecord.nullable(),
		payments: z
			.array(timelinePayment)
			.openapi({ description: "The thread's checkouts, first attempt first; empty until the buyer checks out." }),
	})
	.openapi("OfferTimeline");

/** The 409 of a second offer names the buyer's open thread in `offer_id` (docs/domain.md, Offer threads). */
const offerConflict = {
	409: {
		description:
			"The listing is not open to this offer: the caller's own, no longer active, or the caller already has an open thread on it (`offer_id` names it).",
		content: {
			"application/problem+json": {
				schema: problem.extend({
					offer_id: offerId.optional().openapi({ description: "The caller's open thread on this listing." }),
				}),
			},
		},
	},
} as const;

// --- routes --------------------------------------------------------------------------------

const read = { bucket: "caller", body: "none", credentials: "accepted", servedBy: "user" } as const;
const move = { bucket: "caller", body: "json", credentials: "accepted", servedBy: "user" } as const;
const policy = (base: typeof read | typeof move, allow: RoutePolicy["allow"], note?: string): RoutePolicy =>
	note === undefined ? { ...base, allow } : { ...base, allow, note };

const offerParams = z.object({ id: offerId });
const listingParams = z.object({ id: listingId });

export const offersRoutes = {
	createOffer: defineRoute({
		method: "post",
		path: "/api/v1/listings/{id}/offers",
		operationId: "createOffer",
		tags: ["Offers"],
		security: signedInSecurity,
		summary: "Open an offer thread on an active listing",
		description:
			"The listing must be visible (404) and `active` (409); your own listing is 409. One open thread per buyer per listing: while yours is `pending`, `countered` or `accepted` (on hold or not), another offer is 409 with `offer_id` naming that thread; `rejected`, `withdrawn`, `expired` and `cancelled` threads do not count. Of simultaneous offers by one buyer, one is 201 and the others 409 naming it. A proposal expires after 72 hours. A caller whose e-mail address is not verified gets 403 `email-unverified`.",
		request: { params: listingParams, body: jsonBody(createOfferBody) },
		responses: {
			201: json(offerViewSchema, "The new thread: pending, version 1, with its history"),
			...problems(400, 401, 403, 404, 415, 429, 502),
			...offerConflict,
		},
		"x-policy": { ...policy(move, buyerSide, "listing active, not the caller's own"), verifiedEmail: true },
	}),
	reopenListing: defineRoute({
		method: "post",
		path: "/api/v1/listings/{id}/reopen",
		operationId: "reopenListing",
		tags: ["Offers"],
		security: signedInSecurity,
		summary: "Re-open a listing under offer: its accepted thread is cancelled, held threads resume",
		description:
			"The owner of a listing `under_offer` (else 409): the acceptance that fell through is cancelled (recorded in the thread and on the queue), held threads resume with a fresh expiry, and the listing is `active` again.",
		request: { params: listingParams },
		responses: {
			200: json(reopenedListing, "The listing, active again"),
			...problems(400, 401, 403, 404, 409, 429, 502),
		},
		"x-policy": policy(read, sellerOnly, "owner: cancels the accepted offer; ours"),
	}),
	listOffers: defineRoute({
		method: "get",
		path: "/api/v1/offers",
		operationId: "listOffers",
		tags: ["Offers"],
		security: signedInSecurity,
		summary: "The caller's offer threads, newest first",
		description:
			"Threads where the caller is buyer or seller (admins: all), newest first, each as its room shows it now; `listing_id` keeps those on one listing; `limit` 1–50.",
		request: { query: listOffersQuery },
		responses: {
			200: json(offerPage, "Threads where the caller is the buyer or the seller (admins: all)"),
			...problems(400, 401, 403, 429, 502),
		},
		"x-policy": policy(read, signedIn, "threads where the caller is a party"),
	}),
	getOffer: defineRoute({
		method: "get",
		path: "/api/v1/offers/{id}",
		operationId: "getOffer",
		tags: ["Offers"],
		security: signedInSecurity,
		summary: "A thread with its history",
		description: "A party or an admin (others 404); the offer with its `history`.",
		request: { params: offerParams },
		responses: {
			200: json(offerViewSchema, "The thread, with `history`"),
			...problems(400, 401, 403, 404, 429, 502),
		},
		"x-policy": policy(read, signedIn),
	}),
	offerTimeline: defineRoute({
		method: "get",
		path: "/api/v1/offers/{id}/timeline",
		operationId: "offerTimeline",
		tags: ["Offers"],
		security: signedInSecurity,
		summary: "A thread's consolidated record (eventually consistent, seconds behind the room)",
		description:
			"From the consolidated records (eventually consistent, seconds behind the room): the thread's events, its deal, and its payments (each checkout attempt's status and amounts, when it was paid and released).",
		request: { params: offerParams },
		responses: {
			200: json(offerTimeline, "The recorded events, the deal's latest terms and the thread's payments"),
			...problems(400, 401, 403, 404, 429, 502),
		},
		"x-policy": policy(read, signedIn),
	}),
	counterOffer: defineRoute({
		method: "post",
		path: "/api/v1/offers/{id}/counter",
		operationId: "counterOffer",
		tags: ["Offers"],
		security: signedInSecurity,
		summary: "Counter the other party's proposal",
		description:
			"The party whose turn it is (the one that did not propose last); `countered`, version + 1, a new 72 h expiry. A stale version, out of turn, a closed thread, on hold or expired: 409.",
		request: { params: offerParams, body: jsonBody(counterBody) },
		responses: {
			200: json(offerViewSchema, "The offer, countered, at version + 1"),
			...problems(400, 401, 403, 404, 409, 415, 429, 502),
		},
		"x-policy": policy(move, party, "the party whose turn it is"),
	}),
	acceptOffer: defineRoute({
		method: "post",
		path: "/api/v1/offers/{id}/accept",
		operationId: "acceptOffer",
		tags: ["Offers"],
		security: signedInSecurity,
		summary: "Accept the other party's proposal; the listing goes under offer",
		description:
			"The party who did not propose last. Accepting claims the listing (`under_offer`): if another thread got it first, 409; the listing's other open threads go on hold.",
		request: { params: offerParams, body: jsonBody(versionBody) },
		responses: {
			200: json(offerViewSchema, "The offer, accepted"),
			...problems(400, 401, 403, 404, 409, 415, 429, 502),
		},
		"x-policy": policy(move, party, "the party who did not propose last"),
	}),
	rejectOffer: defineRoute({
		method: "post",
		path: "/api/v1/offers/{id}/reject",
		operationId: "rejectOffer",
		tags: ["Offers"],
		security: signedInSecurity,
		summary: "Reject the other party's proposal",
		description: "The party who did not propose last; the thread is closed.",
		request: { params: offerParams, body: jsonBody(versionBody) },
		responses: {
			200: json(offerViewSchema, "The offer, rejected"),
			...problems(400, 401, 403, 404, 409, 415, 429, 502),
		},
		"x-policy": policy(move, party, "the party who did not propose last"),
	}),
	withdrawOffer: defineRoute({
		method: "post",
		path: "/api/v1/offers/{id}/withdraw",
		operationId: "withdrawOffer",
		tags: ["Offers"],
		security: signedInSecurity,
		summary: "The buyer withdraws from the thread",
		description:
			"The buyer (the seller: 403); not after acceptance (409). The body is optional: none at all, or an empty one whatever its `Content-Type`, withdraws at the thread's current version.",
		request: {
			params: offerParams,
			// Optional: no body at all (or an empty one) withdraws at whatever version the thread is.
			body: { required: false, content: { "application/json": { schema: withdrawBody } } },
		},
		responses: {
			200: json(offerViewSchema, "The offer, withdrawn"),
			...problems(400, 401, 403, 404, 409, 415, 429, 502),
		},
		"x-policy": policy(move, buyerSide, "the thread's buyer"),
	}),
} satisfies Record<string, ContractRoute>;
