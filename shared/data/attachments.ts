/**
 * Attachment rows in D1, through the tenant scope, and the per-listing caps they obey. The bytes
 * live in R2 under the key each row names; the handler moves the bytes, this module keeps the rows.
 *
 * Every query carries its own access predicate, so a handler that forgot to check the listing
 * first still could not read or write another tenant's files:
 * - reads: the owner, an admin, or a buyer with an approved access request on a publicly visible
 *   listing (the same rule as `listings.find`);
 * - writes: the owner only. Admins may read every file but never write one: an upload is the
 *   seller's own statement about its business, and the route table admits only sellers anyway.
 *
 * Keys: every upload gets a fresh key, `tenants/<seller>/listings/<listing>/<version>/<name>`
 * (`version` is random), so a replacement never overwrites the bytes the row still names. Rows
 * written before that scheme name `tenants/<seller>/listings/<listing>/<name>` (the demo data
 * still does); readers follow `r2_key` whatever its shape, so both keep working.
 *
 * Caps: the count and total-size caps are checked inside the statement that writes the row, so
 * concurrent uploads are serialised by D1 and can never exceed them together.
 */
import { newId } from "../encoding.ts";
import { type AttachmentCaps, type CapRefusal, capRefusal } from "./attachment-caps.ts";
import type { Scope } from "./scope.ts";

export { ATTACHMENT_CAPS, type AttachmentCaps, type CapRefusal, capRefusal } from "./attachment-caps.ts";

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

export type UpsertOutcome =
	| { status: "written"; record: AttachmentRecord; created: boolean; replacedKey: string | null }
	/** Not the caller's listing, or it no longer takes files (archived or sold). */
	| { status: "closed" }
	| { status: "over_cap"; refusal: CapRefusal };

export type WriteRefusal = Exclude<UpsertOutcome, { status: "written" }>;

/** Listing statuses an approved buyer may see (drafts and archived listings are the owner's). */
const BUYER_VISIBLE = "('active', 'under_offer', 'sold')";
/** Listing statuses that take no new files. */
const CLOSED = ["archived", "sold"];
const CLOSED_SQL = `(${CLOSED.map((status) => `'${status}'`).join(", ")})`;

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

interface ListingState {
	listing_status: string;
	old_key: string | null;
	other_files: number;
	other_bytes: number;
}

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

	const prefixOf = (tenantId: string, listingId: string) => `tenants/${tenantId}/listings/${listingId}/`;

	/** The caller's own listing as a write sees it: its status, the name's current key, and the other files. */
	const stateOf = (tenantId: string, listingId: string, name: string) =>
		db
			.prepare(
				`SELECT l.status AS listing_status,
				        (SELECT o.r2_key FROM attachments o WHERE o.listing_id = l.id AND o.name = ?2) AS old_key,
				        (SELECT COUNT(*) FROM attachments o WHERE o.listing_id = l.id AND o.name <> ?2) AS other_files,
				        (SELECT COALESCE(SUM(o.size_bytes), 0) FROM attachments o
				         WHERE o.listing_id = l.id AND o.name <> ?2) AS other_bytes
				 FROM listings l WHERE l.id = ?1 AND l.seller_tenant_id = ?3`,
			)
			.bind(listingId, name, tenantId);

	/** Why a write against `state` was (or would be) refused, or `null` when it fits. */
	function refusalFor(state: ListingState | null, size: number, caps: AttachmentCaps): WriteRefusal | null {
		if (!state || CLOSED.includes(state.listing_status)) return { status: "closed" };
		const refusal = capRefusal(caps, { files: state.other_files, bytes: state.other_bytes }, size);
		return refusal ? { status: "over_cap", refusal } : null;
	}

	return {
		/**
		 * A fresh R2 key for a new version of a file of the caller's own listing, namespaced by
		 * tenant, then listing; `null` when the caller may write no file.
		 */
		newKey(listingId: string, name: string): string | null {
			return writer === null ? null : `${prefixOf(writer, listingId)}${newId("v")}/${name}`;
		},

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
		 * Whether a file of `size` bytes named `name` would fit the caller's own listing now: a
		 * cheap early answer before the bytes go to R2. Only `upsert` decides.
		 */
		async precheck(listingId: string, name: string, size: number, caps: AttachmentCaps): Promise<WriteRefusal | null> {
			if (writer === null) return { status: "closed" };
			return refusalFor(await stateOf(writer, listingId, name).first<ListingState>(), size, caps);
		},

		/**
		 * Points the row for `name` of the caller's own listing at `key` (from `newKey`, already
		 * stored), inserting it if new, only while the listing takes files and the write fits
		 * `caps`. The state read and the write run in one batch (one transaction), so `created` and
		 * `replacedKey` (the key the row named before, for the caller to delete) are exact, and two
		 * concurrent writes cannot pass the caps together.
		 */
		async upsert(
			listingId: string,
			name: string,
			key: string,
			file: AttachmentFile,
			now: string,
			caps: AttachmentCaps,
		): Promise<UpsertOutcome> {
			if (writer === null) return { status: "closed" };
			if (!key.startsWith(prefixOf(writer, listingId)) || !key.endsWith(`/${name}`)) {
				throw new Error(`attachment key ${key} is not one of ${listingId}/${name}`);
			}
			const [state, written] = await db.batch<Record<string, unknown>>([
				stateOf(writer, listingId, name),
				db
					.prepare(
						`INSERT INTO attachments AS a (listing_id, name, seller_tenant_id, r2_key, content_type, size_bytes, sha256,
						                               created_at, updated_at)
						 SELECT l.id, ?2, l.seller_tenant_id, ?4, ?5, ?6, ?7, ?8, ?8
						 FROM listings l
						 WHERE l.id = ?1 AND l.seller_tenant_id = ?3 AND l.status NOT IN ${CLOSED_SQL}
						   AND ?6 <= ?9
						   AND (SELECT COUNT(*) FROM attachments o WHERE o.listing_id = l.id AND o.name <> ?2) < ?10
						   AND (SELECT COALESCE(SUM(o.size_bytes), 0) FROM attachments o
						        WHERE o.listing_id = l.id AND o.name <> ?2) + ?6 <= ?11
						 ON CONFLICT (listing_id, name) DO UPDATE SET
						   r2_key = excluded.r2_key, content_type = excluded.content_type, size_bytes = excluded.size_bytes,
						   sha256 = excluded.sha256, updated_at = excluded.updated_at
						 WHERE a.seller_tenant_id = excluded.seller_tenant_id
						 RETURNING ${COLUMNS.join(", ")}`,
					)
					.bind(
						listingId,
						name,
						writer,
						key,
						file.content_type,
						file.size_bytes,
						file.sha256,
						now,
						caps.maxFileBytes,
						caps.maxFiles,
						caps.maxListingBytes,
					),
			]);
			const before = (state?.results[0] as ListingState | undefined) ?? null;
			const record = written?.results[0] as AttachmentRecord | undefined;
			if (!record) return refusalFor(before, file.size_bytes, caps) ?? { status: "closed" };
			const oldKey = before?.old_key ?? null;
			return { status: "written", record, created: oldKey === null, replacedKey: oldKey === key ? null : oldKey };
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
