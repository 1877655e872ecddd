/**
 * The dispatch Worker's Hono app, built once at module scope. Order matters: request context,
 * security headers and CORS wrap everything (errors included); then which contract route the
 * request is (resolveRoute: every later step reads that route's policy); analytics; a page (no
 * route, not an API path) to the web app (webApp); then who is
 * calling for which tenant (authenticate), whether the session is live and the bucket has room
 * (rateLimit, one Durable Object call), whether the role may use the route (authorize); body
 * limits; and the routes: platform routes first, then everything else to the user Worker.
 */
import { Hono } from "hono";
import { notFoundProblem, onProblem } from "../../shared/http/problem.ts";
import { requestAnalytics } from "./middleware/analytics.ts";
import { authenticate } from "./middleware/authenticate.ts";
import { authorize } from "./middleware/authorize.ts";
import { bodyLimits } from "./middleware/body-limit.ts";
import { platformCors } from "./middleware/cors.ts";
import { docsSite } from "./middleware/docs-site.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { requestContext, securityHeaders } from "./middleware/request-context.ts";
import { resolveRoute } from "./middleware/route.ts";
import { webApp } from "./middleware/web-app.ts";
import { accountDeletion } from "./routes/account-deletion.ts";
import { admin } from "./routes/admin.ts";
import { adminAlerts } from "./routes/admin-alerts.ts";
import { adminMetrics } from "./routes/admin-metrics.ts";
import { auditLog } from "./routes/audit-log.ts";
import { auth } from "./routes/auth.ts";
import { deadLetters } from "./routes/dead-letters.ts";
import { emailChange } from "./routes/email-change.ts";
import { moderation } from "./routes/moderation.ts";
import { negotiation } from "./routes/negotiation.ts";
import { notifications } from "./routes/notifications.ts";
import { platform } from "./routes/platform.ts";
import { recovery } from "./routes/recovery.ts";
import { reference } from "./routes/reference.ts";
import { tenantApi } from "./routes/tenant-api.ts";
import { webhooks } from "./routes/webhooks.ts";
import type { DispatchHono } from "./types.ts";

export const app = new Hono<DispatchHono>()
	.use(requestContext)
	.use(securityHeaders)
	.use(platformCors)
	.use(resolveRoute)
	.use(requestAnalytics)
	// The documentation site's host (docs.), then pages and static files to the web app, before any
	// credential or bucket is looked at.
	.use(docsSite)
	.use(webApp)
	.use(authenticate)
	.use(rateLimit)
	.use(authorize)
	// After the limit, so a refused caller never gets to stream a body at us.
	.use(bodyLimits)
	.route("/", platform)
	.route("/", reference)
	.route("/", negotiation)
	.route("/", auth)
	.route("/", recovery)
	.route("/", emailChange)
	.route("/", accountDeletion)
	.route("/", notifications)
	.route("/", admin)
	.route("/", adminAlerts)
	.route("/", adminMetrics)
	.route("/", deadLetters)
	.route("/", auditLog)
	.route("/", moderation)
	.route("/", webhooks)
	.route("/api/v1", tenantApi)
	.notFound(notFoundProblem)
	.onError(onProblem);
