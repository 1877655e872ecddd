/**
 * One Analytics Engine data point per request (`ANALYTICS`, dataset `techflunky_requests`), one
 * per security event the request noted (`SECURITY_EVENTS`, `techflunky_security`), and the same
 * request counted into the isolate's per-minute rollup (../metrics/observe.ts), which D1 serves
 * to `GET /api/v1/admin/metrics`. Written after the response is ready; `writeDataPoint` does not
 * block and the rollup is a Map, so it costs the request nothing.
 *
 * The columns (docs/operations.md, Metrics) are append-only, so queries written against older
 * points keep working: request points are index1 tenant; blob1 method, blob2 Hono route path,
 * blob3 status, blob4 role, blob5 request id, blob6 route template, blob7 portal, blob8 limited
 * ("1" for a 429, else "0"); double1 latency ms, double2 status. Security points are index1
 * tenant; blob1 kind, blob2 method, blob3 route template, blob4 portal, blob5 request id; double1 1.
 */
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import { classifyHost } from "../../../shared/http/origins.ts";
import { portalOf, recordRequestMetrics, routeLabel } from "../metrics/observe.ts";
import { securityEventsOf } from "../metrics/security.ts";
import type { DispatchHono } from "../types.ts";

export const requestAnalytics = createMiddleware<DispatchHono>(async (c, next) => {
	await next();
	try {
		const tenant = c.get("tenant");
		const tenantId = tenant?.tenant_id ?? "anonymous";
		const status = c.res.status;
		const latencyMs = performance.now() - c.get("startedAt");
		const route = routeLabel(c.get("route"), c.req.method, c.req.path);
		// Pages are answered before `authenticate` classifies the host.
		const portal = portalOf(c.get("host") ?? classifyHost(new URL(c.req.url).host, c.env.ROOT_DOMAIN));
		c.env.ANALYTICS.writeDataPoint({
			indexes: [tenantId],
			blobs: [
				c.req.method,
				routePath(c, -1),
				String(status),
				tenant?.role ?? "guest",
				c.get("requestId"),
				route,
				portal,
				status === 429 ? "1" : "0",
			],
			doubles: [latencyMs, status],
		});
		const securityEvents = securityEventsOf(c);
		for (const event of securityEvents) {
			c.env.SECURITY_EVENTS.writeDataPoint({
				indexes: [event.tenantId ?? tenantId],
				blobs: [event.kind, c.req.method, route, portal, c.get("requestId")],
				doubles: [1],
			});
		}
		recordRequestMetrics({ at: Date.now(), tenantId, route, portal, status, latencyMs }, securityEvents, c);
	} catch (cause) {
		// Losing a metric must never fail a request.
		console.warn("analytics write failed", cause);
	}
});
