import { describe, expect, it } from "vitest";
import { rateLimitHeaders } from "./headers.ts";
import type { RateLimitDecision } from "./token-bucket.ts";

const policy = { name: "seller", limit: 1000, windowSeconds: 3600, burst: 100 };

const allowed: RateLimitDecision = {
	allowed: true,
	limit: 1000,
	remaining: 42,
	resetSeconds: 209,
	retryAfterSeconds: 0,
	policy,
};
const refused: RateLimitDecision = {
	allowed: false,
	limit: 1000,
	remaining: 0,
	resetSeconds: 360,
	retryAfterSeconds: 4,
	policy,
};

describe("rateLimitHeaders", () => {
	it("advertises the policy and the bucket's state on an allowed request", () => {
		expect(rateLimitHeaders(allowed)).toEqual({
			"RateLimit-Policy": '"seller";q=1000;w=3600',
			RateLimit: '"seller";r=42;t=209',
		});
	});

	it("adds Retry-After on a refused request", () => {
		expect(rateLimitHeaders(refused)).toEqual({
			"RateLimit-Policy": '"seller";q=1000;w=3600',
			RateLimit: '"seller";r=0;t=360',
			"Retry-After": "4",
		});
	});

	it("advertises the policy's own numbers, so an override shows", () => {
		const overridden = { ...allowed, policy: { ...policy, limit: 5000, windowSeconds: 600 } };
		expect(rateLimitHeaders(overridden)["RateLimit-Policy"]).toBe('"seller";q=5000;w=600');
	});

	it("escapes quotes and backslashes in the policy name", () => {
		const odd = { ...allowed, policy: { ...policy, name: 'a"b\\c' } };
		expect(rateLimitHeaders(odd).RateLimit).toBe('"a\\"b\\\\c";r=42;t=209');
	});

	it.each([
		["a non-ASCII policy name", { ...allowed, policy: { ...policy, name: "vendeur·euse" } }],
		["a control character in the name", { ...allowed, policy: { ...policy, name: "a\r\nX-Injected: 1" } }],
		["a fractional remaining", { ...allowed, remaining: 1.5 }],
		["a negative reset", { ...allowed, resetSeconds: -1 }],
		["a non-finite Retry-After", { ...refused, retryAfterSeconds: Number.POSITIVE_INFINITY }],
	])("throws a RangeError for %s", (_what, decision) => {
		expect(() => rateLimitHeaders(decision)).toThrow(RangeError);
	});
});
