/**
 * The listing lifecycle (docs/domain.md, Listings) as one pure function: which status a move takes
 * a listing to, which listing event announces it, or why not. Statuses go `draft → active →
 * under_offer → sold`, or to `archived` from `draft` and `active`; `reopen` gives an `under_offer`
 * listing back to the market when its accepted offer falls through.
 *
 * The accepted offer that holds a listing is part of its state (`claimed_by_offer_id`), so `sell`
 * only completes the sale that offer's payment paid for: a payment that arrives after the listing
 * was reopened and claimed by another offer is refused, not turned into someone else's sale.
 *
 * Every writer of a listing's status goes through the data layer's `move`
 * (shared/data/listings.ts), which runs this check and then applies the change guarded by the
 * state it was computed from, together with the outbox row of its event, in one D1 batch.
 */
import type { ListingEventJob } from "../../queues/backoffice-jobs.ts";
import type { listingStatuses } from "../contract/routes/listings.ts";

export type ListingStatus = (typeof listingStatuses)[number];

export interface ListingState {
	status: ListingStatus;
	/** The accepted offer holding the listing: set by `claim`, kept by `sell`, cleared by `reopen`. */
	claimed_by_offer_id: string | null;
}

export type ListingMove =
	| { type: "publish" }
	| { type: "archive" }
	/** An offer on the listing was accepted. */
	| { type: "claim"; offer_id: string }
	/** The accepted offer fell through (the seller reopened the listing). */
	| { type: "reopen" }
	/** The accepted offer's payment is held. */
	| { type: "sell"; offer_id: string; payment_id: string };

export type ListingEventType = ListingEventJob["type"];

/** The event each move announces. */
export const eventOf = {
	publish: "listing.published",
	archive: "listing.archived",
	claim: "listing.under_offer",
	reopen: "listing.reopened",
	sell: "listing.sold",
} as const satisfies Record<ListingMove["type"], ListingEventType>;

export const lifecycleRefusalKinds = [
	/** The move's outcome is already the listing's state: a repeat, answered as success by the caller. */
	"already",
	/** The move does not apply to a listing in this status. */
	"not_allowed",
	/** Another offer holds the listing, or it is no longer for sale. */
	"listing_unavailable",
] as const;
export type LifecycleRefusalKind = (typeof lifecycleRefusalKinds)[number];

export interface LifecycleRefusal {
	ok: false;
	kind: LifecycleRefusalKind;
	/** Short, and safe to show to the caller. */
	detail: string;
}

export interface LifecycleTransition {
	ok: true;
	from: ListingState;
	state: ListingState;
	event: ListingEventType;
}

export function apply(listing: ListingState, move: ListingMove): LifecycleTransition | LifecycleRefusal {
	const { status } = listing;
	switch (move.type) {
		case "publish":
			if (status === "active") return refuse("already", "The listing is already active.");
			if (status !== "draft") return refuse("not_allowed", `A listing that is ${status} cannot be published.`);
			return to(listing, move, { status: "active", claimed_by_offer_id: null });
		case "archive":
			if (status === "archived") return refuse("already", "The listing is already archived.");
			if (status !== "draft" && status !== "active") {
				return refuse("not_allowed", `A listing that is ${status} cannot be archived.`);
			}
			return to(listing, move, { status: "archived", claimed_by_offer_id: null });
		case "claim":
			if (status === "under_offer" && listing.claimed_by_offer_id === move.offer_id) {
				return refuse("already", "The offer already holds the listing.");
			}
			if (status !== "active") return refuse("listing_unavailable", "The listing is no longer available.");
			return to(listing, move, { status: "under_offer", claimed_by_offer_id: move.offer_id });
		case "reopen":
			if (status !== "under_offer") return refuse("not_allowed", "Only a listing under offer can be re-opened.");
			return to(listing, move, { status: "active", claimed_by_offer_id: null });
		case "sell":
			if (listing.claimed_by_offer_id !== move.offer_id || (status !== "under_offer" && status !== "sold")) {
				return refuse("listing_unavailable", "The listing is not under offer to this offer.");
			}
			if (status === "sold") return refuse("already", "The listing is already sold to this offer.");
			return to(listing, move, { status: "sold", claimed_by_offer_id: move.offer_id });
	}
}

function to(from: ListingState, move: ListingMove, state: ListingState): LifecycleTransition {
	return { ok: true, from, state, event: eventOf[move.type] };
}

function refuse(kind: LifecycleRefusalKind, detail: string): LifecycleRefusal {
	return { ok: false, kind, detail };
}
