/**
 * Saved searches in D1, through the tenant scope: a buyer-side tenant reads, creates and deletes
 * only its own (`tenant_id` from the verified scope, never from the request). The limit per tenant
 * is part of the INSERT itself (`… WHERE (SELECT count(*) …) < limit`), so concurrent saves can
 * never pass it: D1 runs one statement at a time.
 *
 * The FTS5 expression of `q` is built here with the browse query's own `ftsQuery` and stored, so
 * the consumer that matches a newly published listing (workers/consumers/watch-mail.ts) tests the text exactly
 * as browse does.
 */
import type { CreateSavedSearchInput } from "../contract/routes/watch.ts";
import { type Category, ftsQuery } from "./listings.ts";
import type { Scope } from "./scope.ts";

export interface SavedSearchRecord {
	id: string;
	tenant_id: string;
	user_id: string;
	name: string;
	q: string | null;
	match: string | null;
	category: Category | null;
	min_price_cents: number | null;
	max_price_cents: number | null;
	created_at: string;
}

const COLUMNS = "id, tenant_id, user_id, name, q, match, category, min_price_cents, max_price_cents, created_at";

export function savedSearchesData(db: D1Database, scope: Scope) {
	const tenant = scope.tenantId ?? "";
	return {
		/** The tenant's saved searches, newest first (at most the limit, so all of them). */
		async list(): Promise<SavedSearchRecord[]> {
			const { results } = await db
				.prepare(`SELECT ${COLUMNS} FROM saved_searches WHERE tenant_id = ? ORDER BY created_at DESC, id DESC`)
				.bind(tenant)
				.all<SavedSearchRecord>();
			return results;
		},

		async find(id: string): Promise<SavedSearchRecord | null> {
			return db
				.prepare(`SELECT ${COLUMNS} FROM saved_searches WHERE id = ? AND tenant_id = ?`)
				.bind(id, tenant)
				.first<SavedSearchRecord>();
		},

		/** Saves the search unless the tenant already keeps `limit`; whether it was saved. */
		async create(id: string, input: CreateSavedSearchInput, limit: number, now: string): Promise<boolean> {
			if (scope.tenantId === null || scope.userId === null) throw new Error("a guest cannot save a search");
			const q = input.q ?? null;
			const result = await db
				.prepare(
					`INSERT INTO saved_searches (${COLUMNS})
					 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
					 WHERE (SELECT count(*) FROM saved_searches WHERE tenant_id = ?2) < ?11`,
				)
				.bind(
					id,
					scope.tenantId,
					scope.userId,
					input.name,
					q,
					q === null ? null : ftsQuery(q),
					input.category ?? null,
					input.min_price ?? null,
					input.max_price ?? null,
					now,
					limit,
				)
				.run();
			return result.meta.changes === 1;
		},

		/** Deletes the tenant's search `id`; whether there was one. */
		async remove(id: string): Promise<boolean> {
			const result = await db
				.prepare("DELETE FROM saved_searches WHERE id = ? AND tenant_id = ?")
				.bind(id, tenant)
				.run();
			return result.meta.changes === 1;
		},
	};
}
