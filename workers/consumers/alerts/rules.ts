/**
 * The alert rules, pure: from what ./measure.ts read out of D1 and `now`, which (rule, subject)
 * pairs are firing, with their value, threshold and a one-line summary; ./evaluate.ts turns that
 * into opened, updated and resolved alerts. Every threshold is a constant here, so the numbers
 * docs/operations.md gives are the ones in force.
 *
 * The request rules look at the last `WINDOW_MINUTES` whole minutes (the current minute is still
 * being flushed by the dispatch Worker, so it would read low). A rule with too little traffic to
 * judge is *undecided*: an open alert stays open and a closed one stays closed, rather than a quiet
 * night resolving a slow-down nobody has seen end.
 */

import type { AlertRule } from "../../../shared/contract/routes/admin-alerts.ts";
import { percentile } from "../../../shared/metrics/histogram.ts";

export const WINDOW_MINUTES = 5;

/** p95 of every request in the window above 500 ms; judged from 20 requests on (fewer: one slow call is the p95). */
export const LATENCY = { quantile: 0.95, thresholdMs: 500, minRequests: 20 } as const;

/**
 * 5xx over requests above 1%. Judged from 50 requests in the window on: below that the ratio is
 * made by single requests (one failed call of 20 is 5%), noise rather than a trend; from 50 on one
 * error is already 2%, which at that traffic is rare enough to be worth a look.
 */
export const ERROR_RATE = { threshold: 0.01, minRequests: 50 } as const;

/**
 * Security events (failed sign-ins, forged tokens, cross-tenant denials, 429s, bad webhook
 * signatures) in the window: 50 or more, i.e. 10 a minute sustained, is well above a user
 * mistyping a password and what a scripted guesser or scanner produces.
 */
export const SECURITY_BURST = { threshold: 50 } as const;

const HOUR_MS = 3_600_000;

/**
 * How long a payment may stay in one state: Stripe expires a checkout at 24 h, so `pending` past
 * 25 h missed its expiry event; `paid` an hour past `release_at` means the release alarm did not
 * run; `processing` (a Stripe call in flight) past 15 minutes is a call that never finished; a
 * dispute a week without a decision is waiting on an admin.
 */
export const PAYMENT_LIMITS = {
	pendingMs: 25 * HOUR_MS,
	paidPastReleaseMs: 1 * HOUR_MS,
	processingMs: 15 * 60_000,
	disputedMs: 7 * 24 * HOUR_MS,
} as const;

/** At most this many stuck payments are read per run (oldest first); past it the rest are undecided. */
export const STUCK_PAYMENTS_LIMIT = 50;

export interface PaymentCandidate {
	id: string;
	status: string;
	processing: number;
	created_at: string;
	updated_at: string;
	release_at: string | null;
}

export interface Measurements {
	/** Request counts over the window: total, 5xx, and the latency histogram's bucket sums. */
	requests: number;
	errors: number;
	histogram: readonly number[];
	securityEvents: number;
	/** Dead letters not replayed, per source queue. */
	deadLetters: readonly { queue: string; count: number }[];
	/** Payments past one of the limits (`paymentCutoffs`), at most `STUCK_PAYMENTS_LIMIT`. */
	stuckPayments: readonly PaymentCandidate[];
	/** False when there may be more stuck payments than were read. */
	stuckPaymentsComplete: boolean;
}

export interface Finding {
	rule: AlertRule;
	subject: string;
	value: number;
	threshold: number;
	summary: string;
}

export interface Evaluation {
	firing: Finding[];
	/** Alerts to leave as they are: `subject` null for every subject of the rule. */
	undecided: { rule: AlertRule; subject: string | null }[];
}

/** The window as `metrics_minutes.minute` values: `from` inclusive, `to` exclusive. */
export function windowMinutes(now: Date): { from: number; to: number } {
	const to = Math.floor(now.getTime() / 60_000);
	return { from: to - WINDOW_MINUTES, to };
}

/** The ISO times before which a payment in each state is stuck (what ./measure.ts filters on). */
export function paymentCutoffs(now: Date) {
	const before = (ms: number) => new Date(now.getTime() - ms).toISOString();
	return {
		pendingBefore: before(PAYMENT_LIMITS.pendingMs),
		releaseBefore: before(PAYMENT_LIMITS.paidPastReleaseMs),
		processingBefore: before(PAYMENT_LIMITS.processingMs),
		disputedBefore: before(PAYMENT_LIMITS.disputedMs),
	};
}

const hours = (ms: number) => Math.round((ms / HOUR_MS) * 100) / 100;
const formatHours = (h: number) => (h >= 48 ? `${(h / 24).toFixed(1)} days` : `${h.toFixed(1)} h`);

/** Why `payment` is stuck (the first reason that applies), in hours, or null while it is not. */
export function stuckPayment(payment: PaymentCandidate, now: Date): Finding | null {
	const age = (iso: string) => now.getTime() - Date.parse(iso);
	const found = (value: number, limitMs: number, what: string): Finding => ({
		rule: "payment_stuck",
		subject: payment.id,
		value: hours(value),
		threshold: hours(limitMs),
		summary: `Payment ${payment.id} ${what} for ${formatHours(hours(value))} (limit ${formatHours(hours(limitMs))})`,
	});
	if (payment.processing === 1 && age(payment.updated_at) > PAYMENT_LIMITS.processingMs) {
		return found(age(payment.updated_at), PAYMENT_LIMITS.processingMs, "has had a Stripe call in flight");
	}
	if (payment.status === "pending" && age(payment.created_at) > PAYMENT_LIMITS.pendingMs) {
		return found(age(payment.created_at), PAYMENT_LIMITS.pendingMs, "has been pending");
	}
	if (
		payment.status === "paid" &&
		payment.release_at !== null &&
		age(payment.release_at) > PAYMENT_LIMITS.paidPastReleaseMs
	) {
		return found(
			age(payment.release_at),
			PAYMENT_LIMITS.paidPastReleaseMs,
			"has been paid and unreleased past its release time",
		);
	}
	if (payment.status === "disputed" && age(payment.updated_at) > PAYMENT_LIMITS.disputedMs) {
		return found(age(payment.updated_at), PAYMENT_LIMITS.disputedMs, "has been disputed without a decision");
	}
	return null;
}

function latency(m: Measurements): Finding | "undecided" | null {
	if (m.requests < LATENCY.minRequests) return "undecided";
	const p95 = percentile(m.histogram, LATENCY.quantile);
	if (p95 === null) return "undecided";
	if (p95 <= LATENCY.thresholdMs) return null;
	const ms = Math.ceil(p95);
	return {
		rule: "latency_p95",
		subject: "",
		value: ms,
		threshold: LATENCY.thresholdMs,
		summary: `p95 latency ${ms >= 5000 ? "≥ 5000" : ms} ms over the last ${WINDOW_MINUTES} minutes (${m.requests} requests), above ${LATENCY.thresholdMs} ms`,
	};
}

function errorRate(m: Measurements): Finding | "undecided" | null {
	if (m.requests < ERROR_RATE.minRequests) return "undecided";
	const rate = m.errors / m.requests;
	if (rate <= ERROR_RATE.threshold) return null;
	const percent = (r: number) => `${Math.round(r * 1000) / 10}%`;
	return {
		rule: "error_rate",
		subject: "",
		value: rate,
		threshold: ERROR_RATE.threshold,
		summary: `5xx rate ${percent(rate)} over the last ${WINDOW_MINUTES} minutes (${m.errors} of ${m.requests} requests), above ${percent(ERROR_RATE.threshold)}`,
	};
}

function securityBurst(m: Measurements): Finding | null {
	if (m.securityEvents < SECURITY_BURST.threshold) return null;
	return {
		rule: "security_burst",
		subject: "",
		value: m.securityEvents,
		threshold: SECURITY_BURST.threshold,
		summary: `${m.securityEvents} security events in the last ${WINDOW_MINUTES} minutes (alert from ${SECURITY_BURST.threshold})`,
	};
}

export function evaluateRules(m: Measurements, now: Date): Evaluation {
	const firing: Finding[] = [];
	const undecided: Evaluation["undecided"] = [];
	for (const [rule, outcome] of [
		["latency_p95", latency(m)],
		["error_rate", errorRate(m)],
	] as const) {
		if (outcome === "undecided") undecided.push({ rule, subject: "" });
		else if (outcome) firing.push(outcome);
	}
	const burst = securityBurst(m);
	if (burst) firing.push(burst);
	for (const { queue, count } of m.deadLetters) {
		if (count <= 0) continue;
		firing.push({
			rule: "dead_letters",
			subject: queue,
			value: count,
			threshold: 0,
			summary: `${count} dead ${count === 1 ? "letter" : "letters"} from ${queue} waiting to be replayed`,
		});
	}
	for (const payment of m.stuckPayments) {
		const finding = stuckPayment(payment, now);
		if (finding) firing.push(finding);
	}
	if (!m.stuckPaymentsComplete) undecided.push({ rule: "payment_stuck", subject: null });
	return { firing, undecided };
}

/** A rule's name as the e-mails' subject lines give it. */
export function alertTitle(rule: AlertRule, subject: string): string {
	switch (rule) {
		case "latency_p95":
			return `p95 latency above ${LATENCY.thresholdMs} ms`;
		case "error_rate":
			return `5xx rate above ${ERROR_RATE.threshold * 100}%`;
		case "security_burst":
			return "Burst of security events";
		case "dead_letters":
			return `Dead letters waiting (${subject})`;
		case "payment_stuck":
			return `Payment stuck (${subject})`;
	}
}
