/**
 * The seller pages' server-side reads that take more than one API call: every own listing (for
 * the dashboard's counts by status and the sales page's titles), and the offers on one listing.
 * Both page through the API with its cursors, up to a bound, and say whether they saw it all,
 * so a page can say "at least" rather than show a wrong count.
 *
 * A listing's offers are `GET /api/v1/offers?listing_id=`, paged up to 300; past the bound the
 * page says it may not show every offer. Server-side only (it uses the typed client, zod
 * included).
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

/** The offer threads on `listingId`, newest first: up to 300. */
export async function offersOn(api: Api, listingId: string): Promise<Read<OfferView>> {
	const items: OfferView[] = [];
	let cursor: string | undefined;
	try {
		for (let page = 0; page < OFFER_PAGES; page++) {
			const answer = await api.call(offersRoutes.listOffers, {
				query: { listing_id: listingId, limit: 50, ...(cursor ? { cursor } : {}) },
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
