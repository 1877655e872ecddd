/**
 * Access requests (the NDA flow) in D1, through the tenant scope. A buyer-side tenant asks to see
 * one listing's confidential details; the listing's seller decides. Every read and write carries
 * a predicate built from the verified scope: the buyer side reaches only rows it asked for, the
 * seller side only rows for its own listings (admins every row, via `ownerPredicate`).
 *
 * The listing's owner, status and NDA version are read from the listing row inside the INSERT
 * itself, so a request can never name another seller or slip in while the listing changes; the
 * handler's earlier read of the listing only chooses the error to answer with.
 */
import type { AccessRequestStatus } from "../contract/routes/access-requests.ts";
import type { Position } from "../http/cursor.ts";
import type { ListingStatus } from "./listings.ts";
import { ownerPredicate, type Scope } from "./scope.ts";

export type { AccessRequestStatus };

export interface AccessRequestRecord {
	id: string;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	buyer_user_id: string;
	status: AccessRequestStatus;
	/** `''` when the buyer sent none. */
	message: string;
	nda_version: number;
	nda_accepted_at: string;
	decided_at: string | null;
	created_at: string;
	updated_at: string;
}

/** What a buyer needs to know about a listing before asking for access to it. */
export interface RequestTarget {
	id: string;
	seller_tenant_id: string;
	status: ListingStatus;
	nda_version: number;
}

export interface AccessRequestFilters {
	status?: AccessRequestStatus;
	listingId?: string;
	limit: number;
	cursor?: Position;
}

export interface NewAccessRequest {
	id: string;
	listingId: string;
	ndaVersion: number;
	message: string;
}

const COLUMNS = [
	"id",
	"listing_id",
	"buyer_tenant_id",
	"seller_tenant_id",
	"buyer_user_id",
	"status",
	"message",
	"nda_version",
	"nda_accepted_at",
	"decided_at",
	"created_at",
	"updated_at",
] as const;
const select = COLUMNS.join(", ");

/** Whose requests the caller lists: sellers the ones for their listings, the buyer side its own. */
function partyPredicate(scope: Scope): { sql: string; binds: string[] } {
	if (scope.isAdmin) return { sql: "1 = 1", binds: [] };
	if (scope.tenantId === null) return { sql: "0 = 1", binds: [] };
	if (scope.role === "seller") return { sql: "seller_tenant_id = ?", binds: [scope.tenantId] };
	if (scope.role === "buyer" || scope.role === "investor") {
		return { sql: "buyer_tenant_id = ?", binds: [scope.tenantId] };
	}
	return { sql: "0 = 1", binds: [] };
}

export function accessRequestsData(db: D1Database, scope: Scope) {
	const seller = ownerPredicate(scope, "seller_tenant_id");

	return {
		/**
		 * The listing a buyer asks about, if the caller may see it at all: publicly visible statuses
		 * for everyone, drafts and archived only for their owner (and admins). `null` otherwise.
		 */
		async target(listingId: string): Promise<RequestTarget | null> {
			const owner = ownerPredicate(scope, "seller_tenant_id");
			return db
				.prepare(
					`SELECT id, seller_tenant_id, status, nda_version FROM listings
					 WHERE id = ? AND (status IN ('active', 'under_offer', 'sold') OR ${owner.sql})`,
				)
				.bind(listingId, ...owner.binds)
				.first<RequestTarget>();
		},

		/**
		 * Inserts a pending request by the caller's tenant and user, if the listing is still active,
		 * not the caller's own and on NDA version `request.ndaVersion`; the seller comes from the
		 * listing row. Does nothing when the tenant already has a request for the listing (or the
		 * listing moved on); read the outcome back with `mine`.
		 */
		create(request: NewAccessRequest, now: string): D1PreparedStatement {
			if (scope.tenantId === null || scope.userId === null) throw new Error("a guest cannot request access");
			return db
				.prepare(
					`INSERT INTO access_requests (id, listing_id, buyer_tenant_id, seller_tenant_id, buyer_user_id, status,
					   message, nda_version, nda_accepted_at, decided_at, created_at, updated_at)
					 SELECT ?1, l.id, ?2, l.seller_tenant_id, ?3, 'pending', ?4, l.nda_version, ?5, NULL, ?5, ?5
					 FROM listings l
					 WHERE l.id = ?6 AND l.status = 'active' AND l.nda_version = ?7 AND l.seller_tenant_id <> ?2
					 ON CONFLICT (listing_id, buyer_tenant_id) DO NOTHING`,
				)
				.bind(request.id, scope.tenantId, scope.userId, request.message, now, request.listingId, request.ndaVersion);
		},

		/** The caller's own tenant's request for a listing; `null` when it has none. */
		async mine(listingId: string): Promise<AccessRequestRecord | null> {
			if (scope.tenantId === null) return null;
			return db
				.prepare(`SELECT ${select} FROM access_requests WHERE listing_id = ? AND buyer_tenant_id = ?`)
				.bind(listingId, scope.tenantId)
				.first<AccessRequestRecord>();
		},

		/** A request for one of the caller's listings (any, for an admin); `null` otherwise. */
		async managed(id: string): Promise<AccessRequestRecord | null> {
			return db
				.prepare(`SELECT ${select} FROM access_requests WHERE id = ? AND ${seller.sql}`)
				.bind(id, ...seller.binds)
				.first<AccessRequestRecord>();
		},

		/**
		 * Moves a managed request from `from` to `to` and stamps `decided_at`; changes exactly one
		 * row or none (when a concurrent decision got there first).
		 */
		decide(id: string, from: AccessRequestStatus, to: AccessRequestStatus, now: string): D1PreparedStatement {
			return db
				.prepare(
					`UPDATE access_requests SET status = ?, decided_at = ?, updated_at = ?
					 WHERE id = ? AND status = ? AND ${seller.sql}`,
				)
				.bind(to, now, now, id, from, ...seller.binds);
		},

		/** Requests the caller is a party to (all, for an admin), newest first. */
		async list(filters: AccessRequestFilters): Promise<{ rows: AccessRequestRecord[]; more: boolean }> {
			const party = partyPredicate(scope);
			const where = [party.sql];
			const binds: (string | number)[] = [...party.binds];
			if (filters.status) {
				where.push("status = ?");
				binds.push(filters.status);
			}
			if (filters.listingId) {
				where.push("listing_id = ?");
				binds.push(filters.listingId);
			}
			if (filters.cursor) {
				where.push("(created_at, id) < (?, ?)");
				binds.push(...filters.cursor);
			}
			const { results } = await db
				.prepare(
					`SELECT ${select} FROM access_requests WHERE ${where.join(" AND ")}
					 ORDER BY created_at DESC, id DESC LIMIT ?`,
				)
				.bind(...binds, filters.limit + 1)
				.all<AccessRequestRecord>();
			return { rows: results.slice(0, filters.limit), more: results.length > filters.limit };
		},
	};
}

export type AccessRequestsData = ReturnType<typeof accessRequestsData>;
