import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	authPerAccountPolicy,
	authPerIpPolicy,
	buyerPolicy,
	type LimitOverride,
	sellerPolicy,
} from "../../shared/rate-limit/policies.ts";
import type { BucketPolicy, RateLimitDecision } from "../../shared/rate-limit/token-bucket.ts";
import type { TenantObject } from "./tenant-object.ts";

const namespace = (env as unknown as { TenantObject: DurableObjectNamespace<TenantObject> }).TenantObject;
const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);

describe("TenantObject", () => {
	it("counts requests per UTC day", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		expect(await stub.recordRequests(day("2026-11-01"))).toEqual({ day: "2026-11-01", requests: 1 });
		expect(await stub.recordRequests(day("2026-11-01"), 4)).toEqual({ day: "2026-11-01", requests: 5 });
		expect(await stub.recordRequests(day("2026-11-02"))).toEqual({ day: "2026-11-02", requests: 1 });
		expect(await stub.usage(day("2026-11-02"), 7)).toEqual([
			{ day: "2026-11-02", requests: 1 },
			{ day: "2026-11-01", requests: 5 },
		]);
	});

	it("limits usage to the requested window", async () => {
		const stub = namespace.getByName(`buyer_${crypto.randomUUID()}`);
		await stub.recordRequests(day("2026-10-01"));
		await stub.recordRequests(day("2026-11-20"));
		expect(await stub.usage(day("2026-11-20"), 30)).toEqual([{ day: "2026-11-20", requests: 1 }]);
	});

	it("keeps its counters across eviction", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		await stub.recordRequests(day("2026-11-03"), 7);
		await evictDurableObject(stub);
		expect(await stub.recordRequests(day("2026-11-03"))).toEqual({ day: "2026-11-03", requests: 8 });
	});

	it("records its applied schema migrations", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		const versions = await runInDurableObject(stub, (_instance, state) =>
			state.storage.sql.exec<{ version: number }>("SELECT version FROM _migrations ORDER BY version").toArray(),
		);
		expect(versions.map((row) => row.version)).toEqual([1, 2]);
	});
});

const T0 = 1_767_225_600_000;
/** One token every 90 s, five at most. */
const slow: BucketPolicy = { name: "slow", limit: 10, windowSeconds: 900, burst: 5 };

type Stub = DurableObjectStub<TenantObject>;

/** `count` parallel `consume` calls on one stub, all at the same instant (so nothing refills). */
async function consumeInParallel(
	stub: Stub,
	key: string,
	policy: BucketPolicy,
	count: number,
	now = T0,
): Promise<RateLimitDecision[]> {
	return Promise.all(Array.from({ length: count }, () => stub.consume(key, policy, now)));
}

const admitted = (decisions: RateLimitDecision[]) => decisions.filter((d) => d.allowed);

/**
 * The error an RPC call rejects with. Awaited directly rather than through `expect().rejects`,
 * which probes the RPC promise's properties and so spawns pipelined calls that reject unhandled.
 */
async function rejectionOf(call: Promise<unknown>): Promise<unknown> {
	try {
		await call;
	} catch (error) {
		return error;
	}
	throw new Error("the call did not reject");
}

describe("TenantObject rate limiting", () => {
	it("admits exactly the burst out of 200 parallel requests", async () => {
		const stub = namespace.getByName(`buyer_${crypto.randomUUID()}`);
		const decisions = await consumeInParallel(stub, "tenant", buyerPolicy, 200);
		const allowed = admitted(decisions);
		expect(allowed).toHaveLength(50);
		// Each admitted request saw its own token: remaining counts 49 down to 0 with no repeats.
		expect(allowed.map((d) => d.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
		for (const refused of decisions.filter((d) => !d.allowed)) {
			expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
		}
	});

	it("keeps its buckets across eviction", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		await consumeInParallel(stub, "tenant", slow, 3);
		await evictDurableObject(stub);
		expect(await stub.consume("tenant", slow, T0)).toMatchObject({ allowed: true, remaining: 1 });
		expect(await stub.consume("tenant", slow, T0)).toMatchObject({ allowed: true, remaining: 0 });
		expect(await stub.consume("tenant", slow, T0)).toMatchObject({ allowed: false, retryAfterSeconds: 90 });
	});

	it("refills a stored bucket as time passes", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		await consumeInParallel(stub, "tenant", slow, 5);
		expect(await stub.consume("tenant", slow, T0 + 45_000)).toMatchObject({ allowed: false, retryAfterSeconds: 45 });
		await evictDurableObject(stub);
		const later = await consumeInParallel(stub, "tenant", slow, 3, T0 + 90_000);
		expect(admitted(later)).toHaveLength(1);
	});

	it("keeps a separate bucket per key", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		await consumeInParallel(stub, "tenant", slow, 5);
		expect(await stub.consume("tenant", slow, T0)).toMatchObject({ allowed: false });
		expect(await stub.consume("export", slow, T0)).toMatchObject({ allowed: true, remaining: 4 });
	});

	it("has no override until one is set", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		expect(await stub.limitOverride()).toBeNull();
	});

	it("applies a lowering override that persists across eviction", async () => {
		const stub = namespace.getByName(`buyer_${crypto.randomUUID()}`);
		const override = { limit: 1, windowSeconds: 3600, burst: 3 };
		await stub.setLimitOverride(override);
		await evictDurableObject(stub);
		expect(await stub.limitOverride()).toEqual(override);
		const decisions = await consumeInParallel(stub, "tenant", buyerPolicy, 20);
		expect(admitted(decisions)).toHaveLength(3);
		expect(decisions[0]?.policy).toEqual({ name: "buyer", ...override });
	});

	it("applies a raising override", async () => {
		const stub = namespace.getByName(`buyer_${crypto.randomUUID()}`);
		await stub.setLimitOverride({ limit: 5000, windowSeconds: 3600, burst: 80 });
		await evictDurableObject(stub);
		expect(admitted(await consumeInParallel(stub, "tenant", buyerPolicy, 200))).toHaveLength(80);
	});

	it("returns to the default limits when the override is cleared", async () => {
		const stub = namespace.getByName(`buyer_${crypto.randomUUID()}`);
		await stub.setLimitOverride({ limit: 1, windowSeconds: 3600, burst: 3 });
		await stub.setLimitOverride(null);
		await evictDurableObject(stub);
		expect(await stub.limitOverride()).toBeNull();
		expect(admitted(await consumeInParallel(stub, "tenant", buyerPolicy, 60))).toHaveLength(50);
	});

	it("ignores the override on auth buckets", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		await stub.setLimitOverride({ limit: 100_000, windowSeconds: 60, burst: 500 });
		const [general, perIp, perAccount] = await Promise.all([
			consumeInParallel(stub, "tenant", sellerPolicy, 150),
			consumeInParallel(stub, "auth:ip:203.0.113.7", authPerIpPolicy, 20),
			consumeInParallel(stub, "auth:account:usr_0123456789abcdef", authPerAccountPolicy, 20),
		]);
		expect(admitted(general)).toHaveLength(150);
		expect(admitted(perIp)).toHaveLength(10);
		expect(admitted(perAccount)).toHaveLength(5);
		expect(perIp[0]?.policy).toEqual(authPerIpPolicy);
	});

	it("refuses an invalid override and keeps the stored one", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		const valid = { limit: 2000, windowSeconds: 3600, burst: 150 };
		await stub.setLimitOverride(valid);
		const invalid = [
			{ limit: 2000, windowSeconds: 3600, burst: 0 },
			{ limit: 2000.5, windowSeconds: 3600, burst: 150 },
			{ limit: 2000, windowSeconds: 3600, burst: 150, name: "admin" },
			{ limit: 1e12, windowSeconds: 3600, burst: 150 },
		];
		for (const override of invalid) {
			expect(await rejectionOf(stub.setLimitOverride(override as LimitOverride))).toBeInstanceOf(Error);
		}
		expect(await stub.limitOverride()).toEqual(valid);
	});

	it("refuses a malformed consume without touching the bucket", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		expect(await rejectionOf(stub.consume("", slow, T0))).toBeInstanceOf(Error);
		expect(await rejectionOf(stub.consume("tenant", { ...slow, limit: 0 }, T0))).toBeInstanceOf(Error);
		expect(await rejectionOf(stub.consume("tenant", slow, Number.NaN))).toBeInstanceOf(Error);
		expect(await rejectionOf(stub.consume("tenant", slow, T0, 1.5))).toBeInstanceOf(Error);
		expect(await rejectionOf(stub.consume("tenant", slow, T0, 6))).toBeInstanceOf(Error);
		expect(await stub.consume("tenant", slow, T0)).toMatchObject({ allowed: true, remaining: 4 });
	});
});
