import { describe, expect, it } from "vitest";
import { migratedDatabase } from "../../test/topology/seed.ts";
import { foreignKeyOrder, isBackedUp, isVirtual } from "./tables.ts";

describe("isBackedUp", () => {
	it("leaves out SQLite's and D1's tables, the migrations list and the FTS tables", () => {
		const skipped = ["sqlite_sequence", "_cf_METADATA", "_cf_KV", "d1_migrations", "listings_fts", "listings_fts_data"];
		expect(skipped.filter(isBackedUp)).toEqual([]);
		expect(["tenants", "listings", "notification_opt_outs"].every(isBackedUp)).toBe(true);
	});

	it("knows a virtual table by its SQL", () => {
		expect(isVirtual("CREATE VIRTUAL TABLE x USING fts5(a)")).toBe(true);
		expect(isVirtual("CREATE TABLE x (a)")).toBe(false);
		expect(isVirtual(null)).toBe(false);
	});
});

describe("foreignKeyOrder", () => {
	it("puts parents before children, ties by name", () => {
		const keys = [
			{ from: "users", to: "tenants" },
			{ from: "listings", to: "tenants" },
			{ from: "attachments", to: "listings" },
		];
		expect(foreignKeyOrder(["attachments", "users", "listings", "tenants", "alerts"], keys)).toEqual([
			"alerts",
			"tenants",
			"listings",
			"attachments",
			"users",
		]);
	});

	it("ignores self-references and keeps a cycle's tables, after the rest", () => {
		const keys = [
			{ from: "a", to: "a" },
			{ from: "b", to: "c" },
			{ from: "c", to: "b" },
		];
		expect(foreignKeyOrder(["c", "b", "a"], keys)).toEqual(["a", "b", "c"]);
	});

	it("orders the real schema so that every table follows the tables it references", () => {
		const db = migratedDatabase();
		const tables = (
			db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all() as { name: string; sql: string }[]
		)
			.filter((table) => isBackedUp(table.name) && !isVirtual(table.sql))
			.map((table) => table.name);
		const keys = tables.flatMap((from) =>
			(db.prepare('SELECT "table" AS parent FROM pragma_foreign_key_list(?)').all(from) as { parent: string }[]).map(
				(row) => ({ from, to: row.parent }),
			),
		);
		const order = foreignKeyOrder(tables, keys);
		expect([...order].sort()).toEqual([...tables].sort());
		expect(keys.length).toBeGreaterThan(5);
		for (const key of keys)
			if (key.from !== key.to) expect(order.indexOf(key.to)).toBeLessThan(order.indexOf(key.from));
	});
});
