/**
 * Listings in D1, through the tenant scope. Public reads go through the `public_listings` view,
 * which cannot select a confidential column; every other read and every write carries the
 * owner-or-admin predicate built from the verified context, never from the request.
 *
 * Status changes have one writer, `move` (the lifecycle of ../listings/lifecycle.ts): the UPDATE
 * is guarded by the state the move was computed from, and the `listing.event` that announces it
 * is an outbox row (./outbox.ts) in the same batch, inserted only when the change happened. Tenant
 * handlers reach it through `listingsData(...).move`, which adds the owner predicate; the
 * NegotiationRoom (claim) and the payments consumer (sell) act for the platform, through
 * `platformListings(db).move`, where the expected state and the seller are the only guards.
 */
import { type ListingEventJob, listingEventJobSchema } from "../../queues/backoffice-jobs.ts";
import type { categories, listingStatuses } from "../contract/routes/listings.ts";
import { newId } from "../encoding.ts";
import type { Position } from "../http/cursor.ts";
import {
	type LifecycleRefusal,
	type ListingMove,
	type ListingState,
	apply as lifecycle,
} from "../listings/lifecycle.ts";
import { type OutboxMessage, outboxInsert } from "./outbox.ts";
import { ownerPredicate, type Scope } from "./scope.ts";

/** The contract's (shared/contract/routes/listings.ts), which validates them on the way in. */
export type Category = (typeof categories)[number];
export type ListingStatus = (typeof listingStatuses)[number];

/** Columns anyone may see; the `public_listings` view has exactly these. */
export const PUBLIC_COLUMNS = [
	"id",
	"seller_tenant_id",
	"title",
	"summary",
	"description",
	"category",
	"asking_price_cents",
	"currency",
	"tech_stack",
	"mrr_cents",
	"revenue_cents",
	"monthly_visitors",
	"age_months",
	"status",
	"created_at",
	"updated_at",
	"published_at",
] as const;

/** Columns outside the public view: the confidential envelope, the NDA, and the offer holding the listing. */
export const PRIVATE_COLUMNS = ["confidential", "nda_text", "nda_version", "claimed_by_offer_id"] as const;

const publicSelect = PUBLIC_COLUMNS.join(", ");
const fullSelect = [...PUBLIC_COLUMNS, ...PRIVATE_COLUMNS].map((column) => `l.${column}`).join(", ");

export interface PublicListingRecord {
	id: string;
	seller_tenant_id: string;
	title: string;
	summary: string;
	description: string;
	category: Category;
	asking_price_cents: number;
	currency: string;
	/** JSON array text. */
	tech_stack: string;
	mrr_cents: number | null;
	revenue_cents: number | null;
	monthly_visitors: number | null;
	age_months: number | null;
	status: ListingStatus;
	created_at: string;
	updated_at: string;
	published_at: string | null;
}

export interface ListingRecord extends PublicListingRecord {
	/** AES-GCM envelope of the confidential details, or `null` when none were given. */
	confidential: string | null;
	nda_text: string;
	nda_version: number;
	/** The accepted offer holding the listing (`under_offer`, `sold`); `null` otherwise. */
	claimed_by_offer_id: string | null;
}

/** What the caller may see of a listing it can see at all. */
export type ListingAccess = "owner" | "admin" | "approved" | "public";

export interface BrowseFilters {
	/** An FTS5 MATCH expression built by `ftsQuery`, never raw user text. */
	match?: string;
	category?: Category;
	minPrice?: number;
	maxPrice?: number;
	/** Only listings an admin has featured (`featured_at`, which no public read shows). */
	featured?: boolean;
	limit: number;
	cursor?: Position;
}

export interface MineFilters {
	status?: ListingStatus;
	limit: number;
	cursor?: Position;
}

/** Writable columns; the data layer sets id, owner, status and times itself. */
const WRITABLE = [
	"title",
	"summary",
	"description",
	"category",
	"asking_price_cents",
	"currency",
	"tech_stack",
	"mrr_cents",
	"revenue_cents",
	"monthly_visitors",
	"age_months",
	"confidential",
	"nda_text",
	"nda_version",
] as const satisfies readonly (keyof ListingRecord)[];

export type ListingFields = Pick<ListingRecord, (typeof WRITABLE)[number]>;

/**
 * Turns search text into an FTS5 expression: every word a quoted prefix term, all required. User
 * text never reaches FTS5 syntax (no operators, columns or NEAR), so no query can error or widen.
 */
export function ftsQuery(text: string): string | null {
	const words = text.normalize("NFKC").match(/[\p{L}\p{N}]+/gu) ?? [];
	if (words.length === 0) return null;
	return words
		.slice(0, 16)
		.map((word) => `"${word}"*`)
		.join(" ");
}

export function listingsData(db: D1Database, scope: Scope) {
	return {
		/** Active listings only, newest published first, public columns only. */
		async browse(filters: BrowseFilters): Promise<{ rows: PublicListingRecord[]; more: boolean }> {
			const where = ["v.status = 'active'"];
			const binds: (string | number)[] = [];
			if (filters.match !== undefined) {
				where.push(
					"v.id IN (SELECT l.id FROM listings_fts f JOIN listings l ON l.rowid = f.rowid WHERE listings_fts MATCH ?)",
				);
				binds.push(filters.match);
			}
			if (filters.category) {
				where.push("v.category = ?");
				binds.push(filters.category);
			}
			if (filters.minPrice !== undefined) {
				where.push("v.asking_price_cents >= ?");
				binds.push(filters.minPrice);
			}
			if (filters.maxPrice !== undefined) {
				where.push("v.asking_price_cents <= ?");
				binds.push(filters.maxPrice);
			}
			if (filters.featured) where.push("v.id IN (SELECT id FROM listings WHERE featured_at IS NOT NULL)");
			if (filters.cursor) {
				where.push("(v.published_at, v.id) < (?, ?)");
				binds.push(...filters.cursor);
			}
			const sql = `SELECT ${PUBLIC_COLUMNS.map((column) => `v.${column}`).join(", ")}
				FROM public_listings v
				WHERE ${where.join(" AND ")}
				ORDER BY v.published_at DESC, v.id DESC LIMIT ?`;
			const { results } = await db
				.prepare(sql)
				.bind(...binds, filters.limit + 1)
				.all<PublicListingRecord>();
			return { rows: results.slice(0, filters.limit), more: results.length > filters.limit };
		},

		/**
		 * One listing as the caller may see it, or `null` when it may not see it at all: public
		 * statuses for everyone; drafts and archived only for the owner and admins. A guest reads
		 * through the public view; a signed-in caller's row carries the private columns, and its
		 * `access` says which of them the caller may receive.
		 */
		async find(id: string): Promise<{ listing: PublicListingRecord | ListingRecord; access: ListingAccess } | null> {
			if (scope.tenantId === null && !scope.isAdmin) {
				const row = await db
					.prepare(`SELECT ${publicSelect} FROM public_listings WHERE id = ?`)
					.bind(id)
					.first<PublicListingRecord>();
				return row ? { listing: row, access: "public" } : null;
			}
			const row = await db
				.prepare(
					`SELECT ${fullSelect},
					   EXISTS (SELECT 1 FROM access_requests a
					           WHERE a.listing_id = l.id AND a.buyer_tenant_id = ?1 AND a.status = 'approved') AS approved
					 FROM listings l WHERE l.id = ?2`,
				)
				.bind(scope.tenantId ?? "", id)
				.first<ListingRecord & { approved: number }>();
			if (!row) return null;
			const { approved, ...listing } = row;
			if (scope.isAdmin) return { listing, access: "admin" };
			if (listing.seller_tenant_id === scope.tenantId) return { listing, access: "owner" };
			if (listing.status === "draft" || listing.status === "archived") return null;
			return { listing, access: approved ? "approved" : "public" };
		},

		/** A listing the caller owns (or any, for an admin), with every column; `null` otherwise. */
		async managed(id: string): Promise<ListingRecord | null> {
			const owner = ownerPredicate(scope, "l.seller_tenant_id");
			return db
				.prepare(`SELECT ${fullSelect} FROM listings l WHERE l.id = ? AND ${owner.sql}`)
				.bind(id, ...owner.binds)
				.first<ListingRecord>();
		},

		/** The caller's own listings in every status, newest created first. */
		async mine(filters: MineFilters): Promise<{ rows: ListingRecord[]; more: boolean }> {
			if (scope.tenantId === null) return { rows: [], more: false };
			const where = ["l.seller_tenant_id = ?"];
			const binds: (string | number)[] = [scope.tenantId];
			if (filters.status) {
				where.push("l.status = ?");
				binds.push(filters.status);
			}
			if (filters.cursor) {
				where.push("(l.created_at, l.id) < (?, ?)");
				binds.push(...filters.cursor);
			}
			const { results } = await db
				.prepare(
					`SELECT ${fullSelect} FROM listings l WHERE ${where.join(" AND ")}
					 ORDER BY l.created_at DESC, l.id DESC LIMIT ?`,
				)
				.bind(...binds, filters.limit + 1)
				.all<ListingRecord>();
			return { rows: results.slice(0, filters.limit), more: results.length > filters.limit };
		},

		/** Inserts a draft owned by the caller's tenant. */
		insert(id: string, fields: ListingFields, now: string): D1PreparedStatement {
			if (scope.tenantId === null) throw new Error("a guest cannot own a listing");
			const columns = ["id", "seller_tenant_id", ...WRITABLE, "status", "created_at", "updated_at"];
			const values = [id, scope.tenantId, ...WRITABLE.map((column) => fields[column]), "draft", now, now];
			return db
				.prepare(`INSERT INTO listings (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)
				.bind(...values);
		},

		/**
		 * Updates the given columns of a listing the caller manages, only while its status is one of
		 * `statuses` and its `updated_at` is still `expectedUpdatedAt` (so a concurrent edit is not
		 * overwritten). Changes exactly one row or none.
		 */
		update(
			id: string,
			fields: Partial<ListingFields>,
			guard: { statuses: readonly ListingStatus[]; expectedUpdatedAt: string },
			now: string,
		): D1PreparedStatement {
			const owner = ownerPredicate(scope, "seller_tenant_id");
			const columns = WRITABLE.filter((column) => fields[column] !== undefined);
			const sets = [...columns.map((column) => `${column} = ?`), "updated_at = ?"];
			return db
				.prepare(
					`UPDATE listings SET ${sets.join(", ")}
					 WHERE id = ? AND ${owner.sql} AND updated_at = ?
					   AND status IN (${guard.statuses.map(() => "?").join(", ")})`,
				)
				.bind(
					...columns.map((column) => fields[column] ?? null),
					now,
					id,
					...owner.binds,
					guard.expectedUpdatedAt,
					...guard.statuses,
				);
		},

		/**
		 * The statements that move a listing the caller manages, from the state it was read in (see
		 * `moveListing`), announced as by `actorTenantId`; or the lifecycle's refusal.
		 */
		move(listing: MoveTarget, move: ListingMove, now: number, actorTenantId: string | null) {
			return moveListing(db, ownerPredicate(scope, "seller_tenant_id"), listing, move, now, actorTenantId);
		},
	};
}

export type ListingsData = ReturnType<typeof listingsData>;

/**
 * Listing moves made for the platform rather than a tenant: the NegotiationRoom's claim when an
 * offer is accepted, the payments consumer's sale. No owner predicate (the buyer's acceptance
 * moves the seller's listing); the expected state and the seller named in the event guard it.
 */
export function platformListings(db: D1Database) {
	return {
		move(listing: MoveTarget, move: ListingMove, now: number, actorTenantId: string | null) {
			return moveListing(db, { sql: "1 = 1", binds: [] }, listing, move, now, actorTenantId);
		},
	};
}

/** What a move needs of a listing: its owner, and the state the move is computed from and guarded by. */
export interface MoveTarget extends ListingState {
	id: string;
	seller_tenant_id: string;
}

export type ListingEventMessage = OutboxMessage & { queue: "backoffice-jobs"; body: ListingEventJob };

export interface ListingChange {
	ok: true;
	/**
	 * The guarded UPDATE, then the outbox row of its event, inserted only if the UPDATE changed the
	 * row. Run them in one batch, in this order (the UPDATE's result says whether the move won).
	 */
	statements: [D1PreparedStatement, D1PreparedStatement];
	message: ListingEventMessage;
	state: ListingState;
}

/** A `listing.event` for the outbox, checked against the queue's schema before it is written. */
export function listingEventMessage(
	type: ListingEventJob["type"],
	listing: { id: string; seller_tenant_id: string },
	now: number,
	actorTenantId: string | null,
	names: { offer_id?: string; payment_id?: string } = {},
): ListingEventMessage {
	const id = newId("evt");
	const body = listingEventJobSchema.parse({
		id,
		kind: "listing.event",
		type,
		occurred_at: new Date(now).toISOString(),
		listing_id: listing.id,
		seller_tenant_id: listing.seller_tenant_id,
		actor_tenant_id: actorTenantId,
		...names,
	} satisfies ListingEventJob);
	return { id, queue: "backoffice-jobs", body };
}

/**
 * The one writer of a listing's status. The UPDATE matches only while the listing still is in the
 * state `listing` says (status and claiming offer) and belongs to its seller, so of concurrent
 * moves computed from the same state exactly one changes the row; the event's outbox row follows
 * it only then. Publishing stamps `published_at` the first time.
 */
function moveListing(
	db: D1Database,
	owner: { sql: string; binds: (string | number)[] },
	listing: MoveTarget,
	move: ListingMove,
	now: number,
	actorTenantId: string | null,
): ListingChange | LifecycleRefusal {
	const outcome = lifecycle(listing, move);
	if (!outcome.ok) return outcome;
	const at = new Date(now).toISOString();
	const names =
		move.type === "claim"
			? { offer_id: move.offer_id }
			: move.type === "sell"
				? { offer_id: move.offer_id, payment_id: move.payment_id }
				: {};
	const message = listingEventMessage(outcome.event, listing, now, actorTenantId, names);
	const published = outcome.state.status === "active" ? ", published_at = COALESCE(published_at, ?)" : "";
	const update = db
		.prepare(
			`UPDATE listings SET status = ?, claimed_by_offer_id = ?, updated_at = ?${published}
			 WHERE id = ? AND seller_tenant_id = ? AND status = ? AND claimed_by_offer_id IS ? AND ${owner.sql}`,
		)
		.bind(
			outcome.state.status,
			outcome.state.claimed_by_offer_id,
			at,
			...(published ? [at] : []),
			listing.id,
			listing.seller_tenant_id,
			listing.status,
			listing.claimed_by_offer_id,
			...owner.binds,
		);
	return {
		ok: true,
		statements: [update, outboxInsert(db, message, now, { afterChange: true })],
		message,
		state: outcome.state,
	};
}
