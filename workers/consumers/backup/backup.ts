/**
 * The daily D1 backup to R2 (the `DAILY` cron, ../scheduled.ts): every backed-up table
 * (shared/backup/tables.ts) as one NDJSON object under `backups/<UTC date>/`, then
 * `manifest.json` last, then the retention sweep (./retention.ts). Tables are read in pages of
 * 1,000 rows by rowid (or primary key, for a WITHOUT ROWID table), so no query holds a whole
 * table, and written as they are read (./object-writer.ts: hashed on the way, multipart past
 * 8 MiB), so no table is held whole either. A second run the same day first removes that day's
 * manifest (the folder reads as incomplete while it runs), rewrites every object, writes the
 * new manifest, and removes objects of tables that no longer exist: the day's backup is replaced.
 *
 * The pages are separate reads, not one snapshot: a row written between two pages may be in
 * one table's object and not in another's. The cron runs at 03:17 UTC when little is written,
 * and D1 Time Travel (docs/operations.md) is the point-in-time complement.
 */
import {
	backupDate,
	backupKeys,
	type Cell,
	encodeCell,
	encodeHeader,
	encodeRow,
	needsExactInteger,
} from "../../../shared/backup/format.ts";
import { buildManifest, type Manifest, type TableEntry } from "../../../shared/backup/manifest.ts";
import { sqlIdentifier } from "../../../shared/backup/restore-sql.ts";
import { foreignKeyOrder, isBackedUp, isVirtual } from "../../../shared/backup/tables.ts";
import { ObjectWriter } from "./object-writer.ts";
import { deleteBackup, pruneBackups } from "./retention.ts";

export const PAGE_ROWS = 1000;

interface TableShape {
	name: string;
	rowid: boolean;
	/** The stored columns, without `rowid`. */
	columns: string[];
	/** Primary-key columns in key order (the page key of a WITHOUT ROWID table). */
	primaryKey: string[];
}

/** The tables a backup holds, parents before children. */
export async function backedUpTables(db: D1Database): Promise<TableShape[]> {
	const { results: master } = await db
		.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
		.all<{ name: string; sql: string | null }>();
	const names = master.filter((table) => isBackedUp(table.name) && !isVirtual(table.sql)).map((table) => table.name);
	const { results: list } = await db.prepare("PRAGMA table_list").all<{ schema: string; name: string; wr: number }>();
	const withoutRowid = new Set(
		list.filter((table) => table.schema === "main" && table.wr === 1).map((table) => table.name),
	);
	const shapes = new Map<string, TableShape>();
	const keys: { from: string; to: string }[] = [];
	for (const name of names) {
		const { results: info } = await db
			.prepare("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid")
			.bind(name)
			.all<{ name: string; pk: number }>();
		const { results: references } = await db
			.prepare('SELECT DISTINCT "table" AS parent FROM pragma_foreign_key_list(?)')
			.bind(name)
			.all<{ parent: string }>();
		keys.push(...references.map((reference) => ({ from: name, to: reference.parent })));
		shapes.set(name, {
			name,
			rowid: !withoutRowid.has(name),
			columns: info.map((column) => column.name),
			primaryKey: info
				.filter((column) => column.pk > 0)
				.sort((a, b) => a.pk - b.pk)
				.map((column) => column.name),
		});
	}
	return foreignKeyOrder(names, keys).map((name) => shapes.get(name) as TableShape);
}

/** One page of `table` after `after` (the last row's page key), as arrays in column order. */
async function readPage(db: D1Database, table: TableShape, after: unknown[] | null): Promise<unknown[][]> {
	const select = [...(table.rowid ? ["rowid"] : []), ...table.columns.map(sqlIdentifier)].join(", ");
	const key = table.rowid ? ["rowid"] : table.primaryKey.map(sqlIdentifier);
	const where = after === null ? "" : `WHERE (${key.join(", ")}) > (${key.map(() => "?").join(", ")})`;
	const sql = `SELECT ${select} FROM ${sqlIdentifier(table.name)} ${where} ORDER BY ${key.join(", ")} LIMIT ${PAGE_ROWS}`;
	return db
		.prepare(sql)
		.bind(...(after ?? []))
		.raw();
}

/** The page key of a row read by `readPage`. */
function pageKey(table: TableShape, row: unknown[]): unknown[] {
	if (table.rowid) return [row[0]];
	return table.primaryKey.map((column) => row[table.columns.indexOf(column)]);
}

/**
 * A row's cells. D1 answers an integer beyond ±2^53 as a rounded double; such a cell is read
 * again as text (rare: the schema's integers are cents, counts and minutes).
 */
async function rowCells(db: D1Database, table: TableShape, row: unknown[]): Promise<Cell[]> {
	const columns = [...(table.rowid ? ["rowid"] : []), ...table.columns];
	const cells: Cell[] = [];
	for (const [index, value] of row.entries()) {
		if (!needsExactInteger(value)) {
			cells.push(encodeCell(value));
			continue;
		}
		const column = columns[index] === "rowid" ? "rowid" : sqlIdentifier(columns[index] as string);
		const key = table.rowid ? ["rowid"] : table.primaryKey.map(sqlIdentifier);
		const exact = await db
			.prepare(
				`SELECT typeof(${column}) AS type, CAST(${column} AS TEXT) AS text FROM ${sqlIdentifier(table.name)} WHERE (${key.join(", ")}) = (${key.map(() => "?").join(", ")})`,
			)
			.bind(...pageKey(table, row))
			.first<{ type: string; text: string }>();
		if (!exact) throw new Error(`row of ${table.name} vanished while it was read again`);
		cells.push(exact.type === "integer" ? encodeCell(value, exact.text) : encodeCell(value));
	}
	return cells;
}

/** Writes one table's object, a page at a time; answers its manifest entry. */
async function backupTable(db: D1Database, bucket: R2Bucket, date: string, table: TableShape): Promise<TableEntry> {
	const columns = [...(table.rowid ? ["rowid"] : []), ...table.columns];
	const key = backupKeys.table(date, table.name);
	const writer = new ObjectWriter(bucket, key, { contentType: "application/x-ndjson; charset=utf-8" });
	try {
		await writer.write(encodeHeader(columns));
		let rows = 0;
		let after: unknown[] | null = null;
		for (;;) {
			const page = await readPage(db, table, after);
			const lines: string[] = [];
			for (const row of page) lines.push(encodeRow(await rowCells(db, table, row)));
			await writer.write(lines.join(""));
			rows += page.length;
			if (page.length < PAGE_ROWS) break;
			after = pageKey(table, page.at(-1) as unknown[]);
		}
		const written = await writer.close();
		return { name: table.name, key, columns, rowid: table.rowid, rows, bytes: written.bytes, sha256: written.sha256 };
	} catch (error) {
		await writer.abort();
		throw error;
	}
}

/** Backs up every table under today's (UTC) folder, manifest last; answers the manifest. */
export async function backupDatabase(db: D1Database, bucket: R2Bucket, now: Date): Promise<Manifest> {
	const date = backupDate(now);
	await bucket.delete(backupKeys.manifest(date));
	const { results: migrations } = await db
		.prepare("SELECT name FROM d1_migrations ORDER BY id")
		.all<{ name: string }>();
	const entries: TableEntry[] = [];
	for (const table of await backedUpTables(db)) entries.push(await backupTable(db, bucket, date, table));
	const manifest = buildManifest({ date, now, migrations: migrations.map((row) => row.name), tables: entries });
	await bucket.put(backupKeys.manifest(date), JSON.stringify(manifest, null, "\t"), {
		httpMetadata: { contentType: "application/json" },
	});
	// A table dropped since an earlier run today leaves an object the new manifest does not name.
	await deleteBackup(bucket, date, new Set([backupKeys.manifest(date), ...entries.map((entry) => entry.key)]));
	return manifest;
}

/** The daily step: the backup, then (only once it succeeded) the retention sweep. */
export async function dailyBackup(env: Pick<ConsumersEnv, "DB" | "BACKUPS">, now: Date): Promise<void> {
	const manifest = await backupDatabase(env.DB, env.BACKUPS, now);
	const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
	console.log("backup written", manifest.date, manifest.tables.length, "tables", rows, "rows");
	const pruned = await pruneBackups(env.BACKUPS, now);
	if (pruned.length > 0) console.log("backups pruned", pruned.join(", "));
}
