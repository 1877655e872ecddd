/**
 * The offer registry in D1, through the tenant scope: which threads exist and who their parties
 * are (immutable once written). The live state of a thread belongs to its NegotiationRoom; this
 * layer answers "may this caller see thread X" and "which threads are mine" without asking every
 * room. Every read carries the party predicate (buyer or seller is the caller's tenant; admins
 * see all).
 *
 * `open_offers` holds the claim that keeps a buyer to one open thread per listing (migration
 * 0006): a row per (listing, buyer) naming the thread that holds it, always the caller's own.
 * Whether the named thread is still open is the room's to say, so the handler decides when a
 * claim is free; this layer only makes each change of hands atomic (a conditional write that
 * reports whether it won).
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

/** The caller's claim on a listing: which thread holds it, since when, and whether it predates the claims. */
export interface OfferClaim {
	offer_id: string;
	claimed_at: string;
	/** 1 when the pair had several threads before claims existed: any of them may be the open one. */
	legacy: number;
}

const COLUMNS = "o.id, o.listing_id, o.buyer_tenant_id, o.seller_tenant_id, o.created_at";

export function offersData(db: D1Database, scope: Scope) {
	/** `(buyer or seller is the caller)`, or everything for an admin, nothing for a guest. */
	function party(): { sql: string; binds: string[] } {
		if (scope.isAdmin) return { sql: "1 = 1", binds: [] };
		if (scope.tenantId === null) return { sql: "0 = 1", binds: [] };
		return { sql: "(o.buyer_tenant_id = ? OR o.seller_tenant_id = ?)", binds: [scope.tenantId, scope.tenantId] };
	}

	/** The buyer a claim or a new thread belongs to: the caller, never an admin or a guest. */
	function buyer(): string {
		if (scope.tenantId === null || scope.isAdmin) throw new Error("only a buyer opens an offer thread");
		return scope.tenantId;
	}

	return {
		/**
		 * Registers a thread the caller opens as the buyer, if the thread still holds the caller's
		 * claim on the listing (changes one row, or none when another offer took the claim over).
		 */
		insert(offer: Omit<OfferRecord, "buyer_tenant_id">): D1PreparedStatement {
			const tenantId = buyer();
			return db
				.prepare(
					`INSERT INTO offers (id, listing_id, buyer_tenant_id, seller_tenant_id, created_at)
					 SELECT ?, ?, ?, ?, ?
					 WHERE EXISTS (SELECT 1 FROM open_offers WHERE listing_id = ? AND buyer_tenant_id = ? AND offer_id = ?)`,
				)
				.bind(
					offer.id,
					offer.listing_id,
					tenantId,
					offer.seller_tenant_id,
					offer.created_at,
					offer.listing_id,
					tenantId,
					offer.id,
				);
		},

		/** Takes the caller's claim on a listing for `offerId`; `false` when someone holds it already. */
		async claim(listingId: string, offerId: string, now: string): Promise<boolean> {
			const result = await db
				.prepare(
					`INSERT INTO open_offers (listing_id, buyer_tenant_id, offer_id, claimed_at, legacy) VALUES (?, ?, ?, ?, 0)
					 ON CONFLICT (listing_id, buyer_tenant_id) DO NOTHING`,
				)
				.bind(listingId, buyer(), offerId, now)
				.run();
			return result.meta.changes === 1;
		},

		/** The caller's claim on a listing, or `null` when there is none. */
		async claimOf(listingId: string): Promise<OfferClaim | null> {
			if (scope.tenantId === null || scope.isAdmin) return null;
			return db
				.prepare("SELECT offer_id, claimed_at, legacy FROM open_offers WHERE listing_id = ? AND buyer_tenant_id = ?")
				.bind(listingId, scope.tenantId)
				.first<OfferClaim>();
		},

		/**
		 * Moves the caller's claim from the thread in `held` to `offerId`, only if nobody changed it
		 * since it was read; with `unregistered`, also only if that thread is still not registered
		 * (its request may yet register it). `false` when the claim moved first.
		 */
		async takeOver(
			listingId: string,
			held: OfferClaim,
			offerId: string,
			now: string,
			options: { unregistered: boolean },
		): Promise<boolean> {
			const binds = [offerId, now, listingId, buyer(), held.offer_id, held.legacy];
			const stillUnregistered = options.unregistered ? "AND NOT EXISTS (SELECT 1 FROM offers WHERE id = ?)" : "";
			if (options.unregistered) binds.push(held.offer_id);
			const result = await db
				.prepare(
					`UPDATE open_offers SET offer_id = ?, claimed_at = ?, legacy = 0
					 WHERE listing_id = ? AND buyer_tenant_id = ? AND offer_id = ? AND legacy = ? ${stillUnregistered}`,
				)
				.bind(...binds)
				.run();
			return result.meta.changes === 1;
		},

		/** Gives up the caller's claim on a listing, if `offerId` still holds it (its thread never came to be). */
		async release(listingId: string, offerId: string): Promise<void> {
			await db
				.prepare("DELETE FROM open_offers WHERE listing_id = ? AND buyer_tenant_id = ? AND offer_id = ?")
				.bind(listingId, buyer(), offerId)
				.run();
		},

		/** The caller's own threads (as the buyer) on a listing, oldest first. */
		async mineOnListing(listingId: string): Promise<OfferRecord[]> {
			if (scope.tenantId === null || scope.isAdmin) return [];
			const { results } = await db
				.prepare(
					`SELECT ${COLUMNS} FROM offers o WHERE o.listing_id = ? AND o.buyer_tenant_id = ? ORDER BY o.created_at, o.id`,
				)
				.bind(listingId, scope.tenantId)
				.all<OfferRecord>();
			return results;
		},

		/** A thread the caller is a party to (or any, for an admin); `null` otherwise. */
		async find(id: string): Promise<OfferRecord | null> {
			const access = party();
			return db
				.prepare(`SELECT ${COLUMNS} FROM offers o WHERE o.id = ? AND ${access.sql}`)
				.bind(id, ...access.binds)
				.first<OfferRecord>();
		},

		/** The caller's threads (on `listingId` only, when given), newest first. */
		async list(limit: number, cursor?: Position, listingId?: string): Promise<{ rows: OfferRecord[]; more: boolean }> {
			const access = party();
			const where = [access.sql];
			const binds: (string | number)[] = [...access.binds];
			if (listingId !== undefined) {
				where.push("o.listing_id = ?");
				binds.push(listingId);
			}
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
	};
}

export type OffersData = ReturnType<typeof offersData>;
