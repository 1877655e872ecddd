/**
 * EdgeLimiter: the buckets of callers who have no tenant yet — anonymous clients by address
 * block, the sign-in and sign-up buckets per address block, and the per-account sign-in buckets —
 * held in memory by a fixed set of shard objects (`shard:0` … `shard:63`).
 *
 * Why not one object per client, as before: every new address made a Durable Object with its own
 * SQLite storage, migrations and an alarm, so an attacker rotating addresses made the platform
 * write durable state per request (a new object costs about ten times a warm one). Here a new
 * client costs one map entry in an object that is already warm, and nothing is written per
 * client; the only storage write is the shard's keep-alive alarm, at most one per shard per
 * `KEEP_ALIVE_MS`.
 *
 * Exactness: one key always lives in one shard (the shard is chosen from the key's network, so a
 * client's bucket and its network's are taken together, atomically), and the shard takes with no
 * `await`, so a burst of parallel requests never admits more than the buckets hold.
 *
 * How long a bucket is kept: until it is full again, which is as long as it can refuse anyone. An
 * idle Durable Object is evicted from memory after a minute or two; while a shard holds a bucket
 * that is not full, its alarm wakes it every `KEEP_ALIVE_MS`, which is activity, so it stays
 * resident. What still forgets buckets is a restart of the object (a deploy, a host failure):
 * every bucket then starts full again, at most one extra burst per client per restart. That is
 * the price of keeping no per-client storage, and it is accepted for these buckets; tenants'
 * buckets, which admins override and which guard paid-for work, stay durable in TenantObject.
 */
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { bucketPolicySchema } from "../../shared/rate-limit/policies.ts";
import type { RateLimitDecision } from "../../shared/rate-limit/token-bucket.ts";
import { MemoryBuckets } from "./memory-buckets.ts";

/** How many shard objects share the buckets; a key's shard never changes. */
export const EDGE_LIMITER_SHARDS = 64;
/** While a shard holds a bucket that is not full, its alarm fires this often (well inside eviction). */
export const KEEP_ALIVE_MS = 30_000;
/** At most this many buckets in one shard (see memory-buckets.ts for what happens beyond it). */
const MAX_BUCKETS = 200_000;

/** The shard that holds `shardKey`'s buckets: FNV-1a of the key, modulo the shard count. */
export function edgeLimiterShard(shardKey: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < shardKey.length; i++) {
		hash ^= shardKey.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return `shard:${hash % EDGE_LIMITER_SHARDS}`;
}

const takeSchema = z
	.object({
		buckets: z
			.array(
				z
					.object({
						key: z.string().min(1).max(256),
						policy: bucketPolicySchema,
						cost: z.number().int().nonnegative().max(100_000).default(1),
					})
					.strict(),
			)
			.min(1)
			.max(4),
		now: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
	})
	.strict();

export type EdgeTakeInput = z.input<typeof takeSchema>;

export interface EdgeTakeResult {
	allowed: boolean;
	/** One per bucket asked for, in order; when refused, nothing was spent. */
	decisions: RateLimitDecision[];
}

export class EdgeLimiter extends DurableObject {
	readonly #buckets = new MemoryBuckets({ maxBuckets: MAX_BUCKETS, sweepEveryMs: 10_000 });
	/** Whether this instance has a keep-alive alarm pending. */
	#alarmPending = false;

	/** Takes one request's tokens from every bucket named, or from none when any refuses. */
	take(input: EdgeTakeInput): EdgeTakeResult {
		const parsed = takeSchema.parse(input);
		const outcome = this.#buckets.takeAll(parsed.buckets, parsed.now);
		if (outcome.allowed && !this.#alarmPending) this.#keepAlive(Date.now());
		return outcome;
	}

	/** How many buckets this shard holds (tests and operators; nothing else depends on it). */
	heldBuckets(now: number): number {
		return this.#buckets.sweep(now);
	}

	/** The keep-alive: forgets full buckets and, while any is left, comes back in `KEEP_ALIVE_MS`. */
	override async alarm(): Promise<void> {
		this.#alarmPending = false;
		const now = Date.now();
		if (this.#buckets.sweep(now) > 0) this.#keepAlive(now);
	}

	#keepAlive(now: number): void {
		this.#alarmPending = true;
		this.ctx.storage.setAlarm(now + KEEP_ALIVE_MS).catch((cause: unknown) => {
			this.#alarmPending = false;
			console.error("could not set the edge limiter's keep-alive alarm", cause);
		});
	}
}
