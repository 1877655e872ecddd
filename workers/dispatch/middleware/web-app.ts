/**
 * The web app's share of the hosts (docs/architecture.md, Web app): a GET or HEAD that is no
 * contract route and not under an API, WebSocket or webhook prefix is a page or a static file,
 * forwarded as it is to the web Worker (`WEB`, a service binding). It runs before authentication
 * and the buckets: a page spends nothing here, and the API calls it makes back through the
 * dispatch Worker (with the visitor's cookie and address) are authenticated and limited like any
 * client's. API paths never reach the web app, and the web app only calls API paths, so the two
 * service bindings cannot loop. Without the binding (the Worker tests) the request goes on to the
 * 404 problem it always was.
 *
 * The app learns which of our hosts it is on from `X-TechFlunky-Host` (`apex`, `seller_portal`,
 * `buyer_portal` or `storefront:<slug>`), set here from ROOT_DOMAIN over anything the client
 * sent, so it needs no configuration of its own and cannot be told a storefront that is not the
 * host's. A foreign host (another domain, an IP address) never reaches the app.
 *
 * The app's HTML carries its own Content-Security-Policy (hashes of Astro's inline island
 * loader); it is kept over the edge's default on the way out, like the API reference's.
 */
import { createMiddleware } from "hono/factory";
import { classifyHost, type HostKind } from "../../../shared/http/origins.ts";
import type { DispatchHono } from "../types.ts";

/** The header the web app reads its host from (web/src/lib/host.ts). */
export const HOST_HEADER = "X-TechFlunky-Host";

function hostValue(host: HostKind): string | null {
	if (host.kind === "foreign") return null;
	return host.kind === "storefront" ? `storefront:${host.slug}` : host.kind;
}

const NOT_PAGES = ["/api/", "/parties/", "/webhooks/"];

export function isPagePath(path: string): boolean {
	if (path === "/healthz" || path === "/api" || path === "/parties" || path === "/webhooks") return false;
	return !NOT_PAGES.some((prefix) => path.startsWith(prefix));
}

export const webApp = createMiddleware<DispatchHono>(async (c, next) => {
	const web = c.env.WEB;
	const method = c.req.method;
	if (!web || c.get("route") !== null || (method !== "GET" && method !== "HEAD") || !isPagePath(c.req.path)) {
		return next();
	}
	const host = hostValue(classifyHost(new URL(c.req.url).host, c.env.ROOT_DOMAIN));
	if (host === null) return next();
	const request = new Request(c.req.raw);
	request.headers.set(HOST_HEADER, host);
	const answer = await web.fetch(request);
	const policy = answer.headers.get("Content-Security-Policy");
	if (policy) c.set("contentSecurityPolicy", policy);
	// A copy: a fetched response's headers are immutable, and the edge adds its own on the way out.
	c.res = new Response(answer.body, answer);
	return c.res;
});
