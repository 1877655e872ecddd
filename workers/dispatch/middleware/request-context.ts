/**
 * First in the chain: a request id on every response (`X-Request-Id`), `Server-Timing` with the
 * time spent in this Worker, and the security headers every response carries.
 */
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import type { DispatchHono } from "../types.ts";

export const requestContext = createMiddleware<DispatchHono>(async (c, next) => {
	const startedAt = performance.now();
	c.set("requestId", crypto.randomUUID());
	c.set("startedAt", startedAt);
	c.set("clientIp", c.req.header("CF-Connecting-IP") ?? "unknown");
	await next();
	c.res.headers.set("X-Request-Id", c.get("requestId"));
	// A page that needs its own policy (the API reference loads a script by nonce) sets it over the
	// default one, which `securityHeaders` (inside this middleware) has already written.
	const csp = c.get("contentSecurityPolicy");
	if (csp) c.res.headers.set("Content-Security-Policy", csp);
	c.res.headers.set("Server-Timing", `total;dur=${(performance.now() - startedAt).toFixed(1)}`);
});

export const securityHeaders = secureHeaders({
	strictTransportSecurity: "max-age=63072000; includeSubDomains; preload",
	xFrameOptions: "DENY",
	referrerPolicy: "strict-origin-when-cross-origin",
	xContentTypeOptions: "nosniff",
	crossOriginResourcePolicy: "same-origin",
	contentSecurityPolicy: {
		defaultSrc: ["'self'"],
		frameAncestors: ["'none'"],
		baseUri: ["'self'"],
		formAction: ["'self'"],
		objectSrc: ["'none'"],
	},
});
