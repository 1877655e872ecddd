/**
 * The OpenAPI 3.1 document of the public contract, generated from the route table, so it is the
 * same zod schemas that validate requests. Served at `GET /api/v1/openapi.json`.
 *
 * On top of what the routes declare, every operation gets the headers the edge adds to every
 * response (`X-Request-Id`; on rate-limited routes `RateLimit` and `RateLimit-Policy`, and
 * `Retry-After` on a 429), the security schemes (bearer token, `__Host-session` cookie) and its
 * `x-policy` (who may call it, which bucket it spends, what body it takes).
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { policyOf } from "./policy.ts";
import { routeTable } from "./table.ts";

type Json = Record<string, unknown>;

const HEADERS = {
	"X-Request-Id": { description: "The request's id; also the `instance` of a problem.", schema: { type: "string" } },
	RateLimit: {
		description:
			"The caller's bucket: remaining requests `r` and seconds until full `t` (draft-ietf-httpapi-ratelimit-headers).",
		schema: { type: "string" },
	},
	"RateLimit-Policy": {
		description: "The bucket's quota `q` per window `w` seconds.",
		schema: { type: "string" },
	},
	"Retry-After": { description: "Seconds until the request may succeed.", schema: { type: "integer" } },
} as const;

const ref = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

export function openApiDocument(serverUrl = "https://techflunky.com"): Json {
	const app = new OpenAPIHono();
	app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
		type: "http",
		scheme: "bearer",
		bearerFormat: "JWT",
		description: "The `token` from sign-in or sign-up.",
	});
	app.openAPIRegistry.registerComponent("securitySchemes", "cookie", {
		type: "apiKey",
		in: "cookie",
		name: "__Host-session",
		description: "The browser session; writes need a same-origin `Origin` (CSRF).",
	});
	// As `app.openapi()` registers a route: its middleware is code, not contract.
	for (const { middleware: _middleware, hide: _hide, ...route } of routeTable) app.openAPIRegistry.registerPath(route);
	const document = app.getOpenAPI31Document({
		openapi: "3.1.0",
		info: {
			title: "TechFlunky API",
			version: "1",
			description:
				"The marketplace's public HTTP contract. Money is integer minor units (`*_cents`); errors are `application/problem+json` (RFC 9457).",
		},
		servers: [{ url: serverUrl }],
	}) as unknown as Json;
	const components = (document.components ?? {}) as Json;
	components.headers = HEADERS;
	document.components = components;
	for (const route of routeTable) {
		const path = route.path;
		const operation = ((document.paths as Json)[path] as Json)[route.method] as Json;
		const limited = policyOf(route).bucket !== "none";
		for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
			const headers = (response.headers ?? {}) as Json;
			headers["X-Request-Id"] = ref("X-Request-Id");
			if (limited) {
				headers.RateLimit = ref("RateLimit");
				headers["RateLimit-Policy"] = ref("RateLimit-Policy");
			}
			if (status === "429") headers["Retry-After"] = ref("Retry-After");
			response.headers = headers;
		}
	}
	return document;
}
