/**
 * The listing form's fields and the one translation between what a seller types and what the API
 * takes: dollars become cents, blank numbers become `null` (cleared), the tech stack is a
 * comma-separated line, blank confidential details are no details. Pure functions over strings,
 * no React and no zod at runtime (the contract is `import type` only), so the island stays small
 * and the API stays the judge of every value: only text that is not a number at all is refused
 * here, because there is nothing to send for it.
 *
 * Every field is keyed by the API's own dotted path (`metrics.mrr_cents`), which is also the
 * input's `name`, so a problem's `errors[].field` lands at its input without a lookup table.
 */
import type { ListingView } from "../../../../shared/contract/routes/listings.ts";

export const FIELD_KEYS = [
	"title",
	"summary",
	"description",
	"category",
	"asking_price_cents",
	"currency",
	"metrics.mrr_cents",
	"metrics.revenue_cents",
	"metrics.monthly_visitors",
	"metrics.age_months",
	"tech_stack",
	"confidential.legal_name",
	"confidential.website_url",
	"confidential.financials",
	"confidential.notes",
	"nda_text",
] as const;
export type FieldKey = (typeof FIELD_KEYS)[number];

export type Values = Record<FieldKey, string>;
export type FieldErrors = Partial<Record<FieldKey, string>>;

const MONEY_FIELDS = ["asking_price_cents", "metrics.mrr_cents", "metrics.revenue_cents"] as const;
const WHOLE_FIELDS = ["metrics.monthly_visitors", "metrics.age_months"] as const;
const CONFIDENTIAL = ["legal_name", "website_url", "financials", "notes"] as const;

/** The input's id for a field: dots are fine in ids, but not in CSS selectors, so they become dashes. */
export const inputId = (key: FieldKey) => `listing-${key.replace(".", "-")}`;
export const errorId = (key: FieldKey) => `${inputId(key)}-error`;

function dollars(cents: number | null | undefined): string {
	if (cents === null || cents === undefined) return "";
	const whole = Math.floor(cents / 100);
	const rest = cents % 100;
	return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(2, "0")}`;
}

/** The form's starting values: empty for a new listing, the listing's own for an edit. */
export function valuesOf(listing: ListingView | null): Values {
	const metrics = listing?.metrics;
	const confidential = listing?.confidential ?? {};
	return {
		title: listing?.title ?? "",
		summary: listing?.summary ?? "",
		description: listing?.description ?? "",
		category: listing?.category ?? "saas",
		asking_price_cents: dollars(listing?.asking_price_cents),
		currency: listing?.currency ?? "USD",
		"metrics.mrr_cents": dollars(metrics?.mrr_cents),
		"metrics.revenue_cents": dollars(metrics?.revenue_cents),
		"metrics.monthly_visitors": metrics?.monthly_visitors?.toString() ?? "",
		"metrics.age_months": metrics?.age_months?.toString() ?? "",
		tech_stack: listing?.tech_stack.join(", ") ?? "",
		"confidential.legal_name": confidential.legal_name ?? "",
		"confidential.website_url": confidential.website_url ?? "",
		"confidential.financials": confidential.financials ?? "",
		"confidential.notes": confidential.notes ?? "",
		nda_text: listing?.nda.text ?? "",
	};
}

/** Dollars (`250000`, `1,999.99`, `$12`) in cents; `null` for blank; `undefined` when it is no amount. */
export function parseDollars(text: string): number | null | undefined {
	const plain = text.trim().replace(/^\$/, "").replaceAll(",", "").trim();
	if (plain === "") return null;
	const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(plain);
	if (!match) return undefined;
	return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

/** A whole number (`42000`, `42,000`); `null` for blank; `undefined` when it is none. */
export function parseWhole(text: string): number | null | undefined {
	const plain = text.trim().replaceAll(",", "");
	if (plain === "") return null;
	return /^\d+$/.test(plain) ? Number(plain) : undefined;
}

export type Built = { ok: true; body: Record<string, unknown> } | { ok: false; errors: FieldErrors };

/** The JSON body for `POST /api/v1/listings` or `PATCH /api/v1/listings/{id}`, or the fields that are no numbers. */
export function bodyOf(values: Values): Built {
	const errors: FieldErrors = {};
	const numbers: Partial<Record<FieldKey, number | null>> = {};
	for (const key of MONEY_FIELDS) {
		const cents = parseDollars(values[key]);
		if (cents === undefined) errors[key] = "Enter an amount in dollars, such as 250000 or 1999.99.";
		else numbers[key] = cents;
	}
	for (const key of WHOLE_FIELDS) {
		const value = parseWhole(values[key]);
		if (value === undefined) errors[key] = "Enter a whole number, such as 1200.";
		else numbers[key] = value;
	}
	if (Object.keys(errors).length > 0) return { ok: false, errors };

	const confidential: Record<string, string> = {};
	for (const name of CONFIDENTIAL) {
		const text = values[`confidential.${name}`].trim();
		if (text !== "") confidential[name] = text;
	}
	const price = numbers.asking_price_cents;
	const currency = values.currency.trim();
	return {
		ok: true,
		body: {
			title: values.title,
			summary: values.summary,
			description: values.description,
			category: values.category,
			// Blank: left out, so the API says what it needs rather than us guessing a price.
			...(price === null || price === undefined ? {} : { asking_price_cents: price }),
			...(currency === "" ? {} : { currency }),
			metrics: {
				mrr_cents: numbers["metrics.mrr_cents"] ?? null,
				revenue_cents: numbers["metrics.revenue_cents"] ?? null,
				monthly_visitors: numbers["metrics.monthly_visitors"] ?? null,
				age_months: numbers["metrics.age_months"] ?? null,
			},
			tech_stack: values.tech_stack
				.split(/[,\n]/)
				.map((tech) => tech.trim())
				.filter((tech) => tech !== ""),
			confidential: Object.keys(confidential).length === 0 ? null : confidential,
			nda_text: values.nda_text,
		},
	};
}

/** The form field an API error names (`tech_stack.3` is the tech stack line), or `null` for the whole form. */
export function fieldOf(apiField: string): FieldKey | null {
	const parts = apiField.split(".");
	const two = parts.slice(0, 2).join(".");
	if ((FIELD_KEYS as readonly string[]).includes(two)) return two as FieldKey;
	const one = parts[0] ?? "";
	return (FIELD_KEYS as readonly string[]).includes(one) ? (one as FieldKey) : null;
}

/**
 * The API's field messages in plainer words where zod's defaults are technical; anything else as
 * the API said it, so no message is lost.
 */
export function plainMessage(message: string): string {
	if (/received undefined|expected string to have >=1 character/.test(message)) return "Fill this in.";
	const longest = /expected string to have <=(\d+) characters/.exec(message);
	if (longest) return `Use at most ${longest[1]} characters.`;
	if (/expected number to be >=0/.test(message)) return "Enter 0 or more.";
	if (/expected number to be >0/.test(message)) return "Enter an amount above 0.";
	const most = /expected number to be <=(\d+)/.exec(message);
	if (most) return `Enter at most ${Number(most[1]).toLocaleString("en-US")}.`;
	// Messages written to follow a field's name ("is required to publish") stand alone here.
	const plain = message.replace(/^is /, "");
	return plain.charAt(0).toUpperCase() + plain.slice(1);
}
