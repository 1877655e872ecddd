/**
 * The documentation site's host (site/README.md): every GET or HEAD on `docs.<ROOT_DOMAIN>` is
 * forwarded as it is to the docs Worker (`DOCS`, a service binding to `techflunky-docs`, static
 * assets only), whatever its path: the site has pages under `/api/` (the reference) that are no
 * API. Any other method is a 405, since the site is files. It runs before the web app and before
 * authentication and the buckets: the docs spend nothing, carry no session and call nothing back.
 *
 * The site's HTML has inline scripts (Starlight's theme and sidebar state), hashed at build time
 * into the Content-Security-Policy of its `_headers` file (scripts/docs-site.ts); that policy is
 * kept over the edge's default on the way out, like the web app's. Without the binding (the
 * Worker tests that do not bind it) the request goes on as before.
 */
import { createMiddleware } from "hono/factory";
import { isDocsHost } from "../../../shared/http/origins.ts";
import { problemResponse } from "../../../shared/http/problem.ts";
import type { DispatchHono } from "../types.ts";

export const docsSite = createMiddleware<DispatchHono>(async (c, next) => {
	const docs = c.env.DOCS;
	if (!docs || !isDocsHost(new URL(c.req.url).host, c.env.ROOT_DOMAIN)) return next();
	const method = c.req.method;
	if (method !== "GET" && method !== "HEAD") {
		c.res = problemResponse(
			{ reason: "method_not_allowed" },
			{ instance: c.get("requestId"), headers: { Allow: "GET, HEAD" } },
		);
		return c.res;
	}
	const answer = await docs.fetch(new Request(c.req.raw));
	const policy = answer.headers.get("Content-Security-Policy");
	if (policy) c.set("contentSecurityPolicy", policy);
	c.res = new Response(answer.body, answer);
	return c.res;
});
