/**
 * The saved-search and watchlist routes' contract (see ../policy.ts; docs/api.md): a buyer or
 * investor saves a search (the filters of `GET /api/v1/listings`, with a name) to be e-mailed when
 * a newly published listing matches it, and watches listings to be e-mailed when one's price
 * changes, it goes under offer or it is sold (workers/consumers/watch-mail.ts sends both).
 *
 * Both belong to the caller's tenant; another tenant's search is 404. Each list is bounded by its
 * limit, so a list is one page (`items`, no cursor). The limits are exported for the web app.
 */
import { z } from "@hono/zod-openapi";
import { buyerSide, type ContractRoute, defineRoute, type RoutePolicy } from "../policy.ts";
import { json, jsonBody, listingId, MAX_AMOUNT_CENTS, problems, signedInSecurity, timestamp } from "../schemas.ts";
import { browseListingsQuery, category, publicListing } from "./listings.ts";

/** How many saved searches, and how many watched listings, one tenant keeps. */
export const SAVED_SEARCH_LIMIT = 20;
export const WATCHLIST_LIMIT = 200;

export const savedSearchId = z
	.string()
	.regex(/^srch_[0-9a-f]{32}$/, "must be a saved search id")
	.openapi({ example: "srch_0123456789abcdef0123456789abcdef" });

/** A price filter in minor units, as in the browse query (here a JSON number). */
const price = z.number().int().nonnegative().max(MAX_AMOUNT_CENTS).optional();

const filters = browseListingsQuery.shape;

/**
 * The browse filters (same fields and rules as `GET /api/v1/listings`) and a name. How matches are
 * e-mailed (one per listing, or at most one per search per day) is the user's notification setting
 * (`PATCH /api/v1/me/notifications`, `digest`), not the search's.
 */
export const createSavedSearchBody = z
	.object({
		name: z.string().trim().min(1).max(80),
		q: filters.q,
		category: filters.category,
		min_price: price,
		max_price: price,
	})
	.strict()
	.refine((body) => body.min_price === undefined || body.max_price === undefined || body.min_price <= body.max_price, {
		message: "min_price must not exceed max_price",
		path: ["min_price"],
	})
	.openapi("CreateSavedSearch");

export type CreateSavedSearchInput = z.output<typeof createSavedSearchBody>;

export const savedSearchView = z
	.object({
		id: savedSearchId,
		name: z.string(),
		q: z.string().nullable(),
		category: category.nullable(),
		min_price: z.number().int().nullable(),
		max_price: z.number().int().nullable(),
		created_at: timestamp,
	})
	.strict()
	.openapi("SavedSearch");

export type SavedSearchView = z.output<typeof savedSearchView>;

export const savedSearchList = z
	.object({ items: z.array(savedSearchView) })
	.strict()
	.openapi("SavedSearchList");

export const watchedListingView = z
	.object({ listing_id: listingId, watched_at: timestamp, listing: publicListing })
	.strict()
	.openapi("WatchedListing");

export type WatchedListingView = z.output<typeof watchedListingView>;

export const watchlistView = z
	.object({ items: z.array(watchedListingView) })
	.strict()
	.openapi("Watchlist");

const user = (body: RoutePolicy["body"]): RoutePolicy => ({
	allow: buyerSide,
	bucket: "caller",
	body,
	credentials: "accepted",
	servedBy: "user",
	note: "the caller's tenant's own",
});

const tags = ["Saved searches and watchlist"];

export const watchRoutes = {
	listSavedSearches: defineRoute({
		method: "get",
		path: "/api/v1/saved-searches",
		operationId: "listSavedSearches",
		tags,
		summary: "The caller's saved searches, newest first",
		description: `At most ${SAVED_SEARCH_LIMIT}, the limit per tenant, so one page.`,
		security: signedInSecurity,
		responses: { 200: json(savedSearchList, "The saved searches"), ...problems(401, 403, 429, 502) },
		"x-policy": user("none"),
	}),
	createSavedSearch: defineRoute({
		method: "post",
		path: "/api/v1/saved-searches",
		operationId: "createSavedSearch",
		tags,
		summary: "Save a search, to be e-mailed when a newly published listing matches it",
		description: `The filters are those of \`GET /api/v1/listings\` (every word of \`q\` a prefix match; prices in minor units). A tenant keeps at most ${SAVED_SEARCH_LIMIT} saved searches: one more is 409 naming the limit. A listing is matched when its publication is processed, seconds after it: a search saved after that is not e-mailed about it (it was already in the results saved). One e-mail per matching listing, or at most one per search per day with the \`daily\` notification setting.`,
		security: signedInSecurity,
		request: { body: jsonBody(createSavedSearchBody) },
		responses: {
			201: json(savedSearchView, "The saved search"),
			...problems(400, 401, 403, 409, 415, 429, 502),
		},
		"x-policy": user("json"),
	}),
	deleteSavedSearch: defineRoute({
		method: "delete",
		path: "/api/v1/saved-searches/{id}",
		operationId: "deleteSavedSearch",
		tags,
		summary: "Delete a saved search",
		description: "204; a search that is not the caller's (or no longer exists) is 404.",
		security: signedInSecurity,
		request: { params: z.object({ id: savedSearchId }) },
		responses: { 204: { description: "Deleted" }, ...problems(400, 401, 403, 404, 429, 502) },
		"x-policy": user("none"),
	}),
	getWatchlist: defineRoute({
		method: "get",
		path: "/api/v1/watchlist",
		operationId: "getWatchlist",
		tags,
		summary: "The listings the caller watches, newest watched first",
		description: `At most ${WATCHLIST_LIMIT}, the limit per tenant, so one page. A watched listing that is no longer public (archived) is left out.`,
		security: signedInSecurity,
		responses: { 200: json(watchlistView, "The watched listings"), ...problems(401, 403, 429, 502) },
		"x-policy": user("none"),
	}),
	watchListing: defineRoute({
		method: "put",
		path: "/api/v1/watchlist/{listingId}",
		operationId: "watchListing",
		tags,
		summary: "Watch a listing, to be e-mailed when its price changes, it goes under offer or is sold",
		description: `Idempotent: watching a watched listing is 200 and keeps the first \`watched_at\`. A listing the caller cannot see is 404. A tenant watches at most ${WATCHLIST_LIMIT} listings: one more is 409 naming the limit.`,
		security: signedInSecurity,
		request: { params: z.object({ listingId }) },
		responses: {
			200: json(watchedListingView, "The listing is watched"),
			...problems(400, 401, 403, 404, 409, 429, 502),
		},
		"x-policy": user("none"),
	}),
	unwatchListing: defineRoute({
		method: "delete",
		path: "/api/v1/watchlist/{listingId}",
		operationId: "unwatchListing",
		tags,
		summary: "Stop watching a listing",
		description: "204 whether or not it was watched.",
		security: signedInSecurity,
		request: { params: z.object({ listingId }) },
		responses: { 204: { description: "Not watched" }, ...problems(400, 401, 403, 429, 502) },
		"x-policy": user("none"),
	}),
} satisfies Record<string, ContractRoute>;
