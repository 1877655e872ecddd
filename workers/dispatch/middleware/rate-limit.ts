/**
 * Rate limiting at the edge, in the caller's Durable Object: a signed-in tenant's bucket lives in
 * its TenantObject, an anonymous caller's in the object named after its IP (`CF-Connecting-IP`,
 * which Cloudflare sets and overwrites). The object applies the bucket synchronously, so a burst
 * of parallel requests never admits more than the bucket holds.
 *
 * If the limiter cannot be reached, API traffic fails open (logged: an outage of the limiter
 * should not take the marketplace down). The auth endpoints, when they land, must fail closed
 * with 503 instead: brute force must never get an unlimited window.
 */
import { createMiddleware } from "hono/factory";
import { problemResponse } from "../../../shared/http/problem.ts";
import { rateLimitHeaders } from "../../../shared/rate-limit/headers.ts";
import { policyForRole } from "../../../shared/rate-limit/policies.ts";
import type { RateLimitDecision } from "../../../shared/rate-limit/token-bucket.ts";
import type { DispatchHono } from "../types.ts";

/** Routes that are never limited: health checks from load balancers and monitors. */
const unlimited = new Set(["/healthz"]);

export const rateLimit = createMiddleware<DispatchHono>(async (c, next) => {
	if (unlimited.has(c.req.path)) return next();
	const tenant = c.get("tenant");
	const objectName = tenant.tenant_id ?? `ip:${tenant.client_ip}`;
	const policy = policyForRole(tenant.role);
	let decision: RateLimitDecision;
	try {
		decision = await c.env.TenantObject.getByName(objectName).consume(
			tenant.tenant_id ? "tenant" : "anonymous",
			policy,
			Date.now(),
		);
	} catch (cause) {
		console.error("rate limiter unavailable; failing open", c.get("requestId"), cause);
		return next();
	}
	const headers = rateLimitHeaders(decision);
	if (!decision.allowed) {
		return problemResponse({ reason: "rate_limited", retryAfterSeconds: decision.retryAfterSeconds }, { headers });
	}
	await next();
	for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
});
