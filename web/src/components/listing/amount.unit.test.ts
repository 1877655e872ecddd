/** Reading typed dollars into cents: what a person writes is accepted, anything else is refused in words. */
import { describe, expect, it } from "vitest";
import { parseDollars } from "./amount.ts";

describe("parseDollars", () => {
	it("reads whole dollars, thousands separators, a dollar sign and cents", () => {
		expect(parseDollars("25000")).toEqual({ ok: true, cents: 2_500_000 });
		expect(parseDollars(" $25,000.5 ")).toEqual({ ok: true, cents: 2_500_050 });
		expect(parseDollars("0.07")).toEqual({ ok: true, cents: 7 });
	});

	it("passes zero on for the API to refuse, since the limits are the API's", () => {
		expect(parseDollars("0")).toEqual({ ok: true, cents: 0 });
	});

	it("refuses what is not an amount, with a sentence", () => {
		for (const text of ["", "abc", "-5", "1e6", "12.345", "1.2.3", "12,5.00x"]) {
			const parsed = parseDollars(text);
			expect(parsed.ok, text).toBe(false);
			if (!parsed.ok) expect(parsed.message).toMatch(/dollars/);
		}
	});

	it("refuses an amount beyond exact integers instead of rounding it", () => {
		expect(parseDollars("99999999999999999999").ok).toBe(false);
	});
});
