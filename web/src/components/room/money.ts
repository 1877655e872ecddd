/**
 * Money as people type and read it, in the islands: dollars on the screen, integer cents on the
 * wire. Its own small module rather than web/src/lib/format.ts, whose category labels come from
 * the contract (zod at runtime), which the islands must not ship. Cents are shown only when an
 * amount has them, so a round offer reads "$25,000" and a precise one "$25,000.50".
 */

/** The largest amount the contract takes (shared/contract/schemas.ts `MAX_AMOUNT_CENTS`): $1 trillion. */
const MAX_CENTS = 100_000_000_000_000;

export function dollars(cents: number, currency = "USD"): string {
	const whole = cents % 100 === 0;
	return new Intl.NumberFormat("en-US", {
		style: "currency",
		currency,
		minimumFractionDigits: whole ? 0 : 2,
		maximumFractionDigits: whole ? 0 : 2,
	}).format(cents / 100);
}

export type ParsedAmount = { ok: true; cents: number } | { ok: false; message: string };

/** "25000", "25,000", "$25,000.50" → cents; anything else is a sentence saying what to type. */
export function parseDollars(input: string): ParsedAmount {
	const text = input.trim().replace(/^\$/, "").replaceAll(",", "").trim();
	if (text === "") return { ok: false, message: "Enter an amount in dollars." };
	const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
	if (!match) return { ok: false, message: "Enter the amount in dollars, for example 25000 or 25,000.50." };
	const cents = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
	if (!Number.isSafeInteger(cents) || cents > MAX_CENTS) {
		return { ok: false, message: "That amount is larger than TechFlunky accepts." };
	}
	if (cents <= 0) return { ok: false, message: "The amount must be more than $0." };
	return { ok: true, cents };
}

/** A moment, the same on the server and in the browser (UTC), so hydration never disagrees. */
export function moment(iso: string): string {
	const text = new Intl.DateTimeFormat("en-US", {
		dateStyle: "medium",
		timeStyle: "short",
		timeZone: "UTC",
	}).format(new Date(iso));
	return `${text} UTC`;
}
