/**
 * What the upload form makes of a file the seller picked: the name it is stored under (the API
 * takes 1–100 of `A–Z a–z 0–9 . _ -`, starting with a letter or digit, ending in the type's
 * extension, so "Pitch deck (v2).PDF" becomes "Pitch-deck-v2-.pdf"), and the media type to send,
 * taken from the extension rather than from the browser's `File.type`, which differs between
 * systems (a CSV is `application/vnd.ms-excel` on some). The caps are the API's
 * (shared/data/attachment-caps.ts), repeated as plain numbers so the island ships no contract;
 * the API still enforces every one of them.
 */

const MiB = 1024 * 1024;
export const MAX_FILES = 20;
export const MAX_FILE_BYTES = 25 * MiB;
export const MAX_LISTING_BYTES = 100 * MiB;

const TYPES: Record<string, string> = {
	pdf: "application/pdf",
	png: "image/png",
	jpg: "image/jpeg",
	jpeg: "image/jpeg",
	csv: "text/csv",
	xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** For the file input's `accept`. */
export const ACCEPT = Object.keys(TYPES)
	.map((extension) => `.${extension}`)
	.join(",");

export type Picked = { ok: true; name: string; contentType: string } | { ok: false; message: string };

/** The stored name and type of `fileName` of `size` bytes, or why it cannot be uploaded. */
export function pick(fileName: string, size: number): Picked {
	const dot = fileName.lastIndexOf(".");
	const extension = dot < 0 ? "" : fileName.slice(dot + 1).toLowerCase();
	const contentType = TYPES[extension];
	if (!contentType) return { ok: false, message: "Choose a PDF, PNG, JPEG, CSV or XLSX file." };
	if (size === 0) return { ok: false, message: "That file is empty." };
	if (size > MAX_FILE_BYTES) return { ok: false, message: "A file may be at most 25 MiB." };
	const stem =
		fileName
			.slice(0, dot)
			.replace(/[^A-Za-z0-9._-]+/g, "-")
			.replace(/\.{2,}/g, ".")
			.replace(/^[^A-Za-z0-9]+/, "")
			.replace(/\.+$/, "")
			.slice(0, 100 - extension.length - 1) || "file";
	return { ok: true, name: `${stem}.${extension}`, contentType };
}
