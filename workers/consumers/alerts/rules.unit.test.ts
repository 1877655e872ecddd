import { describe, expect, it } from "vitest";
import {
	alertTitle,
	ERROR_RATE,
	evaluateRules,
	LATENCY,
	type Measurements,
	PAYMENT_LIMITS,
	type PaymentCandidate,
	paymentCutoffs,
	SECURITY_BURST,
	stuckPayment,
	windowMinutes,
} from "./rules.ts";

const NOW = new Date("2026-12-01T12:00:30.000Z");

/** `n` requests in latency bucket `bucket` (0…15), added to `counts`. */
function histogram(...cells: [bucket: number, n: number][]): number[] {
	const counts = new Array<number>(16).fill(0);
	for (const [bucket, n] of cells) counts[bucket] = (counts[bucket] ?? 0) + n;
	return counts;
}

function measurements(overrides: Partial<Measurements> = {}): Measurements {
	const counts = overrides.histogram ?? histogram([3, 100]);
	return {
		requests: counts.reduce((sum, n) => sum + n, 0),
		errors: 0,
		histogram: counts,
		securityEvents: 0,
		deadLetters: [],
		stuckPayments: [],
		stuckPaymentsComplete: true,
		...overrides,
	};
}

const rulesFiring = (m: Measurements) => evaluateRules(m, NOW).firing.map((f) => f.rule);

describe("the window", () => {
	it("is the five whole minutes before the current one", () => {
		const minute = Math.floor(NOW.getTime() / 60_000);
		expect(windowMinutes(NOW)).toEqual({ from: minute - 5, to: minute });
	});
});

describe("latency_p95", () => {
	it("fires when the p95 is above 500 ms, with the value and threshold", () => {
		// 20 requests in [500, 750): p95 interpolates to 737.5 ms.
		const [finding] = evaluateRules(measurements({ histogram: histogram([11, 20]) }), NOW).firing;
		expect(finding).toMatchObject({ rule: "latency_p95", subject: "", value: 738, threshold: 500 });
		expect(finding?.summary).toContain("738 ms");
	});

	it("does not fire at exactly 500 ms, and stays quiet for fast traffic", () => {
		// 19 of 20 requests in [400, 500) put the 95th-percentile rank at that bucket's top: 500 ms.
		expect(rulesFiring(measurements({ histogram: histogram([10, 19], [11, 1]) }))).toEqual([]);
		expect(rulesFiring(measurements({ histogram: histogram([2, 500]) }))).toEqual([]);
	});

	it("is undecided below 20 requests, however slow", () => {
		const slow = measurements({ histogram: histogram([15, LATENCY.minRequests - 1]) });
		const evaluation = evaluateRules(slow, NOW);
		expect(evaluation.firing).toEqual([]);
		expect(evaluation.undecided).toContainEqual({ rule: "latency_p95", subject: "" });
		expect(rulesFiring(measurements({ histogram: histogram([15, LATENCY.minRequests]) }))).toEqual(["latency_p95"]);
	});

	it("reports the open last bucket as at least 5000 ms", () => {
		const [finding] = evaluateRules(measurements({ histogram: histogram([15, 40]) }), NOW).firing;
		expect(finding?.value).toBe(5000);
		expect(finding?.summary).toContain("≥ 5000 ms");
	});
});

describe("error_rate", () => {
	it("fires above 1% of requests", () => {
		const [finding] = evaluateRules(measurements({ histogram: histogram([3, 50]), errors: 1 }), NOW).firing;
		expect(finding).toMatchObject({ rule: "error_rate", subject: "", value: 0.02, threshold: ERROR_RATE.threshold });
		expect(finding?.summary).toContain("2% over the last 5 minutes (1 of 50 requests)");
	});

	it("does not fire at exactly 1%", () => {
		expect(rulesFiring(measurements({ histogram: histogram([3, 100]), errors: 1 }))).toEqual([]);
	});

	it("is undecided below 50 requests, even when every one failed", () => {
		const m = measurements({ histogram: histogram([3, ERROR_RATE.minRequests - 1]), errors: 49 });
		const evaluation = evaluateRules(m, NOW);
		expect(evaluation.firing).toEqual([]);
		expect(evaluation.undecided).toContainEqual({ rule: "error_rate", subject: "" });
	});
});

describe("security_burst", () => {
	it("fires from 50 events in the window", () => {
		expect(rulesFiring(measurements({ securityEvents: SECURITY_BURST.threshold - 1 }))).toEqual([]);
		const [finding] = evaluateRules(measurements({ securityEvents: SECURITY_BURST.threshold }), NOW).firing;
		expect(finding).toMatchObject({ rule: "security_burst", subject: "", value: 50, threshold: 50 });
	});
});

describe("dead_letters", () => {
	it("fires once per queue with waiting dead letters, the queue as subject", () => {
		const m = measurements({
			deadLetters: [
				{ queue: "backoffice-jobs", count: 3 },
				{ queue: "offer-events", count: 1 },
				{ queue: "payment-events", count: 0 },
			],
		});
		const firing = evaluateRules(m, NOW).firing;
		expect(firing.map((f) => [f.rule, f.subject, f.value])).toEqual([
			["dead_letters", "backoffice-jobs", 3],
			["dead_letters", "offer-events", 1],
		]);
		expect(firing[1]?.summary).toBe("1 dead letter from offer-events waiting to be replayed");
	});
});

describe("payment_stuck", () => {
	const id = `pay_${"a".repeat(32)}`;
	const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
	const payment = (overrides: Partial<PaymentCandidate>): PaymentCandidate => ({
		id,
		status: "paid",
		processing: 0,
		created_at: ago(60_000),
		updated_at: ago(60_000),
		release_at: null,
		...overrides,
	});

	it.each([
		[
			"pending",
			{ status: "pending", created_at: ago(PAYMENT_LIMITS.pendingMs) },
			{ status: "pending", created_at: ago(PAYMENT_LIMITS.pendingMs + 1) },
			25,
		],
		[
			"paid past its release",
			{ release_at: ago(PAYMENT_LIMITS.paidPastReleaseMs) },
			{ release_at: ago(PAYMENT_LIMITS.paidPastReleaseMs + 1) },
			1,
		],
		[
			"processing",
			{ processing: 1, updated_at: ago(PAYMENT_LIMITS.processingMs) },
			{ processing: 1, updated_at: ago(PAYMENT_LIMITS.processingMs + 1) },
			0.25,
		],
		[
			"disputed",
			{ status: "disputed", updated_at: ago(PAYMENT_LIMITS.disputedMs) },
			{ status: "disputed", updated_at: ago(PAYMENT_LIMITS.disputedMs + 1) },
			168,
		],
	] as const)("%s: stuck only past its limit", (_what, atLimit, pastLimit, thresholdHours) => {
		expect(stuckPayment(payment(atLimit), NOW)).toBeNull();
		expect(stuckPayment(payment(pastLimit), NOW)).toMatchObject({
			rule: "payment_stuck",
			subject: id,
			threshold: thresholdHours,
		});
	});

	it("does not count a paid payment whose release time is still ahead, or a settled one", () => {
		expect(stuckPayment(payment({ release_at: new Date(NOW.getTime() + 60_000).toISOString() }), NOW)).toBeNull();
		expect(stuckPayment(payment({ release_at: null }), NOW)).toBeNull();
		expect(stuckPayment(payment({ status: "released", updated_at: ago(30 * 86_400_000) }), NOW)).toBeNull();
	});

	it("gives the hours in the state and says which state", () => {
		const finding = stuckPayment(payment({ status: "pending", created_at: ago(26 * 3_600_000) }), NOW);
		expect(finding).toMatchObject({ value: 26, threshold: 25 });
		expect(finding?.summary).toBe(`Payment ${id} has been pending for 26.0 h (limit 25.0 h)`);
		const disputed = stuckPayment(payment({ status: "disputed", updated_at: ago(8 * 86_400_000) }), NOW);
		expect(disputed?.summary).toContain("disputed without a decision for 8.0 days (limit 7.0 days)");
	});

	it("makes one finding per payment, even when two limits are passed", () => {
		const both = payment({ processing: 1, updated_at: ago(3_600_000), release_at: ago(2 * 3_600_000) });
		const firing = evaluateRules(measurements({ stuckPayments: [both] }), NOW).firing;
		expect(firing).toHaveLength(1);
		expect(firing[0]?.summary).toContain("Stripe call in flight");
	});

	it("leaves unlisted payments undecided when the read was cut short", () => {
		expect(evaluateRules(measurements({ stuckPaymentsComplete: false }), NOW).undecided).toContainEqual({
			rule: "payment_stuck",
			subject: null,
		});
		expect(evaluateRules(measurements(), NOW).undecided).toEqual([]);
	});

	it("filters D1 on the same limits", () => {
		expect(paymentCutoffs(NOW)).toEqual({
			pendingBefore: ago(PAYMENT_LIMITS.pendingMs),
			releaseBefore: ago(PAYMENT_LIMITS.paidPastReleaseMs),
			processingBefore: ago(PAYMENT_LIMITS.processingMs),
			disputedBefore: ago(PAYMENT_LIMITS.disputedMs),
		});
	});
});

describe("alert titles", () => {
	it("name the rule and its subject", () => {
		expect(alertTitle("latency_p95", "")).toBe("p95 latency above 500 ms");
		expect(alertTitle("error_rate", "")).toBe("5xx rate above 1%");
		expect(alertTitle("dead_letters", "offer-events")).toBe("Dead letters waiting (offer-events)");
	});
});
