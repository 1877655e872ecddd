import { describe, expect, it } from "vitest";
import {
	backupDate,
	backupKeys,
	type Cell,
	decodeTable,
	encodeCell,
	encodeHeader,
	encodeRow,
	isCell,
	needsExactInteger,
	parseBackupDate,
	sha256Hex,
} from "./format.ts";

describe("backup dates", () => {
	it("names the UTC calendar day of the run", () => {
		expect(backupDate(new Date("2026-12-01T23:59:59.999Z"))).toBe("2026-12-01");
		expect(backupDate(new Date("2026-12-02T00:00:00.000Z"))).toBe("2026-12-02");
	});

	it.each(["2026-02-29", "2026-13-01", "2026-1-01", "20261201", "2026-12-01x", "../2026-12-01", ""])(
		"reads %j as no date",
		(text) => {
			expect(parseBackupDate(text)).toBeNull();
		},
	);

	it("reads a real date as its UTC midnight", () => {
		expect(parseBackupDate("2028-02-29")?.toISOString()).toBe("2028-02-29T00:00:00.000Z");
	});

	it("keeps every object of a day under its folder", () => {
		expect(backupKeys.manifest("2026-12-01")).toBe("backups/2026-12-01/manifest.json");
		expect(backupKeys.table("2026-12-01", "listings")).toBe("backups/2026-12-01/listings.ndjson");
		expect(backupKeys.table("2026-12-01", "x").startsWith(backupKeys.folder("2026-12-01"))).toBe(true);
	});
});

describe("encodeCell", () => {
	it("keeps text, finite numbers and NULL as plain JSON", () => {
		for (const value of ["", 'it\'s "quoted"', "ünïcödé 🚀 中文", 0, -12, 1.5, 1e300, 5e-324, null]) {
			expect(encodeCell(value)).toBe(value);
		}
	});

	it("marks BLOBs, as D1 answers them (byte arrays) or as buffers, in base64", () => {
		expect(encodeCell([0, 255, 16])).toEqual({ $blob: "AP8Q" });
		expect(encodeCell(new Uint8Array([0, 255, 16]).buffer)).toEqual({ $blob: "AP8Q" });
		expect(encodeCell(new Uint8Array([1, 2, 3, 4]).subarray(1, 3))).toEqual({ $blob: "AgM=" });
		expect(encodeCell([])).toEqual({ $blob: "" });
	});

	it("marks an integer beyond 2^53 with its exact digits", () => {
		expect(needsExactInteger(2 ** 63)).toBe(true);
		expect(needsExactInteger(Number.MAX_SAFE_INTEGER)).toBe(false);
		expect(needsExactInteger(1.5)).toBe(false);
		expect(needsExactInteger("9223372036854775807")).toBe(false);
		expect(encodeCell(2 ** 63 - 1, "9223372036854775807")).toEqual({ $int: "9223372036854775807" });
		expect(encodeCell(9007199254740993n)).toEqual({ $int: "9007199254740993" });
		expect(() => encodeCell(1e20, "1e20")).toThrow(/not an integer/);
	});

	it.each([Number.POSITIVE_INFINITY, Number.NaN, {}, true, [256], undefined])("refuses %j", (value) => {
		expect(() => encodeCell(value)).toThrow();
	});
});

describe("isCell", () => {
	it("accepts the plain values and the two markers only", () => {
		expect([null, "x", 1, { $int: "-5" }, { $blob: "AP8Q" }].every(isCell)).toBe(true);
		const rejected = [{ $int: "1.5" }, { $int: 5 }, { $blob: "!" }, { $int: "1", x: 1 }, {}, [], true, Number.NaN];
		expect(rejected.some(isCell)).toBe(false);
	});
});

describe("table objects", () => {
	const columns = ["rowid", "id", "note", "amount", "data"];
	const rows: Cell[][] = [
		[1, "a'b", 'line\nbreak "and" tab\t', 12, null],
		[2, "ünï 🚀", "", { $int: "-9223372036854775808" }, { $blob: "AP8Q" }],
		[9, "x", null, 0.1, null],
	];

	it("round-trips a header and rows through NDJSON, one row per line", () => {
		const text = encodeHeader(columns) + rows.map(encodeRow).join("");
		expect(text.split("\n")).toHaveLength(rows.length + 2);
		expect(decodeTable(text)).toEqual({ columns, rows });
	});

	it("reads a table with no rows", () => {
		expect(decodeTable(encodeHeader(["id"]))).toEqual({ columns: ["id"], rows: [] });
	});

	it.each([
		["", /no header/],
		['{"id":1}\n', /line 1/],
		['["id"]\n[1,2]\n', /line 2/],
		['["id"]\n[{"$x":"1"}]\n', /line 2/],
		['["id"]\nnot json\n', /JSON/],
	])("refuses %j", (text, message) => {
		expect(() => decodeTable(text)).toThrow(message);
	});

	it("hashes with SHA-256 in hex", async () => {
		expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		expect(await sha256Hex(new TextEncoder().encode("abc"))).toBe(await sha256Hex("abc"));
	});
});
