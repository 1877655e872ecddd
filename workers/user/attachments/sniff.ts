/**
 * What an attachment may be: the allowed media types, the file extensions that go with each, and
 * a check that the bytes look like the declared type. Pure functions, no I/O.
 *
 * Trade-off: sniffing checks the magic bytes (and, for CSV, the whole text). It does not parse the
 * file, so a file with a valid header and a broken body passes. That is fine for our goal: the
 * bytes are served as the declared type, always as a download with `nosniff`, so a mislabelled
 * HTML or script file cannot be smuggled in. The types themselves are the route's contract
 * (shared/contract/routes/attachments.ts).
 */
import { type AttachmentType, attachmentTypes } from "../../../shared/contract/routes/attachments.ts";

export { type AttachmentType, attachmentTypes };

const EXTENSIONS: Record<AttachmentType, readonly string[]> = {
	"application/pdf": ["pdf"],
	"image/png": ["png"],
	"image/jpeg": ["jpg", "jpeg"],
	"text/csv": ["csv"],
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ["xlsx"],
};

const TOKEN = "[A-Za-z0-9!#$&^_.+-]+";
const MEDIA_TYPE = new RegExp(`^\\s*(${TOKEN}/${TOKEN})\\s*(?:;.*)?$`, "s");

/** The allowed type a `Content-Type` header names (parameters ignored), or `null`. */
export function attachmentType(header: string | null | undefined): AttachmentType | null {
	const essence = header?.match(MEDIA_TYPE)?.[1]?.toLowerCase();
	return attachmentTypes.find((type) => type === essence) ?? null;
}

/** Whether the file name ends in an extension of `type` (case-insensitive: `Deck.PDF` is a PDF). */
export function extensionFits(name: string, type: AttachmentType): boolean {
	const dot = name.lastIndexOf(".");
	if (dot < 0) return false;
	return EXTENSIONS[type].includes(name.slice(dot + 1).toLowerCase());
}

const startsWith = (bytes: Uint8Array, magic: readonly number[]) =>
	bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);

const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
/** A ZIP local file header: an XLSX is a ZIP (Office Open XML). */
const ZIP = [0x50, 0x4b, 0x03, 0x04];

function isUtf8Text(bytes: Uint8Array): boolean {
	if (bytes.includes(0)) return false;
	try {
		new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
		return true;
	} catch {
		return false;
	}
}

/** Whether the bytes look like `type`. An empty body looks like nothing. */
export function looksLike(type: AttachmentType, bytes: Uint8Array): boolean {
	if (bytes.length === 0) return false;
	switch (type) {
		case "application/pdf":
			return startsWith(bytes, PDF);
		case "image/png":
			return startsWith(bytes, PNG);
		case "image/jpeg":
			return startsWith(bytes, JPEG);
		case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
			return startsWith(bytes, ZIP);
		case "text/csv":
			return isUtf8Text(bytes);
		default: {
			const unreachable: never = type;
			throw new Error(`unhandled attachment type ${String(unreachable)}`);
		}
	}
}
