import type { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { migratedDatabase } from "../../test/topology/seed.ts";
import type { Cell, TableData } from "./format.ts";
import { buildManifest, type TableEntry } from "./manifest.ts";
import {
	insertStatements,
	MAX_STATEMENT_BYTES,
	restoreFile,
	restoreStatements,
	sqlIdentifier,
	sqlLiteral,
} from "./restore-sql.ts";

describe("sqlLiteral", () => {
	it("quotes text with its single quotes doubled", () => {
		expect(sqlLiteral("it's")).toBe("'it''s'");
		expect(sqlLiteral("'); DROP TABLE users; --")).toBe("'''); DROP TABLE users; --'");
		expect(sqlLiteral("")).toBe("''");
	});

	it("writes NULL, numbers, exact integers and BLOBs as SQL", () => {
		expect(sqlLiteral(null)).toBe("NULL");
		expect(sqlLiteral(42)).toBe("42");
		expect(sqlLiteral(-1.25)).toBe("-1.25");
		expect(sqlLiteral(1e21)).toBe("1e+21");
		expect(sqlLiteral({ $int: "-9223372036854775808" })).toBe("-9223372036854775808");
		expect(sqlLiteral({ $blob: "AP8Q" })).toBe("X'00ff10'");
		expect(() => sqlLiteral({ $int: "1; DROP TABLE x" })).toThrow();
		expect(() => sqlLiteral(Number.NaN)).toThrow();
	});

	it("quotes identifiers with their double quotes doubled", () => {
		expect(sqlIdentifier('odd"name')).toBe('"odd""name"');
	});
});

/** Runs the statements in one transaction, as D1 runs a batch. */
function runAll(db: DatabaseSync, statements: readonly string[]): void {
	db.exec("BEGIN");
	try {
		for (const statement of statements) db.exec(statement);
		db.exec("COMMIT");
	} catch (error) {
		db.exec("ROLLBACK");
		throw error;
	}
}

describe("insertStatements, run by SQLite", () => {
	const odd: Cell[][] = [
		[1, 'it\'s "odd" -- ; /* */', 0.1, null],
		[2, "ünïcödé 🚀 中文 \\ \n\t", 1e300, { $blob: "AP8QAA==" }],
		[3, "with\u0000nul", -0.000001, { $int: "9223372036854775807" }],
		[4, "", 123456789012, { $int: "-9223372036854775808" }],
	];

	it("stores every value back exactly, type included", () => {
		const db = migratedDatabase();
		db.exec("CREATE TABLE odd (a, b, c)");
		runAll(db, insertStatements("odd", { columns: ["rowid", "a", "b", "c"], rows: odd }));
		const read = db.prepare(
			"SELECT rowid, a, hex(a) ha, b, c, typeof(a) ta, typeof(b) tb, typeof(c) tc FROM odd ORDER BY rowid",
		);
		read.setReadBigInts(true);
		const rows = read.all() as Record<string, unknown>[];
		// SQLite's C strings end at a NUL, so the NUL-holding text is compared by its bytes.
		expect(rows.map((row) => row.ha)).toEqual(
			odd.map((row) =>
				Buffer.from(row[1] as string)
					.toString("hex")
					.toUpperCase(),
			),
		);
		expect(rows.map((row) => row.a).filter((_, i) => i !== 2)).toEqual(
			odd.map((row) => row[1]).filter((_, i) => i !== 2),
		);
		expect(rows.map((row) => row.ta)).toEqual(["text", "text", "text", "text"]);
		expect(rows.map((row) => row.b)).toEqual([0.1, 1e300, -0.000001, 123456789012n]);
		expect(rows.map((row) => row.tb)).toEqual(["real", "real", "real", "integer"]);
		expect(rows.map((row) => row.tc)).toEqual(["null", "blob", "integer", "integer"]);
		expect(rows[1]?.c).toEqual(new Uint8Array([0, 255, 16, 0]));
		expect(rows[2]?.c).toBe(9223372036854775807n);
		expect(rows[3]?.c).toBe(-9223372036854775808n);
		expect(rows.map((row) => row.rowid)).toEqual([1n, 2n, 3n, 4n]);
	});

	it("groups rows into statements under D1's statement limit", () => {
		const rows: Cell[][] = Array.from({ length: 3000 }, (_, i) => [i + 1, "x".repeat(200), i]);
		const statements = insertStatements("big", { columns: ["rowid", "a", "b"], rows });
		expect(statements.length).toBeGreaterThan(1);
		for (const statement of statements) expect(statement.length).toBeLessThanOrEqual(MAX_STATEMENT_BYTES);
		const db = migratedDatabase();
		db.exec("CREATE TABLE big (a, b)");
		runAll(db, statements);
		expect(db.prepare("SELECT count(*) n, sum(b) s FROM big").get()).toEqual({ n: 3000, s: (2999 * 3000) / 2 });
	});

	it("writes nothing for a table without rows", () => {
		expect(insertStatements("t", { columns: ["id"], rows: [] })).toEqual([]);
	});
});

describe("restoreStatements", () => {
	const at = "2026-12-01T00:00:00.000Z";
	const tenants: TableData = {
		columns: ["rowid", "id", "kind", "name", "status", "created_at", "updated_at"],
		rows: [[7, "seller_a", "seller", "Seller A", "active", at, at]],
	};
	const listingColumns = [
		"rowid",
		"id",
		"seller_tenant_id",
		"title",
		"category",
		"asking_price_cents",
		"created_at",
		"updated_at",
	];
	const listings = (sellerId: string): TableData => ({
		columns: listingColumns,
		rows: [[42, "lst_1", sellerId, "Quokka analytics", "saas", 100, at, at]],
	});
	const entry = (name: string, data: TableData): TableEntry => ({
		name,
		key: `backups/2026-12-01/${name}.ndjson`,
		columns: data.columns,
		rowid: true,
		rows: data.rows.length,
		bytes: 0,
		sha256: "0".repeat(64),
	});
	const manifestOf = (data: Map<string, TableData>) =>
		buildManifest({
			date: "2026-12-01",
			now: new Date(at),
			migrations: [],
			tables: [...data].map(([name, table]) => entry(name, table)),
		});

	it("replaces the rows, keeps rowids and rebuilds the search index", () => {
		const db = migratedDatabase();
		db.exec(
			`INSERT INTO tenants (id, kind, name, created_at, updated_at) VALUES ('seller_old', 'seller', 'Old', '${at}', '${at}')`,
		);
		db.exec(
			`INSERT INTO listings (id, seller_tenant_id, title, category, asking_price_cents, created_at, updated_at) VALUES ('lst_old', 'seller_old', 'Wombat store', 'saas', 1, '${at}', '${at}')`,
		);
		const data = new Map([
			["tenants", tenants],
			["listings", listings("seller_a")],
		]);
		runAll(db, restoreStatements(manifestOf(data), data));
		expect(db.prepare("SELECT rowid, id FROM tenants").all()).toEqual([{ rowid: 7, id: "seller_a" }]);
		expect(db.prepare("SELECT rowid, id FROM listings").all()).toEqual([{ rowid: 42, id: "lst_1" }]);
		const search = (word: string) => db.prepare("SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?").all(word);
		expect(search("quokka")).toEqual([{ rowid: 42 }]);
		expect(search("wombat")).toEqual([]);
	});

	it("defers foreign keys to the commit, which refuses rows whose parent is missing", () => {
		const db = migratedDatabase();
		const data = new Map([
			["tenants", tenants],
			["listings", listings("seller_missing")],
		]);
		const statements = restoreStatements(manifestOf(data), data);
		expect(statements[0]).toBe("PRAGMA defer_foreign_keys = ON");
		expect(statements.at(-1)).toBe(`INSERT INTO "listings_fts" ("listings_fts") VALUES ('rebuild')`);
		expect(() => runAll(db, statements)).toThrow(/FOREIGN KEY/);
		expect(db.prepare("SELECT count(*) n FROM tenants").get()).toEqual({ n: 0 });
	});

	it("empties children before parents and fills parents before children", () => {
		const data = new Map([
			["tenants", tenants],
			["listings", listings("seller_a")],
		]);
		const statements = restoreStatements(manifestOf(data), data);
		expect(statements.slice(1, 3)).toEqual(['DELETE FROM "listings"', 'DELETE FROM "tenants"']);
		expect(statements.findIndex((s) => s.startsWith('INSERT INTO "tenants"'))).toBeLessThan(
			statements.findIndex((s) => s.startsWith('INSERT INTO "listings"')),
		);
		expect(restoreFile(statements).split(";\n")).toHaveLength(statements.length + 1);
	});
});
