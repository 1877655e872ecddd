import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { anonymousPolicy, networkPolicy } from "../../shared/rate-limit/policies.ts";
import { EDGE_LIMITER_SHARDS, type EdgeLimiter, edgeLimiterShard, KEEP_ALIVE_MS } from "./edge-limiter.ts";

const namespace = (env as unknown as { EdgeLimiter: DurableObjectNamespace<EdgeLimiter> }).EdgeLimiter;
/** A shard of its own per test: the production names are shared by every test in the file. */
const shard = () => namespace.getByName(`test:${crypto.randomUUID()}`);
const anonymous = (client: string, network = "net") => [
	{ key: `anon:${client}`, policy: anonymousPolicy },
	{ key: `anon-net:${network}`, policy: networkPolicy(anonymousPolicy) },
];

/** What the object has written to durable storage: its SQLite tables (not the runtime's own) and KV keys. */
const storageOf = (stub: DurableObjectStub<EdgeLimiter>) =>
	runInDurableObject(stub, async (_instance, state) => ({
		tables: state.storage.sql
			.exec<{ name: string }>(
				"SELECT name FROM sqlite_master WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%'",
			)
			.toArray()
			.map((row) => row.name),
		keys: [...(await state.storage.list()).keys()],
		alarm: await state.storage.getAlarm(),
	}));

describe("EdgeLimiter", () => {
	it("admits exactly one burst to 200 parallel requests of one client", async () => {
		const stub = shard();
		const now = Date.now();
		const results = await Promise.all(Array.from({ length: 200 }, () => stub.take({ buckets: anonymous("a"), now })));
		expect(results.filter((result) => result.allowed)).toHaveLength(anonymousPolicy.burst);
	});

	it("admits exactly the network's burst to 500 parallel requests from distinct clients of one network", async () => {
		const stub = shard();
		const now = Date.now();
		const results = await Promise.all(
			Array.from({ length: 500 }, (_, i) => stub.take({ buckets: anonymous(`client-${i}`), now })),
		);
		expect(results.filter((result) => result.allowed)).toHaveLength(networkPolicy(anonymousPolicy).burst);
	});

	it("writes nothing per client: 1,000 new clients leave no table, no key, and one keep-alive alarm", async () => {
		const stub = shard();
		const before = Date.now();
		for (let i = 0; i < 1000; i++) {
			const result = await stub.take({ buckets: anonymous(`client-${i}`, `net-${i}`), now: Date.now() });
			expect(result.allowed).toBe(true);
		}
		const storage = await storageOf(stub);
		expect(storage.tables).toEqual([]);
		expect(storage.keys).toEqual([]);
		expect(storage.alarm).toBeGreaterThanOrEqual(before + KEEP_ALIVE_MS);
		expect(await stub.heldBuckets(Date.now())).toBe(2000);
	});

	it("keeps coming back while it holds a bucket that is not full, and stops once every bucket is full", async () => {
		const stub = shard();
		await stub.take({ buckets: anonymous("a"), now: Date.now() });
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		// One token of 20 at 100/h is 36 s of refill: still held, so the alarm is set again.
		expect((await storageOf(stub)).alarm).not.toBeNull();
		// Spent long enough ago that both buckets are full now: forgotten, and no alarm is left.
		const stale = shard();
		await stale.take({ buckets: anonymous("b"), now: Date.now() - 3_600_000 });
		expect(await runDurableObjectAlarm(stale)).toBe(true);
		expect(await stale.heldBuckets(Date.now())).toBe(0);
		expect((await storageOf(stale)).alarm).toBeNull();
	});

	it("spends nothing on a refused request", async () => {
		const stub = shard();
		const now = Date.now();
		for (let i = 0; i < 20; i++) await stub.take({ buckets: anonymous("a"), now });
		const refused = await stub.take({ buckets: anonymous("a"), now });
		expect(refused.allowed).toBe(false);
		expect(refused.decisions[0]?.retryAfterSeconds).toBeGreaterThan(0);
		// The network bucket was not charged for the refusal: 20 of its 200 are spent, not 21.
		const other = await stub.take({ buckets: anonymous("b"), now });
		expect(other.decisions[1]?.remaining).toBe(179);
	});

	it("refuses malformed input", async () => {
		const stub = shard();
		const now = Date.now();
		const bad = [
			{ buckets: [], now },
			{ buckets: anonymous("a"), now: -1 },
			{ buckets: [{ key: "", policy: anonymousPolicy }], now },
			{ buckets: [{ key: "a", policy: { ...anonymousPolicy, burst: 0 } }], now },
			{ buckets: [{ key: "a", policy: anonymousPolicy, extra: 1 }], now },
		];
		for (const input of bad) {
			const error = await stub.take(input as never).then(
				() => null,
				(cause: unknown) => cause,
			);
			expect(error).toBeInstanceOf(Error);
		}
	});
});

describe("edgeLimiterShard", () => {
	it("spreads keys over every shard and always picks the same one for a key", () => {
		const seen = new Set(Array.from({ length: 5000 }, (_, i) => edgeLimiterShard(`v4:10.${i >> 8}.${i & 255}.0/24`)));
		expect(seen.size).toBe(EDGE_LIMITER_SHARDS);
		expect(edgeLimiterShard("v6:2001:db8:1::/48")).toBe(edgeLimiterShard("v6:2001:db8:1::/48"));
	});
});
