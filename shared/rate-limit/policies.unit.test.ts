import { describe, expect, it } from "vitest";
import {
	adminPolicy,
	anonymousPolicy,
	applyOverride,
	authPerAccountPolicy,
	authPerIpPolicy,
	bucketPolicySchema,
	buyerPolicy,
	investorPolicy,
	limitOverrideSchema,
	policyForRole,
	sellerPolicy,
} from "./policies.ts";
import { type BucketState, take } from "./token-bucket.ts";

const T0 = 1_767_225_600_000;
const numbers = ({ limit, windowSeconds, burst }: { limit: number; windowSeconds: number; burst: number }) => ({
	limit,
	windowSeconds,
	burst,
});

describe("policies", () => {
	it.each([
		["seller", sellerPolicy, { limit: 1000, windowSeconds: 3600, burst: 100 }],
		["buyer", buyerPolicy, { limit: 500, windowSeconds: 3600, burst: 50 }],
		["investor", investorPolicy, { limit: 500, windowSeconds: 3600, burst: 50 }],
		["anonymous", anonymousPolicy, { limit: 100, windowSeconds: 3600, burst: 20 }],
		["admin", adminPolicy, { limit: 10_000, windowSeconds: 3600, burst: 1000 }],
		["auth-ip", authPerIpPolicy, { limit: 10, windowSeconds: 900, burst: 10 }],
		["auth-account", authPerAccountPolicy, { limit: 10, windowSeconds: 900, burst: 5 }],
	])("sets the %s policy to the documented numbers", (name, policy, expected) => {
		expect(policy.name).toBe(name);
		expect(numbers(policy)).toEqual(expected);
	});

	it("keeps every policy valid for the RPC schema", () => {
		for (const policy of [
			sellerPolicy,
			buyerPolicy,
			investorPolicy,
			anonymousPolicy,
			adminPolicy,
			authPerIpPolicy,
			authPerAccountPolicy,
		]) {
			expect(bucketPolicySchema.safeParse(policy).success).toBe(true);
		}
	});

	it("freezes the shared policies", () => {
		expect(() => {
			(sellerPolicy as { burst: number }).burst = 1_000_000;
		}).toThrow(TypeError);
		expect(sellerPolicy.burst).toBe(100);
	});
});

describe("policyForRole", () => {
	it.each([
		["seller", sellerPolicy],
		["buyer", buyerPolicy],
		["investor", investorPolicy],
		["admin", adminPolicy],
		["guest", anonymousPolicy],
	] as const)("gives a %s the %s policy", (role, policy) => {
		expect(policyForRole(role)).toBe(policy);
	});
});

describe("applyOverride", () => {
	const override = { limit: 5000, windowSeconds: 600, burst: 7 };

	it("replaces the numbers and keeps the policy's name", () => {
		expect(applyOverride(sellerPolicy, override)).toEqual({ name: "seller", ...override });
	});

	it("returns the policy unchanged without an override", () => {
		expect(applyOverride(buyerPolicy, null)).toBe(buyerPolicy);
	});

	it("leaves the base policy untouched", () => {
		applyOverride(sellerPolicy, override);
		expect(numbers(sellerPolicy)).toEqual({ limit: 1000, windowSeconds: 3600, burst: 100 });
	});

	it("changes how many requests a new bucket admits", () => {
		const admitted = (policy: typeof sellerPolicy) => {
			let state: BucketState | null = null;
			let count = 0;
			for (let i = 0; i < 200; i++) {
				const result = take(state, policy, T0);
				state = result.state;
				if (result.decision.allowed) count++;
			}
			return count;
		};
		expect(admitted(sellerPolicy)).toBe(100);
		expect(admitted(applyOverride(sellerPolicy, override))).toBe(7);
		expect(admitted(applyOverride(sellerPolicy, { ...override, burst: 150 }))).toBe(150);
	});
});

describe("limitOverrideSchema", () => {
	it("accepts positive whole numbers within bounds", () => {
		expect(limitOverrideSchema.parse({ limit: 1_000_000, windowSeconds: 86_400, burst: 100_000 })).toEqual({
			limit: 1_000_000,
			windowSeconds: 86_400,
			burst: 100_000,
		});
		expect(limitOverrideSchema.safeParse({ limit: 1, windowSeconds: 1, burst: 1 }).success).toBe(true);
	});

	it.each([
		["a zero limit", { limit: 0, windowSeconds: 3600, burst: 10 }],
		["a negative burst", { limit: 10, windowSeconds: 3600, burst: -1 }],
		["a fractional window", { limit: 10, windowSeconds: 1.5, burst: 10 }],
		["a limit over a million", { limit: 1_000_001, windowSeconds: 3600, burst: 10 }],
		["a window over a day", { limit: 10, windowSeconds: 86_401, burst: 10 }],
		["a burst over 100,000", { limit: 10, windowSeconds: 3600, burst: 100_001 }],
		["an infinite limit", { limit: Number.POSITIVE_INFINITY, windowSeconds: 3600, burst: 10 }],
		["a number as text", { limit: "10", windowSeconds: 3600, burst: 10 }],
		["a missing field", { limit: 10, windowSeconds: 3600 }],
		["an extra field", { limit: 10, windowSeconds: 3600, burst: 10, name: "admin" }],
	])("rejects %s", (_what, input) => {
		expect(limitOverrideSchema.safeParse(input).success).toBe(false);
	});
});
