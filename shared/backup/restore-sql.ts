/**
 * The restore as SQL statements, run as one unit (a D1 batch locally, one imported file
 * remotely): foreign keys deferred to the commit, every backed-up table emptied (children first)
 * and refilled (parents first) with its rowids, then the FTS index rebuilt from `listings`.
 * Values are SQL literals, not bound parameters, because `wrangler d1 execute --file` takes text:
 * text single-quoted with quotes doubled (a text holding NUL goes as hex cast to text, since a
 * literal would end there), integers and reals as digits JavaScript reads back to the same
 * double, BLOBs as `X'…'`. Rows are grouped into multi-row INSERTs kept under D1's
 * 100,000-byte statement limit (one row larger than that is its own statement, which only the
 * local restore can run).
 */
import { toHex, utf8 } from "../encoding.ts";
import { type Cell, fromBase64, type TableData } from "./format.ts";
import type { Manifest } from "./manifest.ts";
import { FTS_TABLES } from "./tables.ts";

export const MAX_STATEMENT_BYTES = 90_000;
const MAX_ROWS_PER_STATEMENT = 500;

export function sqlIdentifier(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

export function sqlLiteral(cell: Cell): string {
	if (cell === null) return "NULL";
	if (typeof cell === "string") {
		if (cell.includes("\u0000")) return `CAST(X'${toHex(utf8.encode(cell))}' AS TEXT)`;
		return `'${cell.replaceAll("'", "''")}'`;
	}
	if (typeof cell === "number") {
		if (!Number.isFinite(cell)) throw new Error(`not a finite number: ${cell}`);
		// String() is the shortest text that reads back as the same double (1e+21, 5e-7 included).
		return Object.is(cell, -0) ? "0.0" : String(cell);
	}
	if ("$int" in cell) {
		if (!/^-?\d+$/.test(cell.$int)) throw new Error(`not an integer: ${cell.$int}`);
		return cell.$int;
	}
	return `X'${toHex(fromBase64(cell.$blob))}'`;
}

/** INSERTs for one table's rows, several rows per statement. */
export function insertStatements(table: string, data: TableData): string[] {
	const head = `INSERT INTO ${sqlIdentifier(table)} (${data.columns.map(sqlIdentifier).join(", ")}) VALUES `;
	const statements: string[] = [];
	let tuples: string[] = [];
	let size = head.length;
	for (const row of data.rows) {
		const tuple = `(${row.map(sqlLiteral).join(", ")})`;
		if (
			tuples.length > 0 &&
			(size + tuple.length + 2 > MAX_STATEMENT_BYTES || tuples.length >= MAX_ROWS_PER_STATEMENT)
		) {
			statements.push(`${head}${tuples.join(", ")}`);
			tuples = [];
			size = head.length;
		}
		tuples.push(tuple);
		size += tuple.length + 2;
	}
	if (tuples.length > 0) statements.push(`${head}${tuples.join(", ")}`);
	return statements;
}

/** Every statement of the restore, in order; `tables` holds each manifest table's verified rows. */
export function restoreStatements(manifest: Manifest, tables: ReadonlyMap<string, TableData>): string[] {
	const order = manifest.tables.map((table) => table.name);
	return [
		"PRAGMA defer_foreign_keys = ON",
		...[...order].reverse().map((name) => `DELETE FROM ${sqlIdentifier(name)}`),
		...order.flatMap((name) => {
			const data = tables.get(name);
			if (!data) throw new Error(`no rows for table ${name}`);
			return insertStatements(name, data);
		}),
		...FTS_TABLES.map((fts) => `INSERT INTO ${sqlIdentifier(fts)} (${sqlIdentifier(fts)}) VALUES ('rebuild')`),
	];
}

/** The statements as one file for `wrangler d1 execute --file`. */
export function restoreFile(statements: readonly string[]): string {
	return `${statements.map((statement) => `${statement};`).join("\n")}\n`;
}
