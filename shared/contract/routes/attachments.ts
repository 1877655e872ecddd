/**
 * The attachments routes' contract (see ../policy.ts): a listing's files, stored in R2. The owner
 * writes; the owner, admins and approved buyers read (object-level rules the handler in
 * workers/user/attachments enforces, answering 404 to anyone else).
 *
 * An upload's body is the raw file, of one of five media types, declared here as binary content
 * of each: the library validates only JSON and form bodies, so it leaves these bytes (and the 415
 * for any other type, with its own detail) to the handler, which sniffs, hashes and counts them.
 */
import { z } from "@hono/zod-openapi";
import { type ContractRoute, defineRoute, sellerOnly, signedIn } from "../policy.ts";
import { json, listingId, problems, signedInSecurity, timestamp } from "../schemas.ts";

/** The media types a listing's file may have. */
export const attachmentTypes = [
	"application/pdf",
	"image/png",
	"image/jpeg",
	"text/csv",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
] as const;
export type AttachmentType = (typeof attachmentTypes)[number];

/**
 * ASCII letters, digits, `.`, `_`, `-`; starts with a letter or digit; no `..`; one of the
 * allowed extensions. Hono decodes path parameters, so `%2F` arrives as `/` and fails.
 */
export const attachmentName = z
	.string()
	.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "must be 1–100 of A–Z a–z 0–9 . _ - and start with a letter or digit")
	.refine((name) => !name.includes(".."), "must not contain ..")
	.refine((name) => /\.(?:pdf|png|jpe?g|csv|xlsx)$/i.test(name), "must end in .pdf, .png, .jpg, .jpeg, .csv or .xlsx")
	.openapi({ example: "pitch-deck.pdf" });

/** A file's bytes, as sent or served. */
const fileBytes = z.string().openapi({ format: "binary" });

/** The same binary schema under each allowed media type. */
const everyType = Object.fromEntries(attachmentTypes.map((type) => [type, { schema: fileBytes }])) as {
	[T in AttachmentType]: { schema: typeof fileBytes };
};

/** A stored file as the API shows it; the R2 key and the seller stay inside. */
export const attachmentView = z
	.object({
		name: z.string(),
		content_type: z.enum(attachmentTypes),
		size_bytes: z.number().int().nonnegative(),
		sha256: z.string().regex(/^[0-9a-f]{64}$/),
		created_at: timestamp,
		updated_at: timestamp,
	})
	.strict()
	.openapi("Attachment");

export type AttachmentView = z.output<typeof attachmentView>;

/** A listing's files by name: all of them (at most 20), so no cursor. */
export const attachmentList = z
	.object({ items: z.array(attachmentView) })
	.strict()
	.openapi("AttachmentList");

const listParams = z.object({ id: listingId }).strict();
const fileParams = z.object({ id: listingId, name: attachmentName }).strict();

const location = z.object({
	Location: z
		.string()
		.openapi({ description: "The file's path", example: "/api/v1/listings/lst_…/attachments/deck.pdf" }),
});

const tags = ["Attachments"];

export const attachmentsRoutes = {
	listAttachments: defineRoute({
		method: "get",
		path: "/api/v1/listings/{id}/attachments",
		operationId: "listAttachments",
		tags,
		summary: "A listing's files",
		description: "The owner, admins and approved buyers (others 404).",
		security: signedInSecurity,
		request: { params: listParams },
		responses: {
			200: json(attachmentList, "The listing's files, by name"),
			...problems(400, 401, 403, 404, 429, 502),
		},
		"x-policy": {
			allow: signedIn,
			bucket: "caller",
			body: "none",
			credentials: "accepted",
			servedBy: "user",
			note: "owner, admin, approved buyers; ours",
		},
	}),
	putAttachment: defineRoute({
		method: "put",
		path: "/api/v1/listings/{id}/attachments/{name}",
		operationId: "putAttachment",
		tags,
		summary: "Upload a file, or replace the one under this name",
		description:
			"The body is the raw file, at most 25 MiB, of one of the declared media types, and its bytes must look like it (else 415). The name needs the type's extension (400). A listing holds at most 20 files (a 21st name is 409), 25 MiB each and 100 MiB in all (413); each refusal's `detail` names the cap and changes nothing. A replacement never loses the old file: it is served until the new one is recorded, and a failed replacement (500) leaves it intact.",
		security: signedInSecurity,
		request: { params: fileParams, body: { required: true, content: everyType } },
		responses: {
			201: { ...json(attachmentView, "The file, stored under a new name"), headers: location },
			200: { ...json(attachmentView, "The file, replaced"), headers: location },
			...problems(400, 401, 403, 404, 409, 413, 415, 429, 500, 502),
		},
		"x-policy": {
			allow: sellerOnly,
			bucket: "caller",
			body: "upload",
			credentials: "accepted",
			servedBy: "user",
			note: "owner",
		},
	}),
	getAttachment: defineRoute({
		method: "get",
		path: "/api/v1/listings/{id}/attachments/{name}",
		operationId: "getAttachment",
		tags,
		summary: "Download a file",
		description:
			"The owner, admins and approved buyers (others 404); the file as a download (`Content-Disposition: attachment`, `nosniff`, `Cache-Control: private, no-store`, `ETag`).",
		security: signedInSecurity,
		request: { params: fileParams },
		responses: {
			200: {
				description:
					"The file's bytes as its stored type, always a download (`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`, `Cache-Control: private, no-store`); its `ETag` is its SHA-256.",
				headers: z.object({
					"Content-Disposition": z.string().openapi({ example: 'attachment; filename="pitch-deck.pdf"' }),
					ETag: z.string().openapi({ description: "The quoted SHA-256 of the bytes" }),
				}),
				content: everyType,
			},
			...problems(400, 401, 403, 404, 429, 502),
		},
		"x-policy": {
			allow: signedIn,
			bucket: "caller",
			body: "none",
			credentials: "accepted",
			servedBy: "user",
			note: "owner, admin, approved buyers",
		},
	}),
	deleteAttachment: defineRoute({
		method: "delete",
		path: "/api/v1/listings/{id}/attachments/{name}",
		operationId: "deleteAttachment",
		tags,
		summary: "Delete a file, freeing its place and bytes under the caps",
		description: "Frees its place and bytes under the caps.",
		security: signedInSecurity,
		request: { params: fileParams },
		responses: {
			204: { description: "Deleted" },
			...problems(400, 401, 403, 404, 429, 502),
		},
		"x-policy": {
			allow: sellerOnly,
			bucket: "caller",
			body: "none",
			credentials: "accepted",
			servedBy: "user",
			note: "owner; ours, not in the v1 contract",
		},
	}),
} satisfies Record<string, ContractRoute>;
