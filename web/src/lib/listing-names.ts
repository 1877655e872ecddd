/**
 * The titles of the listings a page names, read on the server through the page's API client.
 * Threads, requests and payments carry a listing id but no title, so a page reads each distinct
 * listing it shows (`GET /api/v1/listings/{id}`), in parallel: each read spends the visitor's own
 * bucket, which is why the pages that use this keep the listings they name few. A listing that
 * cannot be read (archived, or the read failed) is shown by its id, never breaks the page.
 */
import { listingsRoutes } from "../../../shared/contract/routes/listings.ts";
import type { Api } from "./api.ts";

export interface ListingName {
	title: string;
	/** Whether the listing page opens for this visitor (an archived one answers 404). */
	visible: boolean;
}

/** Each distinct listing's title, by id; an unreadable listing gets a stand-in name and no link. */
export async function listingNames(api: Api, ids: readonly string[]): Promise<Map<string, ListingName>> {
	const distinct = [...new Set(ids)];
	const names = await Promise.all(
		distinct.map(async (id): Promise<[string, ListingName]> => {
			const answer = await api.call(listingsRoutes.getListing, { params: { id } }).catch(() => null);
			if (answer?.status === 200) return [id, { title: answer.body.title, visible: true }];
			const gone = answer?.status === 404;
			return [id, { title: gone ? "A listing no longer on the market" : `Listing ${id.slice(-8)}`, visible: !gone }];
		}),
	);
	return new Map(names);
}
