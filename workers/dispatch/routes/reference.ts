/**
 * The contract describing itself: `GET /api/v1/openapi.json` (generated once per isolate from the
 * route table) and `GET /api/v1/reference`, Scalar's interactive reference over it. The page loads
 * Scalar's bundle from its CDN, so it gets a Content-Security-Policy of its own that allows that
 * script by nonce and nothing else beyond the defaults.
 */
import { renderApiReference } from "@scalar/client-side-rendering";
import { contractApp } from "../../../shared/contract/app.ts";
import { openApiDocument } from "../../../shared/contract/document.ts";
import { referenceRoutes as r } from "../../../shared/contract/routes/reference.ts";
import type { DispatchHono } from "../types.ts";

const SCALAR_CDN = "https://cdn.jsdelivr.net";

let document: { origin: string; body: Record<string, unknown> } | undefined;
function documentFor(origin: string): Record<string, unknown> {
	if (document?.origin !== origin) document = { origin, body: openApiDocument(origin) };
	return document.body;
}

export const reference = contractApp<DispatchHono>()
	.openapi(r.openApiDocument, (c) => c.json(documentFor(new URL(c.req.url).origin), 200))
	.openapi(r.apiReference, (c) => {
		const nonce = crypto.randomUUID().replaceAll("-", "");
		c.set(
			"contentSecurityPolicy",
			[
				"default-src 'self'",
				`script-src 'nonce-${nonce}' ${SCALAR_CDN}`,
				`style-src 'self' 'unsafe-inline' ${SCALAR_CDN}`,
				"font-src 'self' data: https://fonts.scalar.com",
				"img-src 'self' data:",
				"connect-src 'self'",
				"frame-ancestors 'none'",
				"base-uri 'self'",
				"form-action 'self'",
				"object-src 'none'",
			].join("; "),
		);
		return c.html(
			renderApiReference({ config: { url: "/api/v1/openapi.json" }, pageTitle: "TechFlunky API", nonce }),
			200,
		);
	});
