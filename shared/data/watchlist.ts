/**
 * The watchlist in D1, through the tenant scope: a buyer-side tenant's watched listings. Watching
 * is one INSERT that reads the listing itself (only a publicly visible one: `active`, `under_offer`
 * or `sold`, and not the caller's own) and counts the tenant's rows against the limit, so neither a
 * hidden listing nor one over the limit can slip in between a check and the write. The asking price
 * is copied then: the consumer tells a watcher about a price change against the price they saw.
 */
import { PUBLIC_COLUMNS, type PublicListingRecord } from "./listings.ts";
import type { Scope } from "./scope.ts";

export interface WatchedRecord {
	listing_id: string;
	watched_at: string;
	listing: PublicListingRecord;
}

export type WatchOutcome = "watched" | "already" | "not_found" | "limit";

const listingColumns = PUBLIC_COLUMNS.map((column) => `v.${column}`).join(", ");

export function watchlistData(db: D1Database, scope: Scope) {
	const tenant = scope.tenantId ?? "";
	return {
		/** The tenant's watched listings that are still public, newest watched first. */
		async list(): Promise<WatchedRecord[]> {
			const { results } = await db
				.prepare(
					`SELECT w.created_at AS watched_at, ${listingColumns}
					 FROM watchlist w JOIN public_listings v ON v.id = w.listing_id
					 WHERE w.tenant_id = ? ORDER BY w.created_at DESC, w.listing_id DESC`,
				)
				.bind(tenant)
				.all<PublicListingRecord & { watched_at: string }>();
			return results.map(({ watched_at, ...listing }) => ({ listing_id: listing.id, watched_at, listing }));
		},

		async find(listingId: string): Promise<WatchedRecord | null> {
			const row = await db
				.prepare(
					`SELECT w.created_at AS watched_at, ${listingColumns}
					 FROM watchlist w JOIN public_listings v ON v.id = w.listing_id
					 WHERE w.tenant_id = ? AND w.listing_id = ?`,
				)
				.bind(tenant, listingId)
				.first<PublicListingRecord & { watched_at: string }>();
			if (!row) return null;
			const { watched_at, ...listing } = row;
			return { listing_id: listing.id, watched_at, listing };
		},

		/** Watches `listingId` if the caller may see it and is under `limit`; what happened. */
		async watch(listingId: string, limit: number, now: string): Promise<WatchOutcome> {
			if (scope.tenantId === null || scope.userId === null) throw new Error("a guest cannot watch");
			const result = await db
				.prepare(
					`INSERT INTO watchlist (tenant_id, listing_id, user_id, price_cents, created_at)
					 SELECT ?1, v.id, ?2, v.asking_price_cents, ?3 FROM public_listings v
					 WHERE v.id = ?4 AND v.status IN ('active', 'under_offer', 'sold') AND v.seller_tenant_id <> ?1
					   AND (SELECT count(*) FROM watchlist w JOIN public_listings l ON l.id = w.listing_id
					        WHERE w.tenant_id = ?1 AND l.status IN ('active', 'under_offer', 'sold')) < ?5
					 ON CONFLICT (tenant_id, listing_id) DO NOTHING`,
				)
				.bind(scope.tenantId, scope.userId, now, listingId, limit)
				.run();
			if (result.meta.changes === 1) return "watched";
			// Nothing written: say why (already watched, not visible, or the limit).
			const row = await db
				.prepare(
					`SELECT
					   EXISTS (SELECT 1 FROM watchlist WHERE tenant_id = ?1 AND listing_id = ?2) AS watched,
					   EXISTS (SELECT 1 FROM public_listings WHERE id = ?2 AND status IN ('active', 'under_offer', 'sold')
					           AND seller_tenant_id <> ?1) AS visible`,
				)
				.bind(scope.tenantId, listingId)
				.first<{ watched: number; visible: number }>();
			if (row?.watched) return "already";
			if (!row?.visible) return "not_found";
			return "limit";
		},

		async unwatch(listingId: string): Promise<void> {
			await db.prepare("DELETE FROM watchlist WHERE tenant_id = ? AND listing_id = ?").bind(tenant, listingId).run();
		},
	};
}
