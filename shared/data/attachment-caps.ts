/**
 * How much a listing may hold in attachments, and which cap a write would break. Pure: no I/O, so
 * the numbers and the rule are unit-tested in Node; shared/data/attachments.ts enforces them in
 * the statement that writes the row, and the handler answers with the refusal.
 */
import { UPLOAD_LIMIT_BYTES } from "../http/limits.ts";

/** How much a listing may hold. Sizes are bytes; the product's "MB" is MiB (2^20 bytes) throughout. */
export interface AttachmentCaps {
	maxFiles: number;
	maxFileBytes: number;
	maxListingBytes: number;
}

const MiB = 1024 * 1024;

/** docs/api.md (Attachments): at most 20 files, 25 MiB each (the edge's upload limit), 100 MiB in all. */
export const ATTACHMENT_CAPS: AttachmentCaps = {
	maxFiles: 20,
	maxFileBytes: UPLOAD_LIMIT_BYTES,
	maxListingBytes: 100 * MiB,
};

/** What a listing holds besides the file being written (a replacement's old version is not counted). */
export interface ListingUsage {
	files: number;
	bytes: number;
}

/** Which cap a write of `size` bytes would break. */
export type CapRefusal =
	| { cap: "file_bytes"; limit: number; size: number }
	| { cap: "files"; limit: number; files: number }
	| { cap: "listing_bytes"; limit: number; bytes: number; size: number };

/** The cap a file of `size` bytes would break next to `others`, or `null` when it fits. Pure. */
export function capRefusal(caps: AttachmentCaps, others: ListingUsage, size: number): CapRefusal | null {
	if (size > caps.maxFileBytes) return { cap: "file_bytes", limit: caps.maxFileBytes, size };
	if (others.files + 1 > caps.maxFiles) return { cap: "files", limit: caps.maxFiles, files: others.files };
	if (others.bytes + size > caps.maxListingBytes) {
		return { cap: "listing_bytes", limit: caps.maxListingBytes, bytes: others.bytes, size };
	}
	return null;
}
