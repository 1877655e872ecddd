/**
 * Public, conditional reads for guests. A route that serves the same bytes to every anonymous
 * caller is registered with `publicRead({ … })` as its route middleware
 * (`app.openapi({ ...route, middleware: [publicRead(…)] }, handler)`; the contract declares the
 * headers and the 304, this is Worker code). It wraps the route's validation as well as its
 * handler, so a guest's 400 is covered too. A guest's 200 then carries a strong `ETag` (the
 * SHA-256 of the exact body, shared/http/conditional.ts), a short public `Cache-Control` and
 * `Vary: Authorization, Cookie`; a matching `If-None-Match` is answered 304 with no body. Any
 * other guest status (404 for a draft, 400, 5xx) is `no-store`, so no cache keeps an answer that
 * a publish or a fix would change. Signed-in callers get nothing from here: their answers differ
 * per caller and the dispatch Worker marks them `no-store`.
 *
 * `Vary` names the credentials because the request they came with is the one a cache compares: a
 * browser that signs in must not be served the guest copy it stored a minute ago. The price is
 * that a browser sending other cookies to the API host shares no cache entries with one that
 * sends none, which on our own hosts means nothing.
 *
 * Not hono/etag: its digest of a body over 256 KiB (a 100-item page can be 2 MB) chains SHA-1
 * or the given hash over 256 KiB chunks, H(H(c1)‖c2)…, so the tag is not the hash of the body and
 * bodies of different lengths can be built to collide; and it tags every 2xx, signed-in ones too.
 * The 304 rules below are the same as its (RFC 9110 §15.4.5).
 */
import { createMiddleware } from "hono/factory";
import { ifNoneMatchHits, strongEtag } from "../../shared/http/conditional.ts";
import type { UserHono } from "./types.ts";

export interface PublicCachePolicy {
	/** How long any cache may serve the answer without asking again. */
	maxAgeSeconds: number;
	/** How much longer it may serve it while it revalidates in the background. */
	staleWhileRevalidateSeconds: number;
}

/** The headers of the 200 that a 304 must repeat (RFC 9110 §15.4.5); the dispatch Worker adds its own after. */
const NOT_MODIFIED_KEEPS = new Set(["cache-control", "content-location", "date", "etag", "expires", "vary"]);

const PUBLIC_VARY = "Authorization, Cookie";

export function publicRead(policy: PublicCachePolicy) {
	const cacheControl = `public, max-age=${policy.maxAgeSeconds}, stale-while-revalidate=${policy.staleWhileRevalidateSeconds}`;
	return createMiddleware<UserHono>(async (c, next) => {
		await next();
		if (c.var.tenant.role !== "guest") return;
		if (c.res.status !== 200) {
			c.res.headers.set("Cache-Control", "no-store");
			return;
		}
		const original = c.res;
		const bytes = await original.arrayBuffer();
		const etag = await strongEtag(bytes);
		const headers = new Headers(original.headers);
		headers.set("ETag", etag);
		headers.set("Cache-Control", cacheControl);
		headers.set("Vary", PUBLIC_VARY);
		const notModified = ifNoneMatchHits(c.req.header("If-None-Match"), etag);
		if (notModified) {
			for (const name of [...headers.keys()]) if (!NOT_MODIFIED_KEEPS.has(name)) headers.delete(name);
		}
		// Replace rather than let Hono merge the old response's headers into the new one.
		c.res = undefined;
		c.res = notModified
			? new Response(null, { status: 304, headers })
			: new Response(bytes, { status: original.status, statusText: original.statusText, headers });
	});
}
