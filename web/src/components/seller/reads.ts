/**
 * The seller pages' server-side reads that take more than one API call: every own listing (for
 * the dashboard's counts by status and the sales page's titles), and the offers on one listing.
 * Both page through the API with its cursors, up to a bound, and say whether they saw it all,
 * so a page can say "at least" rather than show a wrong count.
 *
 * `GET /api/v1/offers` has no listing filter (it answers every thread of the caller's), so a
 * listing's offers are picked out here from the caller's newest threads. That is one to a few
 * calls for a seller with a normal number of threads; past the bound the page says it may not
 * show every offer. Server-side only (it uses the typed client, zod included).
 */

import type { ListingView } from "../../../../shared/contract/routes/listings.ts";
import { listingsRoutes } from "../../../../shared/contract/routes/listings.ts";
import { offersRoutes } from "../../../../shared/contract/routes/offers.ts";
import type { OfferView } from "../../../../shared/offers/protocol.ts";
import type { Api } from "../../lib/api.ts";
import { type Failure, failure, unavailable } from "../../lib/outcome.ts";

export type Read<T> = { ok: true; items: T[]; complete: boolean } | { ok: false; failure: Failure };

const LISTING_PAGES = 5;
const OFFER_PAGES = 6;

/** The seller's own listings in every status, newest created first: up to 500. */
export async function ownListings(api: Api): Promise<Read<ListingView>> {
	const items: ListingView[] = [];
	let cursor: string | undefined;
	try {
		for (let page = 0; page < LISTING_PAGES; page++) {
			const answer = await api.call(listingsRoutes.listOwnListings, {
				query: { limit: 100, ...(cursor ? { cursor } : {}) },
			});
			if (answer.status !== 200) return { ok: false, failure: failure(answer.status, answer.body?.detail) };
			items.push(...answer.body.items);
			if (answer.body.next_cursor === null) return { ok: true, items, complete: true };
			cursor = answer.body.next_cursor;
		}
	} catch (error) {
		return { ok: false, failure: unavailable(error) };
	}
	return { ok: true, items, complete: false };
}

/** The offer threads on `listingId` among the seller's newest 300, newest first. */
export async function offersOn(api: Api, listingId: string): Promise<Read<OfferView>> {
	const items: OfferView[] = [];
	let cursor: string | undefined;
	try {
		for (let page = 0; page < OFFER_PAGES; page++) {
			const answer = await api.call(offersRoutes.listOffers, { query: { limit: 50, ...(cursor ? { cursor } : {}) } });
			if (answer.status !== 200) return { ok: false, failure: failure(answer.status, answer.body?.detail) };
			items.push(...answer.body.items.filter((offer) => offer.listing_id === listingId));
			if (answer.body.next_cursor === null) return { ok: true, items, complete: true };
			cursor = answer.body.next_cursor;
		}
	} catch (error) {
		return { ok: false, failure: unavailable(error) };
	}
	return { ok: true, items, complete: false };
}
