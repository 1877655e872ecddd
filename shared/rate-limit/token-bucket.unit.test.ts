import { describe, expect, it } from "vitest";
import { type BucketPolicy, type BucketState, type RateLimitDecision, take } from "./token-bucket.ts";

const T0 = 1_767_225_600_000;
/** One token every 90 s, five at most: the auth-per-account numbers, whose rate is easy to reason about. */
const slow: BucketPolicy = { name: "slow", limit: 10, windowSeconds: 900, burst: 5 };
/** One token per second, ten at most. */
const steady: BucketPolicy = { name: "steady", limit: 60, windowSeconds: 60, burst: 10 };

/** Calls `take` `count` times at `now`, threading the state through. */
function takeMany(state: BucketState | null, policy: BucketPolicy, now: number, count: number, cost = 1) {
	const decisions: RateLimitDecision[] = [];
	let current = state;
	for (let i = 0; i < count; i++) {
		const result = take(current, policy, now, cost);
		decisions.push(result.decision);
		current = result.state;
	}
	return { decisions, state: current };
}

const admittedCount = (decisions: RateLimitDecision[]) => decisions.filter((d) => d.allowed).length;

function drained(policy: BucketPolicy, now = T0): BucketState {
	const { state } = takeMany(null, policy, now, policy.burst);
	if (state?.tokens !== 0) throw new Error("bucket did not drain");
	return state;
}

describe("take", () => {
	it("admits exactly burst requests back-to-back on a new bucket, then refuses", () => {
		const { decisions } = takeMany(null, steady, T0, steady.burst + 5);
		expect(decisions.map((d) => d.allowed)).toEqual([...Array(10).fill(true), ...Array(5).fill(false)]);
	});

	it("counts remaining whole tokens down to zero", () => {
		const { decisions } = takeMany(null, slow, T0, 6);
		expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
	});

	it("reports the policy's limit and the policy itself", () => {
		const { decision } = take(null, slow, T0);
		expect(decision.limit).toBe(10);
		expect(decision.policy).toEqual(slow);
	});

	it("refills one token per window/limit seconds, not before", () => {
		const empty = drained(slow);
		expect(take(empty, slow, T0 + 89_999).decision.allowed).toBe(false);
		const { decisions } = takeMany(empty, slow, T0 + 90_000, 2);
		expect(decisions.map((d) => d.allowed)).toEqual([true, false]);
	});

	it("refills continuously, crediting fractions of a token", () => {
		const empty = drained(steady);
		const half = take(empty, steady, T0 + 500);
		expect(half.decision.allowed).toBe(false);
		expect(half.state.tokens).toBeCloseTo(0.5, 9);
		// The refused call's half token is kept: another half second completes it.
		expect(take(half.state, steady, T0 + 1000).decision.allowed).toBe(true);
	});

	it("admits the sustained rate over a long run", () => {
		let state: BucketState | null = drained(steady);
		let admitted = 0;
		// One attempt every 100 ms for 60 s at one token per second: 60 admitted.
		for (let ms = 100; ms <= 60_000; ms += 100) {
			const result = take(state, steady, T0 + ms);
			state = result.state;
			if (result.decision.allowed) admitted++;
		}
		expect(admitted).toBe(60);
	});

	it("caps refill at burst however long the bucket sits idle", () => {
		const { decisions } = takeMany(drained(steady), steady, T0 + 365 * 86_400_000, 12);
		expect(admittedCount(decisions)).toBe(10);
	});

	it("clamps a bucket holding more than a lowered burst", () => {
		const lowered: BucketPolicy = { ...steady, burst: 3 };
		const full = { tokens: 10, updatedAt: T0 };
		const { decisions } = takeMany(full, lowered, T0, 5);
		expect(admittedCount(decisions)).toBe(3);
	});

	it("reports the whole seconds until the bucket is full again", () => {
		expect(take(null, slow, T0).decision.resetSeconds).toBe(90);
		const { decisions } = takeMany(null, slow, T0, 5);
		expect(decisions.at(-1)?.resetSeconds).toBe(450);
		// 450 s to fill, 30 s of them gone: 420 s left.
		expect(take(drained(slow), slow, T0 + 30_000, 0).decision.resetSeconds).toBe(420);
		// A partly elapsed second still counts as a whole one.
		expect(take(drained(slow), slow, T0 + 30_500, 0).decision.resetSeconds).toBe(420);
	});

	it("reports zero reset on a full bucket", () => {
		expect(take(null, slow, T0, 0).decision.resetSeconds).toBe(0);
	});

	it("sets Retry-After to the whole seconds until the request's tokens are back", () => {
		const empty = drained(slow);
		expect(take(empty, slow, T0).decision.retryAfterSeconds).toBe(90);
		expect(take(empty, slow, T0 + 30_000).decision.retryAfterSeconds).toBe(60);
		expect(take(empty, slow, T0 + 89_500).decision.retryAfterSeconds).toBe(1);
		expect(take(empty, slow, T0, 3).decision.retryAfterSeconds).toBe(270);
	});

	it("admits a request made exactly Retry-After seconds later", () => {
		const empty = drained(slow);
		for (const waited of [0, 7_000, 45_300, 89_999]) {
			const refused = take(empty, slow, T0 + waited).decision;
			expect(refused.allowed).toBe(false);
			const retryAt = T0 + waited + refused.retryAfterSeconds * 1000;
			expect(take(empty, slow, retryAt).decision.allowed).toBe(true);
		}
	});

	it("sets Retry-After to at least one second when refused", () => {
		// A millionth of a token short at a million tokens a second: due in a picosecond, which rounds to 0.
		const fast: BucketPolicy = { name: "fast", limit: 1_000_000, windowSeconds: 1, burst: 1 };
		const { decision } = take({ tokens: 1 - 1e-6, updatedAt: T0 }, fast, T0);
		expect(decision.allowed).toBe(false);
		expect(decision.retryAfterSeconds).toBe(1);
	});

	it("sets Retry-After to zero when allowed", () => {
		expect(take(null, slow, T0).decision.retryAfterSeconds).toBe(0);
		expect(take({ tokens: 1, updatedAt: T0 }, slow, T0).decision.retryAfterSeconds).toBe(0);
	});

	it("leaves the tokens as they were, plus refill, when it refuses", () => {
		const partial = { tokens: 2, updatedAt: T0 };
		const { decision, state } = take(partial, slow, T0 + 45_000, 3);
		expect(decision.allowed).toBe(false);
		expect(decision.remaining).toBe(2);
		expect(state.tokens).toBeCloseTo(2.5, 9);
		expect(state.updatedAt).toBe(T0 + 45_000);
	});

	it("takes cost tokens for a request that costs more than one", () => {
		const first = take(null, slow, T0, 3);
		expect(first.decision).toMatchObject({ allowed: true, remaining: 2 });
		const second = take(first.state, slow, T0, 3);
		expect(second.decision).toMatchObject({ allowed: false, remaining: 2, retryAfterSeconds: 90 });
		const third = take(second.state, slow, T0, 2);
		expect(third.decision).toMatchObject({ allowed: true, remaining: 0 });
	});

	it("spends nothing for a zero-cost request", () => {
		const { decision, state } = take(null, slow, T0, 0);
		expect(decision).toMatchObject({ allowed: true, remaining: 5 });
		expect(state.tokens).toBe(5);
	});

	it("adds no refill and takes no tokens away when the clock goes backwards", () => {
		const { decision, state } = take({ tokens: 3, updatedAt: T0 }, slow, T0 - 600_000);
		expect(decision).toMatchObject({ allowed: true, remaining: 2 });
		expect(state).toEqual({ tokens: 2, updatedAt: T0 });
	});

	it("does not credit the same time twice after the clock goes backwards", () => {
		const empty = drained(slow);
		const behind = take(empty, slow, T0 - 90_000);
		expect(behind.decision.allowed).toBe(false);
		expect(behind.state.updatedAt).toBe(T0);
		// 90 s after the real last update: one token, not the two a rewound timestamp would give.
		const { decisions } = takeMany(behind.state, slow, T0 + 90_000, 3);
		expect(admittedCount(decisions)).toBe(1);
	});

	it("treats a stored state with non-finite numbers as an empty bucket refilling from now", () => {
		const corrupt = take({ tokens: Number.NaN, updatedAt: Number.NaN }, slow, T0);
		expect(corrupt.decision.allowed).toBe(false);
		expect(corrupt.state).toEqual({ tokens: 0, updatedAt: T0 });
		expect(take({ tokens: Number.POSITIVE_INFINITY, updatedAt: T0 }, slow, T0).decision.allowed).toBe(false);
		expect(take(corrupt.state, slow, T0 + 90_000).decision.allowed).toBe(true);
	});

	it("treats stored negative tokens as an empty bucket", () => {
		const { decision } = take({ tokens: -50, updatedAt: T0 }, slow, T0 + 90_000);
		expect(decision.allowed).toBe(true);
	});

	it.each([
		["a non-finite now", () => take(null, slow, Number.NaN)],
		["an infinite now", () => take(null, slow, Number.POSITIVE_INFINITY)],
		["a non-finite cost", () => take(null, slow, T0, Number.NaN)],
		["a negative cost", () => take(null, slow, T0, -1)],
		["a cost above burst", () => take(null, slow, T0, 6)],
		["a zero limit", () => take(null, { ...slow, limit: 0 }, T0)],
		["an infinite limit", () => take(null, { ...slow, limit: Number.POSITIVE_INFINITY }, T0)],
		["a zero window", () => take(null, { ...slow, windowSeconds: 0 }, T0)],
		["a non-finite window", () => take(null, { ...slow, windowSeconds: Number.NaN }, T0)],
		["a negative burst", () => take(null, { ...slow, burst: -1 }, T0)],
		["a non-finite burst", () => take(null, { ...slow, burst: Number.NaN }, T0)],
	])("throws a RangeError for %s", (_what, call) => {
		expect(call).toThrow(RangeError);
	});

	it("always returns a finite state", () => {
		const states = [
			take(null, steady, T0).state,
			take({ tokens: Number.NaN, updatedAt: Number.POSITIVE_INFINITY }, steady, T0).state,
			take({ tokens: 1e308, updatedAt: 0 }, steady, T0).state,
		];
		for (const state of states) {
			expect(Number.isFinite(state.tokens)).toBe(true);
			expect(Number.isFinite(state.updatedAt)).toBe(true);
		}
	});
});
