/**
 * Admission: one Durable Object call per request decides whether the caller's session is live,
 * whether its tenant is suspended, and whether its token bucket has room. A signed-in caller is
 * asked about in its own TenantObject (so revocation and suspension bite on the very next
 * request); an anonymous caller's bucket lives in the object named after its IP
 * (`CF-Connecting-IP`, which Cloudflare sets and overwrites). The object decides synchronously,
 * so a burst of parallel requests never admits more than the bucket holds.
 *
 * When the object cannot be reached:
 * - anonymous traffic fails open (logged): a limiter outage should not take the public
 *   marketplace down, and an anonymous caller can do nothing a guest may not;
 * - signed-in traffic fails closed (503): without the object, a revoked session cannot be told
 *   from a live one;
 * - sign-in and registration fail closed (503) through their own stricter per-IP bucket, and
 *   login also spends a per-account bucket (../identity/auth-limits.ts).
 */
import { createMiddleware } from "hono/factory";
import { type Admission, clientIpObjectName } from "../../../durable-objects/tenant/tenant-object.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { rateLimitHeaders } from "../../../shared/rate-limit/headers.ts";
import { policyForRole } from "../../../shared/rate-limit/policies.ts";
import type { RateLimitDecision } from "../../../shared/rate-limit/token-bucket.ts";
import { takeAuthIpToken } from "../identity/auth-limits.ts";
import type { DispatchHono } from "../types.ts";
import { invalidCredential } from "./authenticate.ts";

/** Routes that are never limited: health checks from load balancers and monitors. */
const unlimited = new Set(["/healthz"]);
/** Routes limited by the auth buckets instead of the caller's general bucket. */
const authLimited = new Set(["/api/v1/auth/login", "/api/v1/auth/register"]);

export const rateLimit = createMiddleware<DispatchHono>(async (c, next) => {
	if (unlimited.has(c.req.path) || c.req.method === "OPTIONS") return next();
	let decision: RateLimitDecision;
	if (authLimited.has(c.req.path)) {
		decision = await takeAuthIpToken(c.env, c.get("clientIp"));
	} else {
		const principal = c.get("principal");
		const objectName = principal?.tenantId ?? clientIpObjectName(c.get("clientIp"));
		let admission: Admission;
		try {
			admission = await c.env.TenantObject.getByName(objectName).admit({
				session: principal ? { id: principal.sessionId, userId: principal.userId } : null,
				key: principal ? "tenant" : "anonymous",
				policy: policyForRole(principal?.role ?? "guest"),
				now: Date.now(),
			});
		} catch (cause) {
			if (principal) throw new HttpProblem({ reason: "service_unavailable" }, { cause });
			console.error("rate limiter unavailable; failing open", c.get("requestId"), cause);
			return next();
		}
		switch (admission.outcome) {
			case "unauthenticated":
				throw invalidCredential(principal?.credentials ?? "none", "This session has ended; sign in again.");
			case "suspended":
				throw new HttpProblem({ reason: "forbidden", detail: "This account is suspended." });
			case "limited":
				throw new HttpProblem(
					{ reason: "rate_limited", retryAfterSeconds: admission.decision.retryAfterSeconds },
					{ headers: rateLimitHeaders(admission.decision) },
				);
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
