/**
 * What each alert rule means, in words an admin on call reads (the thresholds and windows are
 * workers/consumers/alerts/rules.ts's; docs/operations.md explains them at length), and how its
 * value reads: milliseconds, a rate, a count. The console and nothing else reads this.
 */
import type { AlertRule } from "../../../../shared/contract/routes/admin-alerts.ts";

export const RULE_TEXT: Record<AlertRule, { title: string; meaning: string; unit: (value: number) => string }> = {
	latency_p95: {
		title: "Slow responses",
		meaning:
			"The 95th-percentile response time of all requests over the last 5 minutes is above the threshold (judged from 20 requests on).",
		unit: (value) => `${Math.round(value)} ms`,
	},
	error_rate: {
		title: "Server errors",
		meaning:
			"More than this share of requests in the last 5 minutes answered a 5xx (judged from 50 requests on, so single failures are not a trend).",
		unit: (value) => `${(value * 100).toFixed(2)}%`,
	},
	security_burst: {
		title: "Burst of security events",
		meaning:
			"Failed sign-ins, rejected tokens, cross-tenant denials, rate-limit refusals, bad webhook signatures and CSRF refusals over the last 5 minutes reached the threshold: a scripted guesser or scanner, rather than people mistyping.",
		unit: (value) => `${Math.round(value)} events`,
	},
	dead_letters: {
		title: "Dead letters waiting",
		meaning:
			"Messages of this queue failed every retry and wait in the dead-letter table. Read them, fix the cause, and replay them from Dead letters.",
		unit: (value) => `${Math.round(value)} waiting`,
	},
	payment_stuck: {
		title: "Payment stuck",
		meaning:
			"A payment has stayed too long in one state: checkout pending past 25 hours, held an hour past its release time, a Stripe call in flight for 15 minutes, or a dispute a week without a decision.",
		unit: (value) => `${Math.round(value)}`,
	},
};
