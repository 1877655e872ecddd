/**
 * Every page's Content-Security-Policy, sent by the app and kept by the edge
 * (workers/dispatch/middleware/web-app.ts): nothing but this origin, plus the SHA-256 of each
 * inline `<script>` and `<style>` in the page, which are Astro's island loader and its one rule
 * for `astro-island`. Hashing the rendered HTML costs one pass over a small page and needs no
 * nonce threaded through Astro; anything inline that is not in the page as rendered (an
 * injected script, an inline event handler) is refused. Pages are `no-store` for signed-in
 * visitors, whose header and listing views are their own.
 */
import { defineMiddleware } from "astro:middleware";
import { sessionCookie } from "./lib/api.ts";
import { hostOf } from "./lib/host.ts";

/** Where each portal host's root leads: the portals' pages live under one path on every host. */
const PORTAL_HOMES = { seller_portal: "/seller", buyer_portal: "/buyer" } as const;

const INLINE = /<(script|style)(\s[^>]*)?>([\s\S]*?)<\/\1>/gi;

async function sha256(text: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
	return `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
}

export async function contentSecurityPolicy(html: string): Promise<string> {
	const scripts = new Set<string>();
	const styles = new Set<string>();
	for (const [, tag, attributes = "", body = ""] of html.matchAll(INLINE)) {
		if (/\ssrc=/i.test(attributes) || body.length === 0) continue;
		(tag?.toLowerCase() === "script" ? scripts : styles).add(await sha256(body));
	}
	return [
		"default-src 'self'",
		["script-src 'self'", ...scripts].join(" "),
		["style-src 'self'", ...styles].join(" "),
		"img-src 'self' data:",
		"connect-src 'self'",
		"frame-ancestors 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"object-src 'none'",
	].join("; ");
}

export const onRequest = defineMiddleware(async (context, next) => {
	const host = hostOf(context.request);
	if (context.url.pathname === "/" && (host.kind === "seller_portal" || host.kind === "buyer_portal")) {
		return context.redirect(PORTAL_HOMES[host.kind], 302);
	}
	// A storefront host's root is its storefront page; `next(path)` renders it in place, under the CSP below.
	const response = await (context.url.pathname === "/" && host.kind === "storefront"
		? next(`/storefronts/${host.slug}${context.url.search}`)
		: next());
	if (!response.headers.get("Content-Type")?.startsWith("text/html")) return response;
	const html = await response.text();
	const headers = new Headers(response.headers);
	headers.set("Content-Security-Policy", await contentSecurityPolicy(html));
	if (sessionCookie(context.request.headers.get("Cookie")) !== undefined) headers.set("Cache-Control", "no-store");
	return new Response(html, { status: response.status, statusText: response.statusText, headers });
});
