/**
 * CORS for the platform's own origins only (the apex, the portals and storefronts under
 * ROOT_DOMAIN; see shared/http/origins.ts). A foreign origin gets no CORS headers at all, and
 * the allowed origin is echoed, never `*`, because credentials (the session cookie) are allowed.
 */
import { cors } from "hono/cors";
import { isOwnOrigin } from "../../../shared/http/origins.ts";

export const platformCors = cors({
	origin: (origin, c) => (isOwnOrigin(origin, (c.env as DispatchEnv).ROOT_DOMAIN) ? origin : null),
	credentials: true,
	allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
	allowHeaders: ["Authorization", "Content-Type", "X-Tenant-ID", "X-Request-Id"],
	exposeHeaders: ["X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After", "Server-Timing"],
	maxAge: 600,
});
