/**
 * The platform's fee on a payment (docs/domain.md, Payments): 8% of the amount, in integer minor
 * units, rounded half up; the seller's payout is what is left. Pure integer arithmetic, so the fee
 * is the same on every runtime and for every amount up to MAX_AMOUNT_CENTS.
 *
 * Why the arithmetic is exact: for an integer amount `a` with 0 ≤ a ≤ MAX_AMOUNT_CENTS (1e14),
 * `n = 8a + 50` is an integer below 8.1e14 < 2^53, so `8 * a` and `+ 50` are exact in a double.
 * `n % 100` is exact for integers (the remainder is computed without rounding), so is the
 * subtraction `n - n % 100` (an integer below 2^53), and dividing that multiple of 100 by 100 gives
 * an integer the double holds exactly, which is what IEEE division returns. So
 * `(n - n % 100) / 100 = ⌊(8a + 50) / 100⌋ = ⌊8a/100 + 1/2⌋`: 8% rounded half up.
 *
 * Trade-off worth knowing: 8% of a whole number of cents never ends in exactly half a cent (8a ≡ 50
 * mod 100 would make 4a = 50k + 25 odd), so the "half" in half up never occurs for this rate; the
 * nearest cases are x.48 (down, e.g. 106 → 8) and x.52 (up, e.g. 119 → 10). `divideHalfUp` is the
 * general rule, tested on its own at exact halves.
 */

import { MAX_AMOUNT_CENTS } from "../contract/schemas.ts";

/** The fee rate as a fraction: FEE_NUMERATOR / FEE_DENOMINATOR = 8%. */
export const FEE_NUMERATOR = 8;
export const FEE_DENOMINATOR = 100;

/**
 * ⌊numerator / denominator + 1/2⌋ for a non-negative integer numerator and a positive integer
 * denominator whose sum with denominator/2 stays below 2^53: the quotient rounded half up, exactly.
 */
export function divideHalfUp(numerator: number, denominator: number): number {
	if (!Number.isSafeInteger(numerator) || numerator < 0) throw new RangeError("numerator must be a safe integer ≥ 0");
	if (!Number.isSafeInteger(denominator) || denominator <= 0 || denominator % 2 !== 0) {
		throw new RangeError("denominator must be a positive even safe integer");
	}
	const n = numerator + denominator / 2;
	if (!Number.isSafeInteger(n)) throw new RangeError("numerator is too large to round exactly");
	return (n - (n % denominator)) / denominator;
}

function checkAmount(amountCents: number): void {
	if (!Number.isSafeInteger(amountCents) || amountCents < 0 || amountCents > MAX_AMOUNT_CENTS) {
		throw new RangeError(`amount must be a whole number of minor units from 0 to ${MAX_AMOUNT_CENTS}`);
	}
}

/** The platform's 8% of `amountCents`, rounded half up; throws on an amount outside 0…MAX_AMOUNT_CENTS. */
export function platformFee(amountCents: number): number {
	checkAmount(amountCents);
	return divideHalfUp(amountCents * FEE_NUMERATOR, FEE_DENOMINATOR);
}

/** What the seller receives of `amountCents`: the amount less the platform's fee. */
export function sellerPayout(amountCents: number): number {
	return amountCents - platformFee(amountCents);
}

/** The fee and the payout of one amount, which always add up to it. */
export function split(amountCents: number): { fee_cents: number; payout_cents: number } {
	const fee = platformFee(amountCents);
	return { fee_cents: fee, payout_cents: amountCents - fee };
}
