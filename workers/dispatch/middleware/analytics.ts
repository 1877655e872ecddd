/**
 * One Analytics Engine data point per request: tenant, route, status and latency. Written after
 * the response is ready; `writeDataPoint` does not block, so it costs the request nothing.
 */
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { DispatchHono } from "../types.ts";

export const requestAnalytics = createMiddleware<DispatchHono>(async (c, next) => {
	await next();
	const tenant = c.get("tenant");
	try {
		c.env.ANALYTICS.writeDataPoint({
			indexes: [tenant?.tenant_id ?? "anonymous"],
			blobs: [c.req.method, routePath(c, -1), String(c.res.status), tenant?.role ?? "guest", c.get("requestId")],
			doubles: [performance.now() - c.get("startedAt"), c.res.status],
		});
	} catch (cause) {
		// Losing a metric must never fail a request.
		console.warn("analytics write failed", cause);
	}
});
