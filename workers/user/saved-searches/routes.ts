/**
 * Saved searches (docs/api.md): a buyer or investor keeps up to `SAVED_SEARCH_LIMIT` searches, each
 * the browse filters and a name; the consumers e-mail them when a newly published listing matches
 * (workers/consumers/watch-mail.ts). Only the caller's tenant's searches exist for it: another's
 * is 404. The limit is enforced by the INSERT (shared/data/saved-searches.ts), answered 409.
 */
import { contractApp } from "../../../shared/contract/app.ts";
import { watchRoutes as r, SAVED_SEARCH_LIMIT, type SavedSearchView } from "../../../shared/contract/routes/watch.ts";
import { ftsQuery } from "../../../shared/data/listings.ts";
import type { SavedSearchRecord } from "../../../shared/data/saved-searches.ts";
import { newId } from "../../../shared/encoding.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import type { UserHono } from "../types.ts";

/** The public shape: an allow-list (the stored FTS expression and the user id never leave). */
export function toSavedSearchView(row: SavedSearchRecord): SavedSearchView {
	return {
		id: row.id,
		name: row.name,
		q: row.q,
		category: row.category,
		min_price: row.min_price_cents,
		max_price: row.max_price_cents,
		created_at: row.created_at,
	};
}

export const savedSearches = contractApp<UserHono>()
	.openapi(r.listSavedSearches, async (c) => {
		const rows = await c.var.data.savedSearches.list();
		return c.json({ items: rows.map(toSavedSearchView) }, 200);
	})
	.openapi(r.createSavedSearch, async (c) => {
		const input = c.req.valid("json");
		// Browse answers such a `q` with no listings; saved, it would match every new one.
		if (input.q !== undefined && ftsQuery(input.q) === null) {
			throw new HttpProblem({
				reason: "bad_request",
				detail: "The search text has no words to search for.",
				errors: [{ field: "q", message: "must contain a letter or a digit" }],
			});
		}
		const id = newId("srch");
		const saved = await c.var.data.savedSearches.create(id, input, SAVED_SEARCH_LIMIT, new Date().toISOString());
		if (!saved) {
			throw new HttpProblem({
				reason: "conflict",
				detail: `You already keep ${SAVED_SEARCH_LIMIT} saved searches, the limit; delete one to save another.`,
			});
		}
		const row = await c.var.data.savedSearches.find(id);
		if (!row) throw new HttpProblem({ reason: "not_found" });
		return c.json(toSavedSearchView(row), 201);
	})
	.openapi(r.deleteSavedSearch, async (c) => {
		const { id } = c.req.valid("param");
		if (!(await c.var.data.savedSearches.remove(id))) throw new HttpProblem({ reason: "not_found" });
		return c.body(null, 204);
	});
