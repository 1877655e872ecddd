/**
 * Token bucket, as pure arithmetic: the caller supplies the stored state and `now`, and stores
 * the state it gets back. Holding the state (and making read-modify-write exact under
 * concurrency) is the job of the tenant's Durable Object; this module has no I/O and no clock.
 *
 * The bucket holds up to `burst` tokens and refills continuously at `limit / windowSeconds`
 * tokens per second, so a client may spend a burst at once and then `limit` per window. Refill is
 * computed lazily from the time since the last request, so an idle bucket costs nothing.
 *
 * Trade-offs: time comes from the callers, whose clocks may disagree by a little. A clock that
 * goes backwards never refills and never rewinds the bucket's timestamp, so skew can only make
 * the limiter stricter, never looser. Fractions of tokens are kept (a REAL column) and compared
 * with a tiny tolerance so that float rounding never refuses a request that whole-second
 * arithmetic (Retry-After) promised would succeed.
 */

export interface BucketPolicy {
	/** Shown to clients in `RateLimit-Policy`; a token of printable ASCII. */
	name: string;
	/** Sustained rate: `limit` requests per `windowSeconds`. */
	limit: number;
	windowSeconds: number;
	/** Capacity: how many requests may arrive at once on a full bucket. */
	burst: number;
}

export interface BucketState {
	tokens: number;
	/** Time (ms since the epoch) up to which refill has been credited. */
	updatedAt: number;
}

export interface RateLimitDecision {
	allowed: boolean;
	limit: number;
	/** Whole tokens left after this request. */
	remaining: number;
	/** Whole seconds until the bucket is full again. */
	resetSeconds: number;
	/** Whole seconds until the refused request could succeed; 0 when allowed. */
	retryAfterSeconds: number;
	policy: BucketPolicy;
}

/** Far below one token, far above the rounding error of the arithmetic here. */
const EPSILON = 1e-9;

function assertPositive(value: number, what: string): void {
	if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${what} must be a positive finite number`);
}

function wholeSecondsUntil(seconds: number): number {
	return Math.max(0, Math.ceil(seconds - EPSILON));
}

export function take(
	state: BucketState | null,
	policy: BucketPolicy,
	now: number,
	cost = 1,
): { decision: RateLimitDecision; state: BucketState } {
	assertPositive(policy.limit, "policy.limit");
	assertPositive(policy.windowSeconds, "policy.windowSeconds");
	assertPositive(policy.burst, "policy.burst");
	if (!Number.isFinite(now)) throw new RangeError("now must be a finite number");
	if (!Number.isFinite(cost) || cost < 0) throw new RangeError("cost must be a non-negative finite number");
	// A request the bucket can never hold would be refused forever with no honest Retry-After.
	if (cost > policy.burst) throw new RangeError("cost exceeds the bucket's burst");

	const perMs = policy.limit / (policy.windowSeconds * 1000);
	const perSecond = perMs * 1000;

	let tokens: number;
	let updatedAt: number;
	if (state === null) {
		tokens = policy.burst;
		updatedAt = now;
	} else {
		// Stored state that is not a number is treated as an empty bucket: fail closed, refill from now.
		const stored = Number.isFinite(state.tokens) ? state.tokens : 0;
		const since = Number.isFinite(state.updatedAt) ? state.updatedAt : now;
		const elapsed = Math.max(0, now - since);
		// Clamping also applies a lowered burst (an override) to a bucket filled under the old one.
		tokens = Math.min(policy.burst, Math.max(0, stored) + elapsed * perMs);
		updatedAt = Math.max(since, now);
	}

	const allowed = tokens + EPSILON >= cost;
	if (allowed) tokens = Math.max(0, tokens - cost);

	const decision: RateLimitDecision = {
		allowed,
		limit: policy.limit,
		remaining: Math.max(0, Math.floor(tokens + EPSILON)),
		resetSeconds: wholeSecondsUntil((policy.burst - tokens) / perSecond),
		retryAfterSeconds: allowed ? 0 : Math.max(1, wholeSecondsUntil((cost - tokens) / perSecond)),
		policy,
	};
	return { decision, state: { tokens, updatedAt } };
}
