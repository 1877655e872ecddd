import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../test/support/seeded-random.ts";
import { MAX_AMOUNT_CENTS } from "../contract/schemas.ts";
import { divideHalfUp, platformFee, sellerPayout, split } from "./fee.ts";

/** The reference: 8% rounded half up in BigInt, which cannot lose precision at any size. */
function referenceFee(amount: number): number {
	const n = BigInt(amount) * 8n;
	const quotient = n / 100n;
	return Number(n % 100n >= 50n ? quotient + 1n : quotient);
}

describe("platformFee", () => {
	it.each([
		[0, 0],
		[1, 0], // 0.08
		[6, 0], // 0.48: the largest fraction that rounds down
		[7, 1], // 0.56
		[13, 1], // 1.04
		[19, 2], // 1.52: the smallest fraction that rounds up
		[100, 8],
		[106, 8], // 8.48
		[107, 9], // 8.56
		[625, 50], // $6.25: exactly 50 cents, nothing to round
		[1_006, 80], // 80.48
		[1_007, 81], // 80.56
		[12_345, 988], // 987.6
		[2_500_000_00, 20_000_000], // a $2.5M sale
	])("takes 8%% of %i cents, rounded half up, as %i", (amount, fee) => {
		expect(platformFee(amount)).toBe(fee);
		expect(referenceFee(amount)).toBe(fee);
	});

	it("takes exactly 8% of the largest allowed amount, without precision loss", () => {
		expect(MAX_AMOUNT_CENTS).toBe(100_000_000_000_000);
		expect(platformFee(MAX_AMOUNT_CENTS)).toBe(8_000_000_000_000);
		expect(sellerPayout(MAX_AMOUNT_CENTS)).toBe(92_000_000_000_000);
		for (const amount of [MAX_AMOUNT_CENTS - 1, MAX_AMOUNT_CENTS - 94, MAX_AMOUNT_CENTS - 93]) {
			expect(platformFee(amount)).toBe(referenceFee(amount));
		}
		// 1e14 - 94 ends in …06 (x.48 → down), 1e14 - 93 in …07 (x.56 → up).
		expect(platformFee(MAX_AMOUNT_CENTS - 94)).toBe(7_999_999_999_992);
		expect(platformFee(MAX_AMOUNT_CENTS - 93)).toBe(7_999_999_999_993);
	});

	it.each([-1, 0.5, 1.25, Number.NaN, Number.POSITIVE_INFINITY, MAX_AMOUNT_CENTS + 1, 2 ** 53])(
		"refuses the amount %s",
		(amount) => {
			expect(() => platformFee(amount)).toThrow(RangeError);
		},
	);

	it("never meets an exact half cent: 8% of whole cents ends in a multiple of 0.04", () => {
		// 8a mod 100 depends only on a mod 25, so these 25 residues are every case there is.
		const fractions = Array.from({ length: 25 }, (_, a) => (a * 8) % 100);
		expect(fractions).not.toContain(50);
		expect(new Set(fractions)).toEqual(new Set(Array.from({ length: 25 }, (_, k) => k * 4)));
	});
});

describe("divideHalfUp", () => {
	it.each([
		[250, 100, 3], // 2.5 → 3: exact halves go up
		[249, 100, 2],
		[251, 100, 3],
		[50, 100, 1], // 0.5 → 1
		[49, 100, 0],
		[0, 100, 0],
		[5, 2, 3], // 2.5 → 3
		[625, 10, 63], // 62.5 → 63
		[Number.MAX_SAFE_INTEGER - 50, 100, Number((BigInt(Number.MAX_SAFE_INTEGER) - 50n + 50n) / 100n)],
	])("rounds %i / %i half up to %i", (numerator, denominator, quotient) => {
		expect(divideHalfUp(numerator, denominator)).toBe(quotient);
	});

	it("refuses inputs it cannot round exactly", () => {
		expect(() => divideHalfUp(Number.MAX_SAFE_INTEGER, 100)).toThrow(RangeError);
		expect(() => divideHalfUp(-1, 100)).toThrow(RangeError);
		expect(() => divideHalfUp(1.5, 100)).toThrow(RangeError);
		expect(() => divideHalfUp(10, 0)).toThrow(RangeError);
		expect(() => divideHalfUp(10, 3)).toThrow(RangeError);
	});
});

// ---------------------------------------------------------------------------------------------
// Property tests over random amounts, uniform in magnitude so small and huge amounts both appear.

const SEED = Number(process.env.FEE_SEED ?? 0xfee5) >>> 0;
const random = mulberry32(SEED);
const amounts = Array.from({ length: 20_000 }, () => {
	const digits = 1 + Math.floor(random() * 14);
	return Math.min(MAX_AMOUNT_CENTS, Math.floor(random() * 10 ** digits));
});

describe(`random amounts (FEE_SEED=${SEED}, ${amounts.length} amounts)`, () => {
	it("splits every amount into a fee and a payout that add up to it exactly", () => {
		for (const amount of amounts) {
			const { fee_cents, payout_cents } = split(amount);
			expect(fee_cents + payout_cents, `amount ${amount}`).toBe(amount);
			expect(payout_cents).toBe(sellerPayout(amount));
			expect(Number.isSafeInteger(fee_cents) && fee_cents >= 0 && payout_cents >= 0).toBe(true);
		}
	});

	it("keeps the fee within half a cent of 8%, and equal to the BigInt reference", () => {
		for (const amount of amounts) {
			const fee = platformFee(amount);
			expect(fee, `amount ${amount}`).toBe(referenceFee(amount));
			// |fee − 0.08·a| ≤ 0.5, in integers: |100·fee − 8·a| ≤ 50 (exact below 2^53).
			expect(Math.abs(100 * fee - 8 * amount), `amount ${amount}`).toBeLessThanOrEqual(50);
		}
	});

	it("rounds half up: the fee is the unique integer f with 8a − 50 < 100f ≤ 8a + 50", () => {
		// With an exact half (8a = 100f − 50) only the upper choice is allowed: the right inequality
		// is strict on the left. That case cannot occur at 8%, so the general rule is checked too.
		for (const amount of amounts) {
			const f = platformFee(amount);
			expect(8 * amount - 50 < 100 * f && 100 * f <= 8 * amount + 50, `amount ${amount}`).toBe(true);
			const half = divideHalfUp(amount * 2 + 1, 2);
			expect(half, `(${amount} + ½) rounds up`).toBe(amount + 1);
		}
	});

	it("never takes a smaller fee from a larger amount", () => {
		const sorted = [...amounts].sort((a, b) => a - b);
		for (let i = 1; i < sorted.length; i++) {
			expect(platformFee(sorted[i] as number)).toBeGreaterThanOrEqual(platformFee(sorted[i - 1] as number));
		}
	});
});
