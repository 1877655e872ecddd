/**
 * The building blocks every route's schemas share — ids, money, currency, tenant ids, cursors,
 * the problem body — written once and imported by both Workers, the scripts, the tests and the
 * web app. Plain zod (no Workers runtime), so any of them can load it.
 */
import { z } from "@hono/zod-openapi";
import { cursorQuery } from "../http/cursor.ts";

const hexId = (prefix: string, what: string) =>
	z
		.string()
		.regex(new RegExp(`^${prefix}_[0-9a-f]{32}$`), `must be ${what}`)
		.openapi({ example: `${prefix}_0123456789abcdef0123456789abcdef` });

export const listingId = hexId("lst", "a listing id");
export const offerId = hexId("off", "an offer id");
export const accessRequestId = hexId("acr", "an access request id");
export const paymentId = hexId("pay", "a payment id");
export const userId = hexId("usr", "a user id");

/** A tenant: `seller_…`, `buyer_…`, `investor_…` or `admin_…`. */
export const tenantId = z
	.string()
	.regex(/^(seller|buyer|investor|admin)_[0-9a-z]{1,40}$/, "must be a tenant id")
	.openapi({ example: "seller_0123456789abcdef0123456789abcdef" });

/** Largest amount: a trillion in major units, well inside `Number.MAX_SAFE_INTEGER`. */
export const MAX_AMOUNT_CENTS = 100_000_000_000_000;
/** Money is integer minor units (cents); an amount someone pays is positive. */
export const amountCents = z.number().int().positive().max(MAX_AMOUNT_CENTS);
/** A figure in minor units that may be zero (revenue, MRR). */
export const minorUnits = z.number().int().nonnegative().max(MAX_AMOUNT_CENTS);

/** An ISO 4217 code; `usd` and `USD` are both accepted and stored upper-case. */
export const currency = z
	.string()
	.regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 code such as USD")
	.transform((code) => code.toUpperCase())
	.openapi({ example: "USD" });

/** ISO 8601 timestamps, as the API writes them. */
export const timestamp = z.string().openapi({ format: "date-time", example: "2026-12-01T10:00:00.000Z" });

/** A page's `cursor`: one this API issued, decoded to its position. */
export const cursor = cursorQuery.openapi({ type: "string", description: "`next_cursor` of the previous page" });

/** `{items, next_cursor}` of `item`. */
export const page = <T extends z.ZodType>(item: T) =>
	z.object({ items: z.array(item), next_cursor: z.string().nullable() });

export const fieldError = z.object({ field: z.string(), message: z.string() });

/** RFC 9457 problem details, as every error is answered. */
export const problem = z
	.object({
		type: z.string(),
		title: z.string(),
		status: z.number().int(),
		detail: z.string(),
		instance: z.string().optional().openapi({ description: "the request id (`X-Request-Id`)" }),
		errors: z.array(fieldError).optional(),
		offer_id: z.string().optional().openapi({ description: "the open thread a second offer conflicts with" }),
	})
	.openapi("Problem");

const PROBLEM_TEXT = {
	400: "The request is not valid (field errors in `errors`).",
	401: "Not signed in, or the credential does not work.",
	403: "Signed in, but this account may not do this.",
	404: "Not found, or not visible to the caller.",
	405: "The path exists, with other methods (`Allow`).",
	409: "The state of the resource does not allow it.",
	413: "The body is over the route's limit.",
	415: "The body is not of a type the route takes.",
	429: "Rate limited (`Retry-After`).",
	500: "Something failed on our side; the request changed nothing.",
	502: "The tenant's Worker failed.",
	503: "A service the request needs is unavailable.",
} as const satisfies Record<number, string>;

/** One problem response, as a route's `responses` declares it. */
interface ProblemResponse {
	description: string;
	content: { "application/problem+json": { schema: typeof problem } };
}

/**
 * The problem responses of `statuses`, for a route's `responses`; typed per status, so the typed
 * client (./client.ts) knows each one a route declares and types its body as the problem.
 */
export function problems<const S extends keyof typeof PROBLEM_TEXT>(...statuses: S[]): { [K in S]: ProblemResponse } {
	const response = (status: S): ProblemResponse => ({
		description: PROBLEM_TEXT[status],
		content: { "application/problem+json": { schema: problem } },
	});
	return Object.fromEntries(statuses.map((status) => [status, response(status)])) as { [K in S]: ProblemResponse };
}

/** A JSON response of `schema`. */
export function json<T extends z.ZodType>(schema: T, description: string) {
	return { description, content: { "application/json": { schema } } } as const;
}

/** A required JSON request body of `schema`. */
export function jsonBody<T extends z.ZodType>(schema: T) {
	return { required: true, content: { "application/json": { schema } } } as const;
}

/** A route's `security` when it takes a credential: the bearer token, or the browser's session cookie. */
export const signedInSecurity: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];
