/**
 * The offer registry in D1, through the tenant scope: which threads exist and who their parties
 * are (immutable once written). The live state of a thread belongs to its NegotiationRoom; this
 * layer answers "may this caller see thread X" and "which threads are mine" without asking every
 * room. Every read carries the party predicate (buyer or seller is the caller's tenant; admins
 * see all).
 */
import type { Position } from "../http/cursor.ts";
import { ownerPredicate, type Scope } from "./scope.ts";
import { offerTimeline } from "./timeline.ts";

export interface OfferRecord {
	id: string;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	created_at: string;
}

const COLUMNS = "o.id, o.listing_id, o.buyer_tenant_id, o.seller_tenant_id, o.created_at";

export function offersData(db: D1Database, scope: Scope) {
	/** `(buyer or seller is the caller)`, or everything for an admin, nothing for a guest. */
	function party(): { sql: string; binds: string[] } {
		if (scope.isAdmin) return { sql: "1 = 1", binds: [] };
		if (scope.tenantId === null) return { sql: "0 = 1", binds: [] };
		return { sql: "(o.buyer_tenant_id = ? OR o.seller_tenant_id = ?)", binds: [scope.tenantId, scope.tenantId] };
	}

	return {
		/** Registers a thread the caller opens as the buyer. */
		insert(offer: Omit<OfferRecord, "buyer_tenant_id">): D1PreparedStatement {
			if (scope.tenantId === null || scope.isAdmin) throw new Error("only a buyer opens an offer thread");
			return db
				.prepare(
					"INSERT INTO offers (id, listing_id, buyer_tenant_id, seller_tenant_id, created_at) VALUES (?, ?, ?, ?, ?)",
				)
				.bind(offer.id, offer.listing_id, scope.tenantId, offer.seller_tenant_id, offer.created_at);
		},

		/** A thread the caller is a party to (or any, for an admin); `null` otherwise. */
		async find(id: string): Promise<OfferRecord | null> {
			const access = party();
			return db
				.prepare(`SELECT ${COLUMNS} FROM offers o WHERE o.id = ? AND ${access.sql}`)
				.bind(id, ...access.binds)
				.first<OfferRecord>();
		},

		/** The caller's threads, newest first. */
		async list(limit: number, cursor?: Position): Promise<{ rows: OfferRecord[]; more: boolean }> {
			const access = party();
			const where = [access.sql];
			const binds: (string | number)[] = [...access.binds];
			if (cursor) {
				where.push("(o.created_at, o.id) < (?, ?)");
				binds.push(...cursor);
			}
			const { results } = await db
				.prepare(
					`SELECT ${COLUMNS} FROM offers o WHERE ${where.join(" AND ")} ORDER BY o.created_at DESC, o.id DESC LIMIT ?`,
				)
				.bind(...binds, limit + 1)
				.all<OfferRecord>();
			return { rows: results.slice(0, limit), more: results.length > limit };
		},

		/** Every thread on a listing the caller owns (or any, for an admin). */
		async forManagedListing(listingId: string): Promise<OfferRecord[]> {
			const owner = ownerPredicate(scope, "o.seller_tenant_id");
			const { results } = await db
				.prepare(`SELECT ${COLUMNS} FROM offers o WHERE o.listing_id = ? AND ${owner.sql} ORDER BY o.created_at`)
				.bind(listingId, ...owner.binds)
				.all<OfferRecord>();
			return results;
		},

		/** The consolidated timeline of a thread the caller is a party to; `null` when it may not see it. */
		async timeline(id: string) {
			const offer = await this.find(id);
			return offer ? offerTimeline(db, offer.id) : null;
		},

		/** Gives a managed `under_offer` listing back to the market; changes one row or none. */
		reopenListing(listingId: string, now: string): D1PreparedStatement {
			const owner = ownerPredicate(scope, "seller_tenant_id");
			return db
				.prepare(
					`UPDATE listings SET status = 'active', updated_at = ? WHERE id = ? AND status = 'under_offer' AND ${owner.sql}`,
				)
				.bind(now, listingId, ...owner.binds);
		},
	};
}

export type OffersData = ReturnType<typeof offersData>;
