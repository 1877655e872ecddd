import { describe, expect, it } from "vitest";
import type { BucketPolicy } from "../../shared/rate-limit/token-bucket.ts";
import { type BucketRequest, MemoryBuckets } from "./memory-buckets.ts";

const client: BucketPolicy = { name: "anonymous", limit: 100, windowSeconds: 3600, burst: 20 };
const network: BucketPolicy = { name: "anonymous-network", limit: 1000, windowSeconds: 3600, burst: 200 };
const T0 = 1_800_000_000_000;

const buckets = (maxBuckets = 1000) => new MemoryBuckets({ maxBuckets, sweepEveryMs: 10_000 });
const pair = (clientKey: string, networkKey = "net"): BucketRequest[] => [
	{ key: clientKey, policy: client, cost: 1 },
	{ key: networkKey, policy: network, cost: 1 },
];

describe("MemoryBuckets", () => {
	it("admits a client's burst, then refuses with the client's bucket as the reason", () => {
		const held = buckets();
		for (let i = 0; i < 20; i++) expect(held.takeAll(pair("a"), T0).allowed).toBe(true);
		const refused = held.takeAll(pair("a"), T0);
		expect(refused.allowed).toBe(false);
		expect(refused.decisions[0]).toMatchObject({ allowed: false, retryAfterSeconds: 36 });
		expect(refused.decisions[1]?.allowed).toBe(true);
	});

	it("caps many clients of one network at the network's bucket", () => {
		const held = buckets();
		const admitted = Array.from({ length: 300 }, (_, i) => held.takeAll(pair(`client-${i}`), T0)).filter(
			(outcome) => outcome.allowed,
		);
		expect(admitted).toHaveLength(200);
	});

	it("spends nothing when any bucket refuses", () => {
		const held = buckets();
		for (let i = 0; i < 200; i++) held.takeAll(pair(`client-${i}`), T0);
		expect(held.takeAll(pair("fresh"), T0).allowed).toBe(false);
		// The fresh client's bucket was not touched: in another network it still has its whole burst.
		const elsewhere = held.takeAll(pair("fresh", "other-net"), T0);
		expect(elsewhere.decisions[0]?.remaining).toBe(19);
	});

	it("refills with time and forgets a bucket once it is full again", () => {
		const held = buckets();
		for (let i = 0; i < 20; i++) held.takeAll(pair("a"), T0);
		expect(held.size).toBe(2);
		// 20 tokens at 100/h refill in 12 minutes; the network's 20 of 200 at 1000/h in 72 s.
		expect(held.sweep(T0 + 72_000)).toBe(1);
		expect(held.sweep(T0 + 720_000 - 1)).toBe(1);
		expect(held.sweep(T0 + 720_000)).toBe(0);
		expect(held.takeAll(pair("a"), T0 + 720_000).decisions[0]?.remaining).toBe(19);
	});

	it("never forgets a bucket that could still refuse", () => {
		const held = buckets();
		for (let i = 0; i < 20; i++) held.takeAll(pair("a"), T0);
		// Sweeps run inside takeAll too; after 6 minutes half the burst is back, not all of it.
		held.takeAll(pair("b"), T0 + 360_000);
		const outcome = held.takeAll(pair("a"), T0 + 360_000);
		expect(outcome.decisions[0]?.remaining).toBe(9);
	});

	it("refuses a new bucket for a minute when it holds as many as it may, and keeps the old ones", () => {
		const held = buckets(4);
		expect(held.takeAll(pair("a"), T0).allowed).toBe(true);
		expect(held.takeAll(pair("b"), T0).allowed).toBe(true);
		expect(held.takeAll(pair("c", "net"), T0).allowed).toBe(true);
		expect(held.size).toBe(4);
		const refused = held.takeAll(pair("d", "net"), T0);
		expect(refused.allowed).toBe(false);
		expect(refused.decisions[0]?.retryAfterSeconds).toBe(60);
		expect(held.takeAll(pair("a"), T0).decisions[0]?.remaining).toBe(18);
	});
});
