/**
 * The watchlist (docs/api.md): a buyer or investor watches up to `WATCHLIST_LIMIT` listings and is
 * e-mailed when one's price changes, it goes under offer or is sold (workers/consumers/watch-mail.ts).
 * Watching is idempotent (200 either way, the first `watched_at` kept); a listing the caller cannot
 * see, or its own, is 404; over the limit is 409. The INSERT decides all three at once
 * (shared/data/watchlist.ts).
 */
import { contractApp } from "../../../shared/contract/app.ts";
import { watchRoutes as r, WATCHLIST_LIMIT, type WatchedListingView } from "../../../shared/contract/routes/watch.ts";
import type { WatchedRecord } from "../../../shared/data/watchlist.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { toPublicListing } from "../listings/views.ts";
import type { UserHono } from "../types.ts";

const toView = (row: WatchedRecord): WatchedListingView => ({
	listing_id: row.listing_id,
	watched_at: row.watched_at,
	listing: toPublicListing(row.listing),
});

export const watchlist = contractApp<UserHono>()
	.openapi(r.getWatchlist, async (c) => {
		const rows = await c.var.data.watchlist.list();
		return c.json({ items: rows.map(toView) }, 200);
	})
	.openapi(r.watchListing, async (c) => {
		const { listingId } = c.req.valid("param");
		const outcome = await c.var.data.watchlist.watch(listingId, WATCHLIST_LIMIT, new Date().toISOString());
		if (outcome === "not_found") throw new HttpProblem({ reason: "not_found" });
		if (outcome === "limit") {
			throw new HttpProblem({
				reason: "conflict",
				detail: `You already watch ${WATCHLIST_LIMIT} listings, the limit; stop watching one to watch another.`,
			});
		}
		const row = await c.var.data.watchlist.find(listingId);
		if (!row) throw new HttpProblem({ reason: "not_found" });
		return c.json(toView(row), 200);
	})
	.openapi(r.unwatchListing, async (c) => {
		const { listingId } = c.req.valid("param");
		await c.var.data.watchlist.unwatch(listingId);
		return c.body(null, 204);
	});
