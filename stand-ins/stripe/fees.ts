/**
 * Stripe's standard US processing fees, which the platform pays on a separate charge and which
 * land in the charge's balance transaction (`fee`, `net`): cards 2.9% + 30¢; ACH Direct Debit
 * 0.8% capped at $5; a dispute costs $15. Pure integer maths in minor units, rounded half up like
 * Stripe's fee calculation; the stand-in does not model other countries, currencies or pricing.
 */

export type PaymentMethodType = "card" | "us_bank_account";

/** Rates in tenths of a percent, so the maths stays in integers. */
export const CARD_PER_MILLE = 29;
export const CARD_FIXED = 30;
export const ACH_PER_MILLE = 8;
export const ACH_CAP = 500;
export const DISPUTE_FEE = 1500;

/** Stripe's largest card charge in USD: $999,999.99. Bank debits go higher. */
export const CARD_MAX_AMOUNT = 99_999_999;
/** Stripe's smallest USD charge: 50¢. */
export const MIN_AMOUNT = 50;

/** `amount × perMille / 1000`, rounded half up, in integers. */
function share(amount: number, perMille: number): number {
	return Math.floor((amount * perMille + 500) / 1000);
}

export function processingFee(amount: number, method: PaymentMethodType): number {
	if (method === "card") return share(amount, CARD_PER_MILLE) + CARD_FIXED;
	return Math.min(share(amount, ACH_PER_MILLE), ACH_CAP);
}
