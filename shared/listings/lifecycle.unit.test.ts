import { describe, expect, it } from "vitest";
import { listingStatuses } from "../contract/routes/listings.ts";
import {
	apply,
	eventOf,
	type LifecycleRefusal,
	type LifecycleRefusalKind,
	type LifecycleTransition,
	type ListingMove,
	type ListingState,
	type ListingStatus,
} from "./lifecycle.ts";

const OFFER = `off_${"a".repeat(32)}`;
const OTHER = `off_${"b".repeat(32)}`;
const PAYMENT = `pay_${"c".repeat(32)}`;

/** A listing in `status`, held by OFFER where the status means an offer holds it. */
function listing(status: ListingStatus, claimedBy: string | null = null): ListingState {
	const held = status === "under_offer" || status === "sold";
	return Object.freeze({ status, claimed_by_offer_id: held ? (claimedBy ?? OFFER) : claimedBy });
}

const moves: Record<ListingMove["type"], ListingMove> = {
	publish: { type: "publish" },
	archive: { type: "archive" },
	claim: { type: "claim", offer_id: OFFER },
	reopen: { type: "reopen" },
	sell: { type: "sell", offer_id: OFFER, payment_id: PAYMENT },
};

type Expected = ListingStatus | LifecycleRefusalKind;

/**
 * Every (status, move) pair: the status the move leads to, or the refusal. In `under_offer` and
 * `sold` the listing is held by OFFER, the offer that claims and sells in `moves`.
 */
const table: Record<ListingStatus, Record<ListingMove["type"], Expected>> = {
	draft: {
		publish: "active",
		archive: "archived",
		claim: "listing_unavailable",
		reopen: "not_allowed",
		sell: "listing_unavailable",
	},
	active: {
		publish: "already",
		archive: "archived",
		claim: "under_offer",
		reopen: "not_allowed",
		sell: "listing_unavailable",
	},
	under_offer: { publish: "not_allowed", archive: "not_allowed", claim: "already", reopen: "active", sell: "sold" },
	sold: {
		publish: "not_allowed",
		archive: "not_allowed",
		claim: "listing_unavailable",
		reopen: "not_allowed",
		sell: "already",
	},
	archived: {
		publish: "not_allowed",
		archive: "already",
		claim: "listing_unavailable",
		reopen: "not_allowed",
		sell: "listing_unavailable",
	},
};

const pairs = listingStatuses.flatMap((status) =>
	(Object.keys(moves) as ListingMove["type"][]).map((type): [ListingStatus, ListingMove["type"], Expected] => [
		status,
		type,
		table[status][type],
	]),
);

const isStatus = (value: Expected): value is ListingStatus => (listingStatuses as readonly string[]).includes(value);

describe("every status and move", () => {
	it("covers the 25 pairs", () => {
		expect(pairs).toHaveLength(25);
	});

	it.each(pairs)("%s + %s → %s", (status, type, expected) => {
		const before = listing(status);
		const result = apply(before, moves[type]);
		if (isStatus(expected)) {
			const moved = result as LifecycleTransition;
			expect(moved.ok).toBe(true);
			expect(moved).toEqual({
				ok: true,
				from: before,
				state: {
					status: expected,
					claimed_by_offer_id: expected === "under_offer" || expected === "sold" ? OFFER : null,
				},
				event: eventOf[type],
			});
		} else {
			const refused = result as LifecycleRefusal;
			expect(refused).toMatchObject({ ok: false, kind: expected });
			expect(refused.detail).toMatch(/\S/);
		}
	});
});

describe("the events", () => {
	it("announces each move with its own listing event", () => {
		expect(eventOf).toEqual({
			publish: "listing.published",
			archive: "listing.archived",
			claim: "listing.under_offer",
			reopen: "listing.reopened",
			sell: "listing.sold",
		});
	});
});

describe("the offer that holds a listing", () => {
	it("is the one that claimed it, until the listing is reopened", () => {
		const claimed = apply(listing("active"), { type: "claim", offer_id: OTHER }) as LifecycleTransition;
		expect(claimed.state).toEqual({ status: "under_offer", claimed_by_offer_id: OTHER });
		const reopened = apply(claimed.state, { type: "reopen" }) as LifecycleTransition;
		expect(reopened.state).toEqual({ status: "active", claimed_by_offer_id: null });
	});

	it("refuses another offer's claim while one holds the listing", () => {
		expect(apply(listing("under_offer", OTHER), moves.claim)).toMatchObject({ ok: false, kind: "listing_unavailable" });
	});

	it("sells only to the offer that holds the listing", () => {
		const stray = { type: "sell", offer_id: OTHER, payment_id: PAYMENT } as const;
		expect(apply(listing("under_offer"), stray)).toMatchObject({ ok: false, kind: "listing_unavailable" });
		expect(apply(listing("sold"), stray)).toMatchObject({ ok: false, kind: "listing_unavailable" });
		// A listing put under offer before the claim was recorded has no holder to sell to.
		expect(apply({ status: "under_offer", claimed_by_offer_id: null }, moves.sell)).toMatchObject({
			ok: false,
			kind: "listing_unavailable",
		});
	});

	it("names the statuses in its refusals the way the routes answer them", () => {
		expect(apply(listing("sold"), moves.publish)).toMatchObject({
			detail: "A listing that is sold cannot be published.",
		});
		expect(apply(listing("under_offer"), moves.archive)).toMatchObject({
			detail: "A listing that is under_offer cannot be archived.",
		});
		expect(apply(listing("active"), moves.reopen)).toMatchObject({
			detail: "Only a listing under offer can be re-opened.",
		});
		expect(apply(listing("sold"), moves.claim)).toMatchObject({ detail: "The listing is no longer available." });
	});
});
