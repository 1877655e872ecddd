/**
 * A backup's `manifest.json`, written last: a folder without one is an unfinished backup and is
 * never restored. It names the migrations the database had (a restore goes only into a database
 * with exactly those, so every column means the same thing) and, per table in foreign-key order
 * (parents first), its columns, row count, byte size and SHA-256, which the restore checks
 * before it writes anything.
 */
import { z } from "zod";
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, decodeTable, sha256Hex, type TableData } from "./format.ts";

const tableEntry = z.strictObject({
	name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
	key: z.string().min(1),
	columns: z.array(z.string().min(1)).min(1),
	/** The first column is `rowid` (a rowid table), kept so rowid-keyed data comes back as it was. */
	rowid: z.boolean(),
	rows: z.number().int().nonnegative(),
	bytes: z.number().int().nonnegative(),
	sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.strictObject({
	format: z.literal(BACKUP_FORMAT),
	version: z.literal(BACKUP_FORMAT_VERSION),
	date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
	created_at: z.iso.datetime(),
	migrations: z.array(z.string()),
	tables: z.array(tableEntry),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type TableEntry = z.infer<typeof tableEntry>;

export function buildManifest(input: {
	date: string;
	now: Date;
	migrations: readonly string[];
	tables: readonly TableEntry[];
}): Manifest {
	return {
		format: BACKUP_FORMAT,
		version: BACKUP_FORMAT_VERSION,
		date: input.date,
		created_at: input.now.toISOString(),
		migrations: [...input.migrations],
		tables: [...input.tables],
	};
}

/** The manifest in `text`, or why it is refused. */
export function parseManifest(text: string): { ok: true; manifest: Manifest } | { ok: false; problem: string } {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return { ok: false, problem: "manifest.json is not JSON" };
	}
	const parsed = manifestSchema.safeParse(json);
	if (!parsed.success) return { ok: false, problem: `manifest.json is not a backup manifest: ${parsed.error.message}` };
	const names = parsed.data.tables.map((table) => table.name);
	if (new Set(names).size !== names.length) return { ok: false, problem: "manifest.json names a table twice" };
	return { ok: true, manifest: parsed.data };
}

/** Why the target's migrations are not the backup's, or `null` when they are the same list. */
export function migrationMismatch(manifest: Manifest, target: readonly string[]): string | null {
	const same =
		manifest.migrations.length === target.length && manifest.migrations.every((name, i) => name === target[i]);
	if (same) return null;
	const missing = manifest.migrations.filter((name) => !target.includes(name));
	const extra = target.filter((name) => !manifest.migrations.includes(name));
	return (
		"the target database's migrations differ from the backup's" +
		(missing.length ? `; not applied to the target: ${missing.join(", ")}` : "") +
		(extra.length ? `; applied to the target after the backup: ${extra.join(", ")}` : "") +
		(!missing.length && !extra.length ? "; same names, different order" : "")
	);
}

/** Why the target's tables are not the backup's, or `null`. */
export function tableMismatch(manifest: Manifest, target: readonly string[]): string | null {
	const backedUp = manifest.tables.map((table) => table.name);
	const missing = backedUp.filter((name) => !target.includes(name));
	const extra = target.filter((name) => !backedUp.includes(name));
	if (!missing.length && !extra.length) return null;
	return (
		"the target database's tables differ from the backup's" +
		(missing.length ? `; not in the target: ${missing.join(", ")}` : "") +
		(extra.length ? `; not in the backup: ${extra.join(", ")}` : "")
	);
}

/** One table object checked against its manifest entry: its rows, or why it is refused. */
export async function verifyTable(
	entry: TableEntry,
	bytes: Uint8Array | null,
): Promise<{ ok: true; data: TableData } | { ok: false; problem: string }> {
	if (bytes === null) return { ok: false, problem: `${entry.key} is missing` };
	if (bytes.byteLength !== entry.bytes) {
		return { ok: false, problem: `${entry.key} is ${bytes.byteLength} bytes, the manifest says ${entry.bytes}` };
	}
	const digest = await sha256Hex(bytes);
	if (digest !== entry.sha256) return { ok: false, problem: `${entry.key} does not match its SHA-256 in the manifest` };
	let data: TableData;
	try {
		data = decodeTable(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
	} catch (error) {
		return { ok: false, problem: `${entry.key} is not a table object: ${(error as Error).message}` };
	}
	if (data.rows.length !== entry.rows) {
		return { ok: false, problem: `${entry.key} has ${data.rows.length} rows, the manifest says ${entry.rows}` };
	}
	if (JSON.stringify(data.columns) !== JSON.stringify(entry.columns)) {
		return { ok: false, problem: `${entry.key} has other columns than the manifest names` };
	}
	return { ok: true, data };
}
