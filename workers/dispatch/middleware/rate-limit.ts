/**
 * Admission: one Durable Object call per request. A signed-in caller is asked about in its own
 * TenantObject, which decides whether the session is live, whether the tenant is suspended and
 * whether its token bucket has room (so revocation and suspension bite on the very next
 * request). An anonymous caller spends its client's and its network's buckets in an EdgeLimiter
 * shard, keyed on the address block it controls rather than the single address (`CF-Connecting-IP`,
 * which Cloudflare sets and overwrites); see ../limits/edge.ts. Both objects decide
 * synchronously, so a burst of parallel requests never admits more than the bucket holds.
 *
 * When the object cannot be reached:
 * - anonymous traffic fails open (logged): a limiter outage should not take the public
 *   marketplace down, and an anonymous caller can do nothing a guest may not;
 * - signed-in traffic fails closed (503): without the object, a revoked session cannot be told
 *   from a live one;
 * - sign-in and registration fail closed (503) through their own stricter per-address buckets,
 *   and login also spends a per-account bucket (../identity/auth-limits.ts).
 */
import { createMiddleware } from "hono/factory";
import type { Admission } from "../../../durable-objects/tenant/tenant-object.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { rateLimitHeaders } from "../../../shared/rate-limit/headers.ts";
import { anonymousPolicyFrom, policyForRole } from "../../../shared/rate-limit/policies.ts";
import type { BucketPolicy, RateLimitDecision } from "../../../shared/rate-limit/token-bucket.ts";
import { takeAuthIpToken } from "../identity/auth-limits.ts";
import { reportedDecision, takeAnonymous } from "../limits/edge.ts";
import { noteSecurityEvent } from "../metrics/security.ts";
import type { DispatchHono } from "../types.ts";
import { invalidCredential } from "./authenticate.ts";

/** The anonymous policy of the configuration, parsed once per isolate (a bad value fails every request). */
let anonymous: { configured: string | undefined; policy: BucketPolicy } | undefined;
function anonymousPolicy(configured: string | undefined): BucketPolicy {
	const cached = anonymous;
	if (cached && cached.configured === configured) return cached.policy;
	const policy = anonymousPolicyFrom(configured);
	anonymous = { configured, policy };
	return policy;
}

function limited(decision: RateLimitDecision): HttpProblem {
	return new HttpProblem(
		{ reason: "rate_limited", retryAfterSeconds: decision.retryAfterSeconds },
		{ headers: rateLimitHeaders(decision) },
	);
}

export const rateLimit = createMiddleware<DispatchHono>(async (c, next) => {
	// The route's policy names its bucket; a request that is no route spends the caller's (and is a 404).
	const bucket = c.get("route")?.["x-policy"].bucket ?? "caller";
	if (bucket === "none" || c.req.method === "OPTIONS") return next();
	let decision: RateLimitDecision;
	const principal = c.get("principal");
	if (bucket === "auth") {
		decision = await takeAuthIpToken(c.env, c.get("clientIp"));
	} else if (!principal) {
		const policy = anonymousPolicy(c.env.ANONYMOUS_RATE_LIMIT);
		let result: Awaited<ReturnType<typeof takeAnonymous>>;
		try {
			result = await takeAnonymous(c.env, c.get("clientIp"), policy);
		} catch (cause) {
			console.error("rate limiter unavailable; failing open", c.get("requestId"), cause);
			return next();
		}
		decision = reportedDecision(result);
		if (!result.allowed) throw limited(decision);
	} else {
		let admission: Admission;
		try {
			admission = await c.env.TenantObject.getByName(principal.tenantId).admit({
				session: { id: principal.sessionId, userId: principal.userId },
				key: "tenant",
				policy: policyForRole(principal.role),
				now: Date.now(),
			});
		} catch (cause) {
			throw new HttpProblem({ reason: "service_unavailable" }, { cause });
		}
		switch (admission.outcome) {
			case "unauthenticated":
				noteSecurityEvent(c, "token_rejected");
				throw invalidCredential(principal.credentials, "This session has ended; sign in again.");
			case "suspended":
				throw new HttpProblem({ reason: "forbidden", detail: "This account is suspended." });
			case "limited":
				throw limited(admission.decision);
			case "admitted":
				decision = admission.decision;
				break;
			default: {
				const unreachable: never = admission;
				throw new Error(`unknown admission ${JSON.stringify(unreachable)}`);
			}
		}
	}
	await next();
	// A handler that spent a stricter bucket (login's per-account one) reports that bucket instead.
	if (c.res.headers.has("RateLimit")) return;
	for (const [name, value] of Object.entries(rateLimitHeaders(decision))) c.res.headers.set(name, value);
});
