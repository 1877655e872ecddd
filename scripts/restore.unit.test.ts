import { describe, expect, it } from "vitest";
import { parseRestoreArgs, UsageError } from "./restore.ts";

describe("parseRestoreArgs", () => {
	it("reads a date, locally by default", () => {
		expect(parseRestoreArgs(["2026-12-01"])).toEqual({ date: "2026-12-01", remote: false, persistTo: null });
		expect(parseRestoreArgs(["2026-12-01", "--persist-to", "/tmp/state"])).toEqual({
			date: "2026-12-01",
			remote: false,
			persistTo: "/tmp/state",
		});
	});

	it("reaches production only with --remote spelled out", () => {
		expect(parseRestoreArgs(["2026-12-01", "--remote"])?.remote).toBe(true);
		expect(() => parseRestoreArgs(["2026-12-01", "--rem"])).toThrow(UsageError);
		expect(() => parseRestoreArgs(["2026-12-01", "-r"])).toThrow(UsageError);
	});

	it("answers null for --help", () => {
		expect(parseRestoreArgs(["--help"])).toBeNull();
	});

	it.each([
		[[], /missing/],
		[["2026-02-30"], /not a date/],
		[["latest"], /not a date/],
		[["2026-12-01", "2026-12-02"], /unexpected argument/],
		[["2026-12-01", "--remote", "--persist-to", "x"], /exclude each other/],
		[["2026-12-01", "--persist-to"], /argument missing|persist-to/],
	])("refuses %j", (argv, message) => {
		expect(() => parseRestoreArgs(argv)).toThrow(message);
	});
});
