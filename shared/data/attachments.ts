/**
 * Attachment rows in D1, through the tenant scope. The bytes live in R2 under the key this module
 * names (`tenants/<seller>/listings/<listing>/<name>`); the handler moves them, this module only
 * keeps the rows.
 *
 * Every query carries its own access predicate, so a handler that forgot to check the listing
 * first still could not read or write another tenant's files:
 * - reads: the owner, an admin, or a buyer with an approved access request on a publicly visible
 *   listing (the same rule as `listings.find`);
 * - writes: the owner only. Admins may read every file but never write one: an upload is the
 *   seller's own statement about its business, and the route table admits only sellers anyway.
 */
import type { Scope } from "./scope.ts";

export interface AttachmentRecord {
	listing_id: string;
	name: string;
	seller_tenant_id: string;
	r2_key: string;
	content_type: string;
	size_bytes: number;
	sha256: string;
	created_at: string;
	updated_at: string;
}

export interface AttachmentFile {
	content_type: string;
	size_bytes: number;
	sha256: string;
}

/** Listing statuses an approved buyer may see (drafts and archived listings are the owner's). */
const BUYER_VISIBLE = "('active', 'under_offer', 'sold')";
/** Listing statuses that take no new files. */
const CLOSED = "('archived', 'sold')";

const COLUMNS = [
	"listing_id",
	"name",
	"seller_tenant_id",
	"r2_key",
	"content_type",
	"size_bytes",
	"sha256",
	"created_at",
	"updated_at",
] as const satisfies readonly (keyof AttachmentRecord)[];
const select = COLUMNS.map((column) => `a.${column}`).join(", ");

export function attachmentsData(db: D1Database, scope: Scope) {
	/** `(sql, binds)` that admits the rows of `a` (joined with their listing `l`) the caller may read. */
	function readable(): { sql: string; binds: string[] } {
		if (scope.isAdmin) return { sql: "1 = 1", binds: [] };
		if (scope.tenantId === null) return { sql: "0 = 1", binds: [] };
		return {
			sql: `(a.seller_tenant_id = ? OR (l.status IN ${BUYER_VISIBLE} AND EXISTS (
			        SELECT 1 FROM access_requests r
			        WHERE r.listing_id = a.listing_id AND r.buyer_tenant_id = ? AND r.status = 'approved')))`,
			binds: [scope.tenantId, scope.tenantId],
		};
	}

	/** The tenant a write acts for (its own files only), or `null` when the caller may write no file at all. */
	const writer: string | null = scope.isAdmin ? null : scope.tenantId;

	/** The R2 key of a file of the caller's own listing: namespaced by tenant, then listing. */
	const keyFor = (listingId: string, name: string): string | null =>
		writer === null ? null : `tenants/${writer}/listings/${listingId}/${name}`;

	return {
		keyFor,

		/** The files of a listing the caller may read, ordered by name. */
		async list(listingId: string): Promise<AttachmentRecord[]> {
			const access = readable();
			const { results } = await db
				.prepare(
					`SELECT ${select} FROM attachments a JOIN listings l ON l.id = a.listing_id
					 WHERE a.listing_id = ? AND ${access.sql} ORDER BY a.name`,
				)
				.bind(listingId, ...access.binds)
				.all<AttachmentRecord>();
			return results;
		},

		/** One file the caller may read, or `null`. */
		async find(listingId: string, name: string): Promise<AttachmentRecord | null> {
			const access = readable();
			return db
				.prepare(
					`SELECT ${select} FROM attachments a JOIN listings l ON l.id = a.listing_id
					 WHERE a.listing_id = ? AND a.name = ? AND ${access.sql}`,
				)
				.bind(listingId, name, ...access.binds)
				.first<AttachmentRecord>();
		},

		/**
		 * Inserts or replaces the row for a file of the caller's own listing, only while that
		 * listing still takes files (not archived or sold). Returns the row and whether it is new,
		 * or `null` when nothing was written (not the owner, or the listing closed meanwhile). The
		 * existence check and the upsert run in one batch (one transaction), so `created` is exact.
		 */
		async upsert(
			listingId: string,
			name: string,
			file: AttachmentFile,
			now: string,
		): Promise<{ record: AttachmentRecord; created: boolean } | null> {
			const key = keyFor(listingId, name);
			if (writer === null || key === null) return null;
			const [existing, written] = await db.batch<{ n?: number } & Partial<AttachmentRecord>>([
				db
					.prepare("SELECT COUNT(*) AS n FROM attachments WHERE listing_id = ? AND name = ? AND seller_tenant_id = ?")
					.bind(listingId, name, writer),
				db
					.prepare(
						`INSERT INTO attachments AS a (listing_id, name, seller_tenant_id, r2_key, content_type, size_bytes, sha256,
						                               created_at, updated_at)
						 SELECT l.id, ?, l.seller_tenant_id, ?, ?, ?, ?, ?, ?
						 FROM listings l WHERE l.id = ? AND l.seller_tenant_id = ? AND l.status NOT IN ${CLOSED}
						 ON CONFLICT (listing_id, name) DO UPDATE SET
						   content_type = excluded.content_type, size_bytes = excluded.size_bytes,
						   sha256 = excluded.sha256, updated_at = excluded.updated_at
						 WHERE a.seller_tenant_id = excluded.seller_tenant_id AND a.r2_key = excluded.r2_key
						 RETURNING ${COLUMNS.join(", ")}`,
					)
					.bind(name, key, file.content_type, file.size_bytes, file.sha256, now, now, listingId, writer),
			]);
			const record = written?.results[0] as AttachmentRecord | undefined;
			if (!record) return null;
			return { record, created: (existing?.results[0]?.n ?? 0) === 0 };
		},

		/** Deletes the row of a file of the caller's own listing; returns its R2 key, or `null` when there was none. */
		async remove(listingId: string, name: string): Promise<string | null> {
			if (writer === null) return null;
			const row = await db
				.prepare("DELETE FROM attachments WHERE listing_id = ? AND name = ? AND seller_tenant_id = ? RETURNING r2_key")
				.bind(listingId, name, writer)
				.first<{ r2_key: string }>();
			return row?.r2_key ?? null;
		},
	};
}

export type AttachmentsData = ReturnType<typeof attachmentsData>;
