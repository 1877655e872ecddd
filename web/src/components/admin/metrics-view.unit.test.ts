import { describe, expect, it } from "vitest";
import { ms, percent, utcTime, windowOf } from "./metrics-view.ts";

const NOW = Date.UTC(2026, 11, 1, 12, 30);

describe("windowOf", () => {
	it("is the last hour when nothing is asked", () => {
		expect(windowOf({ range: "", from: "", to: "" }, NOW)).toEqual({
			ok: true,
			range: "1h",
			from: "2026-12-01T11:30:00.000Z",
			to: "2026-12-01T12:30:00.000Z",
		});
	});

	it("ends a named range now", () => {
		const week = windowOf({ range: "7d", from: "", to: "" }, NOW);
		expect(week).toMatchObject({ ok: true, from: "2026-11-24T12:30:00.000Z", to: "2026-12-01T12:30:00.000Z" });
	});

	it("reads typed times as UTC, and full ISO times as given", () => {
		expect(windowOf({ range: "custom", from: "2026-11-30T08:00", to: "2026-11-30T10:00:00+02:00" }, NOW)).toEqual({
			ok: true,
			range: "custom",
			from: "2026-11-30T08:00:00.000Z",
			to: "2026-11-30T08:00:00.000Z",
		});
	});

	it("takes from/to without a range as a custom window", () => {
		expect(windowOf({ range: "", from: "2026-11-30T08:00Z", to: "2026-11-30T09:00Z" }, NOW)).toMatchObject({
			ok: true,
			range: "custom",
		});
	});

	it("names each field it cannot read, and a range it does not know", () => {
		expect(windowOf({ range: "custom", from: "yesterday", to: "" }, NOW)).toEqual({
			ok: false,
			range: "custom",
			errors: { from: "Enter the start as a date and time (UTC).", to: "Enter the end as a date and time (UTC)." },
		});
		expect(windowOf({ range: "1y", from: "", to: "" }, NOW)).toMatchObject({
			ok: false,
			errors: { range: expect.any(String) },
		});
	});

	it("refuses calendar dates that do not exist", () => {
		expect(utcTime("2026-02-30T10:00")).toBeNull();
		expect(utcTime("2028-02-29T10:00")).toBe("2028-02-29T10:00:00.000Z");
		expect(utcTime("2026-13-01T10:00")).toBeNull();
	});
});

describe("figures", () => {
	it("words latency in whole ms, the open last bucket as at least 5000", () => {
		expect(ms(null)).toBe("–");
		expect(ms(12.6)).toBe("13 ms");
		expect(ms(5000)).toBe("≥ 5000 ms");
	});

	it("words rates as percentages without trailing zeros", () => {
		expect(percent(0)).toBe("0%");
		expect(percent(0.0125)).toBe("1.25%");
		expect(percent(0.5)).toBe("50%");
		expect(percent(0.00001)).toBe("< 0.01%");
	});
});
