/**
 * The backup's reading and writing against real D1 and R2 in workerd: paging past 1,000 rows by
 * rowid and by primary key, values JSON cannot carry, and a second run the same day replacing
 * the first. The tables here are this file's own (created and dropped by it); the round trip
 * through `npm run restore` is test/e2e/backup-restore.e2e.test.ts.
 */
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backupKeys, decodeTable } from "../../../shared/backup/format.ts";
import { verifyTable } from "../../../shared/backup/manifest.ts";
import { backupDatabase, PAGE_ROWS } from "./backup.ts";

const { DB: db, BACKUPS: bucket } = env as unknown as ConsumersEnv;
const now = new Date("2031-05-05T03:17:00.000Z");
const ROWID_ROWS = PAGE_ROWS * 2 + 345;
const KEYED_ROWS = PAGE_ROWS * 2;

async function objectOf(table: string) {
	const object = await bucket.get(backupKeys.table("2031-05-05", table));
	return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

beforeAll(async () => {
	await db.batch([
		db.prepare("CREATE TABLE backup_test_pages (id TEXT PRIMARY KEY, n INTEGER, big INTEGER, data BLOB)"),
		db.prepare(
			"CREATE TABLE backup_test_keyed (a TEXT NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID",
		),
	]);
	const inserts: D1PreparedStatement[] = [];
	// Rowids with gaps, so the pages follow rowid and not a count.
	for (let i = 1; i <= ROWID_ROWS; i++) {
		inserts.push(
			db.prepare("INSERT INTO backup_test_pages (rowid, id, n) VALUES (?, ?, ?)").bind(i * 3, `row-${i}`, i),
		);
	}
	for (let i = 0; i < KEYED_ROWS; i++) {
		inserts.push(db.prepare("INSERT INTO backup_test_keyed (a, b) VALUES (?, ?)").bind(`k${i % 7}`, i));
	}
	inserts.push(
		db.prepare("UPDATE backup_test_pages SET big = 9223372036854775807, data = X'00ff10' WHERE id = 'row-5'"),
		db.prepare("UPDATE backup_test_pages SET big = -9007199254740993 WHERE id = 'row-6'"),
	);
	for (let i = 0; i < inserts.length; i += 500) await db.batch(inserts.slice(i, i + 500));
});

afterAll(async () => {
	await db.batch([
		db.prepare("DROP TABLE IF EXISTS backup_test_pages"),
		db.prepare("DROP TABLE IF EXISTS backup_test_keyed"),
	]);
});

describe("backupDatabase", () => {
	it("writes every row of a table read page by page in rowid order, rowid kept", async () => {
		const manifest = await backupDatabase(db, bucket, now);
		const entry = manifest.tables.find((table) => table.name === "backup_test_pages");
		expect(entry).toMatchObject({ rows: ROWID_ROWS, rowid: true, columns: ["rowid", "id", "n", "big", "data"] });
		const checked = await verifyTable(entry as NonNullable<typeof entry>, await objectOf("backup_test_pages"));
		if (!checked.ok) throw new Error(checked.problem);
		const rowids = checked.data.rows.map((row) => row[0]);
		expect(rowids).toEqual(Array.from({ length: ROWID_ROWS }, (_, i) => (i + 1) * 3));
	});

	it("keeps integers beyond 2^53 exactly and BLOBs as base64", async () => {
		await backupDatabase(db, bucket, now);
		const { rows } = decodeTable(new TextDecoder().decode((await objectOf("backup_test_pages")) as Uint8Array));
		expect(rows.find((row) => row[1] === "row-5")).toEqual([
			15,
			"row-5",
			5,
			{ $int: "9223372036854775807" },
			{ $blob: "AP8Q" },
		]);
		expect(rows.find((row) => row[1] === "row-6")?.[3]).toEqual({ $int: "-9007199254740993" });
		expect(rows.find((row) => row[1] === "row-7")).toEqual([21, "row-7", 7, null, null]);
	});

	it("pages a WITHOUT ROWID table by its primary key", async () => {
		const manifest = await backupDatabase(db, bucket, now);
		const entry = manifest.tables.find((table) => table.name === "backup_test_keyed");
		expect(entry).toMatchObject({ rows: KEYED_ROWS, rowid: false, columns: ["a", "b"] });
		const { rows } = decodeTable(new TextDecoder().decode((await objectOf("backup_test_keyed")) as Uint8Array));
		const sorted = [...rows].sort((x, y) => String(x[0]).localeCompare(String(y[0])) || Number(x[1]) - Number(y[1]));
		expect(rows).toEqual(sorted);
		expect(new Set(rows.map((row) => `${row[0]}/${row[1]}`)).size).toBe(KEYED_ROWS);
	});

	it("leaves out D1's own tables, the migrations list and the FTS tables, and names the migrations", async () => {
		const manifest = await backupDatabase(db, bucket, now);
		const names = manifest.tables.map((table) => table.name);
		expect(names).toContain("listings");
		expect(names.filter((name) => /^(sqlite_|_cf_|d1_migrations|listings_fts)/.test(name))).toEqual([]);
		expect(manifest.migrations[0]).toBe("0001_init.sql");
	});

	it("replaces the day's backup when run again, dropping objects of tables that are gone", async () => {
		await backupDatabase(db, bucket, now);
		expect(await objectOf("backup_test_keyed")).not.toBeNull();
		await db.prepare("DROP TABLE backup_test_keyed").run();
		const manifest = await backupDatabase(db, bucket, now);
		expect(manifest.tables.map((table) => table.name)).not.toContain("backup_test_keyed");
		expect(await objectOf("backup_test_keyed")).toBeNull();
		const listed = await bucket.list({ prefix: backupKeys.folder("2031-05-05") });
		expect(listed.objects.map((object) => object.key).sort()).toEqual(
			[backupKeys.manifest("2031-05-05"), ...manifest.tables.map((table) => table.key)].sort(),
		);
	});
});
