import { describe, expect, it } from "vitest";
import { expiredDates } from "./retention.ts";

const now = new Date("2026-12-01T03:17:00.000Z");
const folder = (date: string) => `backups/${date}/`;

describe("expiredDates", () => {
	it("deletes backups more than 30 days old and keeps the 30 days before", () => {
		const folders = ["2026-10-31", "2026-11-01", "2026-11-02", "2026-11-30", "2026-12-01"].map(folder);
		// 2026-10-31 is 31 days before 2026-12-01; 2026-11-01 exactly 30.
		expect(expiredDates(folders, now)).toEqual(["2026-10-31"]);
	});

	it("keeps a 29-day-old backup and deletes a 31-day-old one", () => {
		expect(expiredDates([folder("2026-11-02"), folder("2026-10-31")], now)).toEqual(["2026-10-31"]);
	});

	it("never deletes today's, a future date or a folder it cannot read as a date", () => {
		const folders = ["2026-12-01", "2027-01-01", "2020-02-30", "old", "2020-1-1", ""].map(folder);
		expect(expiredDates([...folders, "backups/2020-01-01", "other/2020-01-01/"], now)).toEqual([]);
	});

	it("counts days by the UTC date of the run, not its time", () => {
		expect(expiredDates([folder("2026-10-31")], new Date("2026-12-01T00:00:00.000Z"))).toEqual(["2026-10-31"]);
		expect(expiredDates([folder("2026-10-31")], new Date("2026-11-30T23:59:59.999Z"))).toEqual([]);
	});
});
