/**
 * The D1 backup's object format (docs/operations.md, Backups and restore), shared by the
 * consumers' daily backup (workers/consumers/backup/) and `npm run restore` (scripts/restore.ts).
 *
 * One NDJSON object per table: the first line is the JSON array of column names (`rowid` first
 * for a rowid table, so the FTS index over `listings` and anything else keyed by rowid comes back
 * exactly), then one JSON array per row, in rowid (or primary-key) order. Text, finite numbers and
 * NULL are plain JSON. What JSON cannot carry exactly is a one-key object, which no plain cell
 * ever is: `{"$int":"…"}` for an integer beyond ±2^53 (JSON numbers are doubles), `{"$blob":"…"}`
 * (base64) for a BLOB. The schema has no BLOB column (attachments live in R2); the marker is there
 * so a stray one is kept, not mangled. Line-based so a reader never holds more than one row's
 * parse at a time, and diffable by eye.
 */
import { toHex, utf8 } from "../encoding.ts";

export const BACKUP_FORMAT = "techflunky-d1-backup";
export const BACKUP_FORMAT_VERSION = 1;
export const BACKUP_PREFIX = "backups/";

export type Cell = string | number | null | { $int: string } | { $blob: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC calendar date of `now` as `YYYY-MM-DD`: a backup's folder. */
export function backupDate(now: Date): string {
	return now.toISOString().slice(0, 10);
}

/** The date a `YYYY-MM-DD` names, or `null` when it is not a real calendar date. */
export function parseBackupDate(text: string): Date | null {
	const match = DATE.exec(text);
	if (!match) return null;
	const date = new Date(`${text}T00:00:00.000Z`);
	return Number.isNaN(date.getTime()) || backupDate(date) !== text ? null : date;
}

export const backupKeys = {
	folder: (date: string) => `${BACKUP_PREFIX}${date}/`,
	manifest: (date: string) => `${BACKUP_PREFIX}${date}/manifest.json`,
	table: (date: string, table: string) => `${BACKUP_PREFIX}${date}/${table}.ndjson`,
};

function base64(bytes: Uint8Array): string {
	let binary = "";
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error("not base64");
	const binary = atob(text);
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

/**
 * One value as D1 hands it out (blobs arrive as arrays of bytes), as a cell. An integer that is
 * not a safe integer has already lost digits in D1's answer; the reader asks SQLite for its text
 * first (`exactInteger`) and passes that here instead.
 */
export function encodeCell(value: unknown, exactInteger?: string): Cell {
	if (exactInteger !== undefined) {
		if (!/^-?\d+$/.test(exactInteger)) throw new Error(`not an integer: ${exactInteger}`);
		return { $int: exactInteger };
	}
	if (value === null || typeof value === "string") return value;
	if (typeof value === "number") {
		if (!Number.isFinite(value)) throw new Error(`a non-finite number cannot be backed up: ${value}`);
		return value;
	}
	if (typeof value === "bigint") return { $int: value.toString() };
	if (value instanceof ArrayBuffer) return { $blob: base64(new Uint8Array(value)) };
	if (ArrayBuffer.isView(value))
		return { $blob: base64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
	if (Array.isArray(value) && value.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)) {
		return { $blob: base64(Uint8Array.from(value as number[])) };
	}
	throw new Error(`a value of type ${typeof value} cannot be backed up`);
}

/** True when D1's number may not be the stored integer (beyond ±2^53), so its text must be read. */
export function needsExactInteger(value: unknown): boolean {
	return typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value);
}

export function isCell(value: unknown): value is Cell {
	if (value === null || typeof value === "string") return true;
	if (typeof value === "number") return Number.isFinite(value);
	if (typeof value !== "object" || Array.isArray(value)) return false;
	const keys = Object.keys(value);
	if (keys.length !== 1) return false;
	const marker = value as Record<string, unknown>;
	if (keys[0] === "$int") return typeof marker.$int === "string" && /^-?\d+$/.test(marker.$int);
	if (keys[0] === "$blob") return typeof marker.$blob === "string" && /^[A-Za-z0-9+/]*={0,2}$/.test(marker.$blob);
	return false;
}

/** The header line. */
export function encodeHeader(columns: readonly string[]): string {
	return `${JSON.stringify(columns)}\n`;
}

export function encodeRow(cells: readonly Cell[]): string {
	return `${JSON.stringify(cells)}\n`;
}

export interface TableData {
	columns: string[];
	rows: Cell[][];
}

/** Reads one table object back; throws with the line number on anything that is not the format. */
export function decodeTable(text: string): TableData {
	const lines = text.split("\n");
	if (lines.at(-1) === "") lines.pop();
	const [header, ...body] = lines;
	if (header === undefined) throw new Error("empty table object: no header line");
	const columns = JSON.parse(header) as unknown;
	if (!Array.isArray(columns) || columns.length === 0 || !columns.every((name) => typeof name === "string")) {
		throw new Error("line 1 is not a JSON array of column names");
	}
	const rows = body.map((line, index) => {
		const row = JSON.parse(line) as unknown;
		if (!Array.isArray(row) || row.length !== columns.length || !row.every(isCell)) {
			throw new Error(`line ${index + 2} is not a row of ${columns.length} cells`);
		}
		return row as Cell[];
	});
	return { columns: columns as string[], rows };
}

export async function sha256Hex(bytes: Uint8Array | string): Promise<string> {
	const data = typeof bytes === "string" ? utf8.encode(bytes) : new Uint8Array(bytes);
	return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
}
