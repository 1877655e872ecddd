/**
 * Reading an amount a person typed in dollars ("25000", "$25,000.50") into the minor units the
 * API takes. Only what cannot be an amount at all is refused here, with a sentence in dollars;
 * the limits (above zero, the contract's maximum) are the API's to decide, and the form shows its
 * field error at the same field, in dollars, so the form and the API never disagree about what is
 * allowed.
 */

export type ParsedAmount = { ok: true; cents: number } | { ok: false; message: string };

const AMOUNT = /^\d+(\.\d{1,2})?$/;

export function parseDollars(text: string): ParsedAmount {
	const plain = text.trim().replace(/^\$/, "").replaceAll(",", "").trim();
	if (plain === "") return { ok: false, message: "Enter your offer in dollars, for example 25000." };
	if (!AMOUNT.test(plain)) {
		return { ok: false, message: "Enter an amount in dollars, like 25000 or 25000.50 (at most two decimals)." };
	}
	const [whole = "0", fraction = ""] = plain.split(".");
	const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
	if (!Number.isSafeInteger(cents)) return { ok: false, message: "That amount is too large." };
	return { ok: true, cents };
}
