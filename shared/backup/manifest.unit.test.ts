import { describe, expect, it } from "vitest";
import { encodeHeader, encodeRow, sha256Hex } from "./format.ts";
import {
	buildManifest,
	type Manifest,
	migrationMismatch,
	parseManifest,
	tableMismatch,
	verifyTable,
} from "./manifest.ts";

const object = encodeHeader(["rowid", "id"]) + encodeRow([1, "a"]) + encodeRow([2, "b"]);
const bytes = new TextEncoder().encode(object);

async function entry(overrides: Record<string, unknown> = {}) {
	return {
		name: "tenants",
		key: "backups/2026-12-01/tenants.ndjson",
		columns: ["rowid", "id"],
		rowid: true,
		rows: 2,
		bytes: bytes.byteLength,
		sha256: await sha256Hex(bytes),
		...overrides,
	};
}

async function manifest(): Promise<Manifest> {
	return buildManifest({
		date: "2026-12-01",
		now: new Date("2026-12-01T03:17:00.000Z"),
		migrations: ["0001_init.sql", "0002_identity.sql"],
		tables: [await entry()],
	});
}

describe("the manifest", () => {
	it("round-trips through its JSON", async () => {
		const built = await manifest();
		expect(built).toMatchObject({ format: "techflunky-d1-backup", version: 1, created_at: "2026-12-01T03:17:00.000Z" });
		expect(parseManifest(JSON.stringify(built))).toEqual({ ok: true, manifest: built });
	});

	it("refuses text that is not a manifest", async () => {
		const built = await manifest();
		const cases = [
			"not json",
			"{}",
			JSON.stringify({ ...built, version: 2 }),
			JSON.stringify({ ...built, extra: 1 }),
			JSON.stringify({ ...built, tables: [{ ...built.tables[0], sha256: "xyz" }] }),
			JSON.stringify({ ...built, tables: [{ ...built.tables[0], name: 'x"; DROP TABLE y' }] }),
			JSON.stringify({ ...built, tables: [built.tables[0], built.tables[0]] }),
		];
		for (const text of cases) expect(parseManifest(text).ok).toBe(false);
	});
});

describe("verifyTable", () => {
	it("answers the rows of an object that matches its entry", async () => {
		expect(await verifyTable(await entry(), bytes)).toEqual({
			ok: true,
			data: {
				columns: ["rowid", "id"],
				rows: [
					[1, "a"],
					[2, "b"],
				],
			},
		});
	});

	it("refuses a missing object", async () => {
		expect(await verifyTable(await entry(), null)).toEqual({
			ok: false,
			problem: "backups/2026-12-01/tenants.ndjson is missing",
		});
	});

	it("refuses an object of another size or digest", async () => {
		const changed = new TextEncoder().encode(object.replace('"a"', '"c"'));
		expect(await verifyTable(await entry(), changed)).toMatchObject({
			ok: false,
			problem: expect.stringMatching(/SHA-256/),
		});
		const longer = new TextEncoder().encode(`${object}[3,"c"]\n`);
		expect(await verifyTable(await entry(), longer)).toMatchObject({
			ok: false,
			problem: expect.stringMatching(/bytes/),
		});
	});

	it("refuses an object whose rows or columns differ from the entry, even with a matching digest", async () => {
		expect(await verifyTable(await entry({ rows: 3 }), bytes)).toMatchObject({
			problem: expect.stringMatching(/has 2 rows/),
		});
		expect(await verifyTable(await entry({ columns: ["rowid", "name"] }), bytes)).toMatchObject({
			problem: expect.stringMatching(/columns/),
		});
	});

	it("refuses an object that is not the format", async () => {
		const junk = new TextEncoder().encode("hello\n");
		const junkEntry = await entry({ bytes: junk.byteLength, sha256: await sha256Hex(junk) });
		expect(await verifyTable(junkEntry, junk)).toMatchObject({ problem: expect.stringMatching(/not a table object/) });
	});
});

describe("the target checks", () => {
	it("accepts exactly the backup's migrations, in order", async () => {
		const built = await manifest();
		expect(migrationMismatch(built, ["0001_init.sql", "0002_identity.sql"])).toBeNull();
		expect(migrationMismatch(built, ["0001_init.sql"])).toMatch(/not applied to the target: 0002_identity.sql/);
		expect(migrationMismatch(built, [...built.migrations, "0003_x.sql"])).toMatch(/after the backup: 0003_x.sql/);
		expect(migrationMismatch(built, ["0002_identity.sql", "0001_init.sql"])).toMatch(/different order/);
		expect(migrationMismatch(built, [])).toMatch(/not applied/);
	});

	it("accepts exactly the backup's tables", async () => {
		const built = await manifest();
		expect(tableMismatch(built, ["tenants"])).toBeNull();
		expect(tableMismatch(built, [])).toMatch(/not in the target: tenants/);
		expect(tableMismatch(built, ["tenants", "extra"])).toMatch(/not in the backup: extra/);
	});
});
