import { describe, expect, it } from "vitest";
import { IdempotencyCache, KEY_LIFETIME_MS, requestFingerprint } from "./idempotency.ts";

const response = { status: 200, body: '{"id":"re_1"}', requestId: "req_1" };
const refund = requestFingerprint("POST", "/v1/refunds", { payment_intent: "pi_1", amount: "100" });

describe("idempotency keys", () => {
	it("replays the saved response for the same key and request", () => {
		const cache = new IdempotencyCache();
		cache.save("sk_test_a", "k1", refund, response, 0);
		expect(cache.lookup("sk_test_a", "k1", refund, 1000)).toEqual({ kind: "replay", response });
	});

	it("treats parameters in another order as the same request", () => {
		const reordered = requestFingerprint("POST", "/v1/refunds", { amount: "100", payment_intent: "pi_1" });
		expect(reordered).toBe(refund);
	});

	it("refuses the same key with other parameters or another endpoint", () => {
		const cache = new IdempotencyCache();
		cache.save("sk_test_a", "k1", refund, response, 0);
		const other = requestFingerprint("POST", "/v1/refunds", { payment_intent: "pi_1", amount: "200" });
		const elsewhere = requestFingerprint("POST", "/v1/transfers", { payment_intent: "pi_1", amount: "100" });
		expect(cache.lookup("sk_test_a", "k1", other, 1).kind).toBe("mismatch");
		expect(cache.lookup("sk_test_a", "k1", elsewhere, 1).kind).toBe("mismatch");
	});

	it("scopes keys by API key", () => {
		const cache = new IdempotencyCache();
		cache.save("sk_test_a", "k1", refund, response, 0);
		expect(cache.lookup("sk_test_b", "k1", refund, 1).kind).toBe("miss");
	});

	it("forgets a key after 24 hours", () => {
		const cache = new IdempotencyCache();
		cache.save("sk_test_a", "k1", refund, response, 0);
		expect(cache.lookup("sk_test_a", "k1", refund, KEY_LIFETIME_MS - 1).kind).toBe("replay");
		expect(cache.lookup("sk_test_a", "k1", refund, KEY_LIFETIME_MS).kind).toBe("miss");
		expect(cache.size).toBe(0);
	});
});
