/**
 * Entity tags and `If-None-Match` (RFC 9110 §8.8.3, §13.1.2), pure and runtime-free.
 *
 * A tag is strong: the SHA-256 of the exact body bytes, base64url, quoted. Equal bytes give equal
 * tags on every isolate and every deploy, with nothing to store and nothing to invalidate; the
 * price is hashing the body on every tagged response (microseconds for a listing page).
 *
 * `If-None-Match` compares weakly, as §13.1.2 requires: `W/"x"` matches `"x"`. That matters in
 * production, where Cloudflare weakens a strong ETag when it compresses the body, so browsers
 * send back `W/"…"`. A field that does not parse matches nothing: answering 200 instead of 304 is
 * always correct, the reverse never is.
 */
import { toBase64Url } from "../encoding.ts";

/** `"<base64url SHA-256 of bytes>"`. */
export async function strongEtag(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
	return `"${toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))}"`;
}

/** One `entity-tag` at the sticky index: optional `W/`, then `"` etagc* `"` (etagc excludes `"`, space, controls). */
const ENTITY_TAG = /(?:W\/)?"([\x21\x23-\x7E\x80-\xFF]*)"/y;

/**
 * The opaque tags of an `If-None-Match` field (`*` / #entity-tag), or `null` if it does not
 * parse. List rules of §5.6.1: members separated by commas with optional whitespace, empty
 * members ignored. A comma inside a quoted tag is part of the tag.
 */
export function parseIfNoneMatch(field: string): "*" | string[] | null {
	const value = field.trim();
	if (value === "*") return "*";
	const tags: string[] = [];
	let i = 0;
	while (i < value.length) {
		const char = value[i];
		if (char === "," || char === " " || char === "\t") {
			i++;
			continue;
		}
		ENTITY_TAG.lastIndex = i;
		const match = ENTITY_TAG.exec(value);
		if (!match) return null;
		tags.push(match[1] ?? "");
		i = ENTITY_TAG.lastIndex;
		while (value[i] === " " || value[i] === "\t") i++;
		if (i < value.length && value[i] !== ",") return null;
	}
	return tags.length > 0 ? tags : null;
}

/**
 * Whether `If-None-Match` fails for a current representation tagged `etag`, i.e. the answer to
 * a GET or HEAD is 304. Call it only for a response that would otherwise be 2xx (§13.2.1).
 */
export function ifNoneMatchHits(field: string | null | undefined, etag: string): boolean {
	if (field === null || field === undefined) return false;
	const tags = parseIfNoneMatch(field);
	if (tags === null) return false;
	if (tags === "*") return true;
	const opaque = etag.replace(/^W\//, "").slice(1, -1);
	return tags.includes(opaque);
}
