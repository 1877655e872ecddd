/**
 * Token buckets held in memory, for the edge limiter: several buckets are taken from at once,
 * all or nothing (a client's bucket and its network's), and a bucket is forgotten once it has
 * refilled, since a missing bucket means exactly what a full one does (a new bucket starts full).
 * Memory therefore holds only the buckets that can still refuse someone.
 *
 * Pure: no clock (every call passes `now`), no I/O. The object that owns an instance is what
 * makes it exact under concurrency, by calling it with no `await` in between.
 *
 * Trade-off: a bucket that cannot be kept is one that refuses. When `maxBuckets` are held (only a
 * flood of admitted requests from distinct clients gets there), a request that needs a new bucket
 * is refused for a minute rather than forgetting a bucket that is still spending down.
 */
import {
	type BucketPolicy,
	type BucketState,
	type RateLimitDecision,
	take,
} from "../../shared/rate-limit/token-bucket.ts";

export interface BucketRequest {
	key: string;
	policy: BucketPolicy;
	cost: number;
}

export interface TakeOutcome {
	allowed: boolean;
	/** One per request, in order; when refused, none of them was spent. */
	decisions: RateLimitDecision[];
}

interface Held {
	state: BucketState;
	/** When the bucket will be full again (ms since the epoch); it is forgotten from then on. */
	fullAt: number;
}

/** How long a refusal for want of room asks the client to wait. */
const FULL_RETRY_SECONDS = 60;

export class MemoryBuckets {
	readonly #held = new Map<string, Held>();
	readonly #maxBuckets: number;
	readonly #sweepEveryMs: number;
	#sweptAt = Number.NEGATIVE_INFINITY;

	constructor(options: { maxBuckets: number; sweepEveryMs: number }) {
		this.#maxBuckets = options.maxBuckets;
		this.#sweepEveryMs = options.sweepEveryMs;
	}

	/** How many buckets are held (not yet full). */
	get size(): number {
		return this.#held.size;
	}

	/** Takes from every bucket, or from none when any of them refuses. */
	takeAll(requests: readonly BucketRequest[], now: number): TakeOutcome {
		if (now - this.#sweptAt >= this.#sweepEveryMs) this.sweep(now);
		const taken = requests.map((request) => {
			const held = this.#held.get(request.key);
			const stale = held !== undefined && held.fullAt <= now;
			return {
				request,
				held: stale ? undefined : held,
				...take(stale ? null : (held?.state ?? null), request.policy, now, request.cost),
			};
		});
		const decisions = taken.map((entry) => entry.decision);
		const newBuckets = taken.filter((entry) => entry.held === undefined).length;
		if (newBuckets > 0 && this.#held.size + newBuckets > this.#maxBuckets) {
			return { allowed: false, decisions: decisions.map(noRoom) };
		}
		if (!decisions.every((decision) => decision.allowed)) return { allowed: false, decisions };
		for (const { request, state, decision } of taken) {
			this.#held.set(request.key, { state, fullAt: state.updatedAt + decision.resetSeconds * 1000 });
		}
		return { allowed: true, decisions };
	}

	/** Forgets every bucket that is full again at `now`; returns how many are left. */
	sweep(now: number): number {
		this.#sweptAt = now;
		for (const [key, held] of this.#held) if (held.fullAt <= now) this.#held.delete(key);
		return this.#held.size;
	}
}

function noRoom(decision: RateLimitDecision): RateLimitDecision {
	return { ...decision, allowed: false, retryAfterSeconds: Math.max(decision.retryAfterSeconds, FULL_RETRY_SECONDS) };
}
