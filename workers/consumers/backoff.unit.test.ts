import { describe, expect, it } from "vitest";
import { backoffSeconds } from "./backoff.ts";

describe("backoffSeconds", () => {
	it.each([
		[0, 2],
		[1, 2],
		[2, 4],
		[3, 8],
		[4, 16],
		[5, 32],
		[6, 64],
		[7, 128],
		[8, 256],
	])("waits 2^attempts seconds: attempt %i waits %i s", (attempts, seconds) => {
		expect(backoffSeconds(attempts)).toBe(seconds);
	});

	it.each([9, 10, 20, 100, 1_100])("caps attempt %i at 300 s", (attempts) => {
		expect(backoffSeconds(attempts)).toBe(300);
	});

	it("waits 2 s for a negative attempt count", () => {
		expect(backoffSeconds(-3)).toBe(2);
	});

	it("never shrinks as attempts grow", () => {
		for (let attempts = 1; attempts < 50; attempts++) {
			expect(backoffSeconds(attempts + 1)).toBeGreaterThanOrEqual(backoffSeconds(attempts));
		}
	});
});
