/**
 * The dispatch Worker's Hono app, built once at module scope. Order matters: request context and
 * security headers wrap everything (errors included), then analytics, tenant resolution, the
 * rate limit, body limits, and the routes.
 */
import { Hono } from "hono";
import { notFoundProblem, onProblem } from "../../shared/http/problem.ts";
import { requestAnalytics } from "./middleware/analytics.ts";
import { bodyLimits } from "./middleware/body-limit.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { requestContext, securityHeaders } from "./middleware/request-context.ts";
import { platform } from "./routes/platform.ts";
import { tenantApi } from "./routes/tenant-api.ts";
import type { DispatchHono } from "./types.ts";

export const app = new Hono<DispatchHono>()
	.use(requestContext)
	.use(securityHeaders)
	.use(requestAnalytics)
	.use(async (c, next) => {
		// Until authentication lands every caller is an anonymous guest, keyed by IP.
		c.set("tenant", {
			request_id: c.get("requestId"),
			tenant_id: null,
			user_id: null,
			role: "guest",
			client_ip: c.get("clientIp"),
		});
		await next();
	})
	.use(rateLimit)
	// After the limit, so a refused caller never gets to stream a body at us.
	.use(bodyLimits)
	.route("/", platform)
	.route("/api/v1", tenantApi)
	.notFound(notFoundProblem)
	.onError(onProblem);
