/**
 * Listing attachments: files in R2 (`c.env.ATTACHMENTS`), one D1 row each (through `c.var.data`).
 * Mounted at `/api/v1/listings/:id/attachments`.
 *
 * The owner writes; the owner, admins and approved buyers read; everyone else gets the same 404
 * as for a listing or file that does not exist. Uploads are the raw file as the body, at most
 * 25 MiB, of one of five types, and the bytes must look like the declared type.
 *
 * Trade-offs: an upload is buffered in memory (at most 25 MiB) because it is sniffed, hashed and
 * counted before anything is stored. The R2 key is fixed per (tenant, listing, name), so a
 * replacement overwrites the old bytes before the row changes; if the row then cannot be written,
 * the object is deleted and the failure logged, and the stale row answers 404 (logged) until the
 * file is uploaded again. R2 first, D1 second means no row ever points at bytes that were never
 * stored; a crash between the two leaves at worst an invisible object, never a visible broken file.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AttachmentRecord } from "../../../shared/data/attachments.ts";
import type { TenantData } from "../../../shared/data/index.ts";
import type { ListingAccess } from "../../../shared/data/listings.ts";
import { toHex } from "../../../shared/encoding.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { readParams } from "../../../shared/http/validate.ts";
import type { UserHono } from "../types.ts";
import { attachmentType, extensionFits, looksLike, MAX_ATTACHMENT_BYTES } from "./sniff.ts";

const listingId = z.string().regex(/^lst_[0-9a-f]{32}$/, "must be a listing id");

/**
 * ASCII letters, digits, `.`, `_`, `-`; starts with a letter or digit; no `..`; one of the
 * allowed extensions. Hono decodes path parameters, so `%2F` arrives here as `/` and fails.
 */
const attachmentName = z
	.string()
	.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "must be 1–100 of A–Z a–z 0–9 . _ - and start with a letter or digit")
	.refine((name) => !name.includes(".."), "must not contain ..")
	.refine((name) => /\.(?:pdf|png|jpe?g|csv|xlsx)$/i.test(name), "must end in .pdf, .png, .jpg, .jpeg, .csv or .xlsx");

const listParams = z.object({ id: listingId }).strict();
const fileParams = z.object({ id: listingId, name: attachmentName }).strict();

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

function view(record: AttachmentRecord) {
	return {
		name: record.name,
		content_type: record.content_type,
		size_bytes: record.size_bytes,
		sha256: record.sha256,
		created_at: record.created_at,
		updated_at: record.updated_at,
	};
}

const tooLarge = () => new HttpProblem({ reason: "payload_too_large", limitBytes: MAX_ATTACHMENT_BYTES });

/** Reads the whole body, counting as it goes: a body without (or lying about) its length cannot exceed the limit. */
async function readBody(body: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
	if (!body) return new Uint8Array();
	const reader = body.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.byteLength;
		if (total > MAX_ATTACHMENT_BYTES) {
			await reader.cancel().catch(() => {});
			throw tooLarge();
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

async function discard(bucket: R2Bucket, key: string, why: string, cause?: unknown) {
	try {
		await bucket.delete(key);
		console.error(`attachment object deleted: ${why}`, key, cause);
	} catch (deleteCause) {
		console.error(`attachment object left orphaned (invisible): ${why}`, key, cause, deleteCause);
	}
}

export const attachments = new Hono<UserHono>()
	.get("/", async (c) => {
		const { id } = readParams(c, listParams);
		await readableListing(c.var.data, id);
		const rows = await c.var.data.attachments.list(id);
		return c.json({ items: rows.map(view) });
	})
	.put("/:name", async (c) => {
		const { id, name } = readParams(c, fileParams);
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
		const declared = c.req.header("Content-Length");
		if (declared !== undefined && Number(declared) > MAX_ATTACHMENT_BYTES) throw tooLarge();

		const listing = await ownListing(c.var.data, id);
		if (listing.status === "archived" || listing.status === "sold") {
			throw new HttpProblem({ reason: "conflict", detail: `The listing is ${listing.status}; it takes no new files.` });
		}

		const bytes = await readBody(c.req.raw.body);
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

		const key = c.var.data.attachments.keyFor(id, name);
		if (key === null) throw notFound();
		await c.env.ATTACHMENTS.put(key, bytes, {
			httpMetadata: { contentType },
			customMetadata: { listing_id: id, name },
			sha256,
		});

		let written: Awaited<ReturnType<TenantData["attachments"]["upsert"]>>;
		try {
			written = await c.var.data.attachments.upsert(
				id,
				name,
				{ content_type: contentType, size_bytes: bytes.byteLength, sha256 },
				new Date().toISOString(),
			);
		} catch (cause) {
			await discard(c.env.ATTACHMENTS, key, "the row write failed", cause);
			throw new Error("attachment row write failed", { cause });
		}
		if (!written) {
			// The listing was archived, sold or changed hands between the check and the write.
			await discard(c.env.ATTACHMENTS, key, "the listing stopped taking files during the upload");
			throw new HttpProblem({ reason: "conflict", detail: "The listing takes no new files." });
		}
		c.header("Location", `/api/v1/listings/${id}/attachments/${name}`);
		return c.json(view(written.record), written.created ? 201 : 200);
	})
	.get("/:name", async (c) => {
		const { id, name } = readParams(c, fileParams);
		await readableListing(c.var.data, id);
		const row = await c.var.data.attachments.find(id, name);
		if (!row) throw notFound();
		const object = await c.env.ATTACHMENTS.get(row.r2_key);
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
	.delete("/:name", async (c) => {
		const { id, name } = readParams(c, fileParams);
		await ownListing(c.var.data, id);
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
