/**
 * Security events, noted where the refusal is decided (authenticate, rate-limit, authorize, the
 * sign-in route, the Stripe webhook) rather than guessed from status codes afterwards: a 401 or
 * 403 means many things, the step that refuses knows which. The note is a context variable;
 * the analytics step (../middleware/analytics.ts) writes each one to the `SECURITY_EVENTS`
 * dataset and the rollup once the answer is ready, so noting costs a request nothing.
 *
 * `rate_limited` is the one kind read from the refusal itself: every limiter (the caller's
 * bucket, the anonymous and sign-in buckets, the per-account ones inside handlers) refuses by
 * throwing the `rate_limited` problem, so its tagged reason is the decision, wherever it was made.
 */
import type { Context } from "hono";
import type { SecurityEventKind } from "../../../queues/metrics.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import type { DispatchHono } from "../types.ts";

export type { SecurityEventKind };

/** A noted event; `tenantId` names the caller's tenant when the refusal comes before the request's tenant is set. */
export interface SecurityNote {
	kind: SecurityEventKind;
	tenantId?: string;
}

export function noteSecurityEvent(c: Context<DispatchHono>, kind: SecurityEventKind, tenantId?: string): void {
	const note: SecurityNote = tenantId === undefined ? { kind } : { kind, tenantId };
	const noted = c.get("securityEvents");
	if (noted) noted.push(note);
	else c.set("securityEvents", [note]);
}

/** What the answered request counts as: the noted events, and `rate_limited` if a limiter refused it. */
export function securityEventsOf(c: Context<DispatchHono>): SecurityNote[] {
	const events = [...(c.get("securityEvents") ?? [])];
	if (c.error instanceof HttpProblem && c.error.problem.reason === "rate_limited")
		events.push({ kind: "rate_limited" });
	return events;
}
