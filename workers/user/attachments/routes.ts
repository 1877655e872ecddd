/**
 * Listing attachments: files in R2 (`c.env.ATTACHMENTS`), one D1 row each (through `c.var.data`).
 * The routes, their params and response shapes are the contract's (shared/contract/routes/
 * attachments.ts); the app is mounted at `/`.
 *
 * The owner writes; the owner, admins and approved buyers read; everyone else gets the same 404
 * as for a listing or file that does not exist. Uploads are the raw file as the body, of one of
 * five types, and the bytes must look like the declared type. A listing holds at most
 * `ATTACHMENT_CAPS` (20 files, 25 MiB each, 100 MiB in all; shared/data/attachments.ts).
 *
 * Replacing never loses a file: every upload goes to R2 under a fresh key, then one D1 statement
 * switches the row to it (checking the caps in the same statement), and only then is the old
 * object deleted. If the switch fails or is refused, the new object is deleted and the old file
 * is still served; if deleting the old object fails, it is logged and left (invisible, nothing
 * lost). A crash between the R2 put and the switch leaves at worst an invisible object under the
 * listing's prefix, never a row pointing at bytes that were never stored.
 *
 * Trade-offs: an upload is buffered in memory (at most 25 MiB) because it is sniffed, hashed and
 * counted before anything is stored. Before the bytes go to R2 the caps are checked once cheaply,
 * so a request that is plainly over a cap costs no R2 write; only the statement's check decides.
 */
import { contractApp } from "../../../shared/contract/app.ts";
import { type AttachmentView, attachmentsRoutes as r } from "../../../shared/contract/routes/attachments.ts";
import {
	ATTACHMENT_CAPS,
	type AttachmentCaps,
	type AttachmentRecord,
	type CapRefusal,
	type UpsertOutcome,
	type WriteRefusal,
} from "../../../shared/data/attachments.ts";
import type { TenantData } from "../../../shared/data/index.ts";
import type { ListingAccess } from "../../../shared/data/listings.ts";
import { toHex } from "../../../shared/encoding.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import type { UserHono } from "../types.ts";
import { attachmentType, extensionFits, looksLike } from "./sniff.ts";

const READERS: readonly ListingAccess[] = ["owner", "admin", "approved"];

const notFound = () => new HttpProblem({ reason: "not_found" });

/** The listing, if the caller may read its files; otherwise the same 404 as for no listing. */
async function readableListing(data: TenantData, id: string) {
	const found = await data.listings.find(id);
	if (!found || !READERS.includes(found.access)) throw notFound();
	return found.listing;
}

/** The listing, if the caller owns it. Admins read files but do not write them (see shared/data/attachments.ts). */
async function ownListing(data: TenantData, id: string) {
	const found = await data.listings.find(id);
	if (found?.access !== "owner") throw notFound();
	return found.listing;
}

function view(record: AttachmentRecord): AttachmentView {
	return {
		name: record.name,
		// Every row was written by an upload of an allowed type (or seeded as one).
		content_type: record.content_type as AttachmentView["content_type"],
		size_bytes: record.size_bytes,
		sha256: record.sha256,
		created_at: record.created_at,
		updated_at: record.updated_at,
	};
}

const MiB = 1024 * 1024;

/** `25 MiB (26214400 bytes)`, or just the bytes when the figure is not whole MiB (small test caps). */
const amount = (bytes: number) => (bytes % MiB === 0 ? `${bytes / MiB} MiB (${bytes} bytes)` : `${bytes} bytes`);

/** The problem for a broken cap; its detail names the cap. */
function overCap(refusal: CapRefusal): HttpProblem {
	switch (refusal.cap) {
		case "file_bytes":
			return new HttpProblem({
				reason: "payload_too_large",
				limitBytes: refusal.limit,
				detail: `A file may be at most ${amount(refusal.limit)}.`,
			});
		case "listing_bytes":
			return new HttpProblem({
				reason: "payload_too_large",
				limitBytes: refusal.limit,
				detail: `A listing's files may total at most ${amount(refusal.limit)}; its other files take ${refusal.bytes} bytes and this one is ${refusal.size}.`,
			});
		case "files":
			return new HttpProblem({
				reason: "conflict",
				detail: `A listing holds at most ${refusal.limit} files and this one has ${refusal.files}; delete one, or replace a file under its name.`,
			});
		default: {
			const unreachable: never = refusal;
			throw new Error(`unhandled cap ${JSON.stringify(unreachable)}`);
		}
	}
}

function refused(outcome: WriteRefusal): HttpProblem {
	if (outcome.status === "over_cap") return overCap(outcome.refusal);
	// The listing was archived, sold or changed hands between the check and the write.
	return new HttpProblem({ reason: "conflict", detail: "The listing takes no new files." });
}

/** Reads the whole body, counting as it goes: a body without (or lying about) its length cannot exceed `limit`. */
async function readBody(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
	if (!body) return new Uint8Array();
	const reader = body.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.byteLength;
		if (total > limit) {
			await reader.cancel().catch(() => {});
			throw overCap({ cap: "file_bytes", limit, size: total });
		}
		chunks.push(value);
	}
	const bytes = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return bytes;
}

/** Deletes an object no row names (any more). Never throws: a failure leaves an invisible object, which is logged. */
async function discard(bucket: R2Bucket, key: string, why: string, cause?: unknown) {
	try {
		await bucket.delete(key);
		if (cause !== undefined) console.error(`attachment object deleted: ${why}`, key, cause);
	} catch (deleteCause) {
		console.error(`attachment object left orphaned (invisible): ${why}`, key, cause, deleteCause);
	}
}

/**
 * The attachments sub-app under `caps`. Production mounts `attachments` (the real caps); tests
 * mount their own with small caps, so a cap is tested without uploading 100 MiB.
 */
export function attachmentRoutes(caps: AttachmentCaps = ATTACHMENT_CAPS) {
	return contractApp<UserHono>()
		.openapi(r.listAttachments, async (c) => {
			const { id } = c.req.valid("param");
			await readableListing(c.var.data, id);
			const rows = await c.var.data.attachments.list(id);
			return c.json({ items: rows.map(view) }, 200);
		})
		.openapi(r.putAttachment, async (c) => {
			// The body is raw bytes: the contract declares it, the handler reads it (below).
			const { id, name } = c.req.valid("param");
			const contentType = attachmentType(c.req.header("Content-Type"));
			if (!contentType) {
				throw new HttpProblem({ reason: "unsupported_media_type", detail: "Send a PDF, PNG, JPEG, CSV or XLSX file." });
			}
			if (!extensionFits(name, contentType)) {
				throw new HttpProblem({
					reason: "bad_request",
					detail: "The path is not valid.",
					errors: [{ field: "name", message: `must have an extension for ${contentType}` }],
				});
			}
			const declared = Number(c.req.header("Content-Length"));
			if (declared > caps.maxFileBytes) throw overCap({ cap: "file_bytes", limit: caps.maxFileBytes, size: declared });

			const listing = await ownListing(c.var.data, id);
			if (listing.status === "archived" || listing.status === "sold") {
				throw new HttpProblem({
					reason: "conflict",
					detail: `The listing is ${listing.status}; it takes no new files.`,
				});
			}

			const bytes = await readBody(c.req.raw.body, caps.maxFileBytes);
			if (bytes.byteLength === 0) {
				throw new HttpProblem({
					reason: "bad_request",
					detail: "The request body is empty.",
					errors: [{ field: "(body)", message: "must not be empty" }],
				});
			}
			if (!looksLike(contentType, bytes)) {
				throw new HttpProblem({ reason: "unsupported_media_type", detail: `The file is not a valid ${contentType}.` });
			}
			const sha256 = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));

			const early = await c.var.data.attachments.precheck(id, name, bytes.byteLength, caps);
			if (early) throw refused(early);

			// A fresh key per upload: the bytes the row names now stay untouched until the row moves on.
			const key = c.var.data.attachments.newKey(id, name);
			if (key === null) throw notFound();
			await c.env.ATTACHMENTS.put(key, bytes, {
				httpMetadata: { contentType },
				customMetadata: { listing_id: id, name },
				sha256,
			});

			let outcome: UpsertOutcome;
			try {
				outcome = await c.var.data.attachments.upsert(
					id,
					name,
					key,
					{ content_type: contentType, size_bytes: bytes.byteLength, sha256 },
					new Date().toISOString(),
					caps,
				);
			} catch (cause) {
				await discard(c.env.ATTACHMENTS, key, "the row write failed", cause);
				throw new Error("attachment row write failed", { cause });
			}
			if (outcome.status !== "written") {
				await discard(c.env.ATTACHMENTS, key, `the write was refused (${outcome.status})`);
				throw refused(outcome);
			}
			if (outcome.replacedKey !== null) {
				// The row names the new object now; the old one is unreachable, so a failure here loses nothing.
				await discard(c.env.ATTACHMENTS, outcome.replacedKey, "replaced by a new version");
			}
			c.header("Location", `/api/v1/listings/${id}/attachments/${name}`);
			return outcome.created ? c.json(view(outcome.record), 201) : c.json(view(outcome.record), 200);
		})
		.openapi(r.getAttachment, async (c) => {
			const { id, name } = c.req.valid("param");
			await readableListing(c.var.data, id);
			let row = await c.var.data.attachments.find(id, name);
			if (!row) throw notFound();
			let object = await c.env.ATTACHMENTS.get(row.r2_key);
			if (!object) {
				// A replacement may have switched the row and deleted this version since the row was read.
				const current = await c.var.data.attachments.find(id, name);
				if (!current) throw notFound();
				if (current.r2_key !== row.r2_key) {
					row = current;
					object = await c.env.ATTACHMENTS.get(row.r2_key);
				}
			}
			if (!object) {
				console.error("attachment row without its R2 object", row.listing_id, row.name, row.r2_key);
				throw notFound();
			}
			return new Response(object.body, {
				headers: {
					"Content-Type": row.content_type,
					"Content-Length": String(object.size),
					"Content-Disposition": `attachment; filename="${row.name}"`,
					"X-Content-Type-Options": "nosniff",
					"Cache-Control": "private, no-store",
					ETag: `"${row.sha256}"`,
				},
			});
		})
		.openapi(r.deleteAttachment, async (c) => {
			const { id, name } = c.req.valid("param");
			await ownListing(c.var.data, id);
			// The row names the object, whichever key scheme wrote it.
			const key = await c.var.data.attachments.remove(id, name);
			if (key === null) throw notFound();
			try {
				await c.env.ATTACHMENTS.delete(key);
			} catch (cause) {
				// The row is gone, so nobody can reach the object; an operator can sweep it.
				console.error("attachment object left orphaned (invisible) after delete", key, cause);
			}
			return c.body(null, 204);
		});
}

export const attachments = attachmentRoutes();
