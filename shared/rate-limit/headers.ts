/**
 * Rate-limit response headers after draft-ietf-httpapi-ratelimit-headers-09: `RateLimit-Policy`
 * advertises the quota (`q` requests per `w` seconds) and `RateLimit` the state of the bucket
 * (`r` remaining, `t` seconds until it is full again), both as Structured Field lists with the
 * policy name as the item. A refused request also gets `Retry-After` (RFC 9110), which clients
 * and proxies already understand.
 *
 * The draft has no parameter for a token bucket's burst, so clients see the sustained quota and
 * learn about the burst from `r` on a fresh bucket.
 */
import type { RateLimitDecision } from "./token-bucket.ts";

/** An RFC 8941 sf-string: printable ASCII, with `"` and `\` escaped. */
function sfString(value: string): string {
	if (!/^[\x20-\x7e]*$/.test(value)) throw new RangeError("a policy name must be printable ASCII");
	return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}

/** An RFC 8941 sf-integer; the draft's parameters are all non-negative integers. */
function sfInteger(value: number): string {
	if (!Number.isSafeInteger(value) || value < 0) throw new RangeError("a rate-limit parameter must be a whole number");
	return String(value);
}

export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
	const name = sfString(decision.policy.name);
	const headers: Record<string, string> = {
		"RateLimit-Policy": `${name};q=${sfInteger(decision.policy.limit)};w=${sfInteger(decision.policy.windowSeconds)}`,
		RateLimit: `${name};r=${sfInteger(decision.remaining)};t=${sfInteger(decision.resetSeconds)}`,
	};
	if (!decision.allowed) headers["Retry-After"] = sfInteger(decision.retryAfterSeconds);
	return headers;
}
