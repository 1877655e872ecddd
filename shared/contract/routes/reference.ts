/** The contract describing itself: the OpenAPI document and an interactive reference page. */
import { z } from "@hono/zod-openapi";
import { anyone, type ContractRoute, defineRoute } from "../policy.ts";
import { problems } from "../schemas.ts";

const policy = {
	allow: anyone,
	bucket: "caller",
	body: "none",
	credentials: "accepted",
	servedBy: "dispatch",
} as const;

export const referenceRoutes = {
	openApiDocument: defineRoute({
		method: "get",
		path: "/api/v1/openapi.json",
		operationId: "openApiDocument",
		tags: ["Reference"],
		summary: "This contract as an OpenAPI 3.1 document",
		description:
			"Generated from the same zod schemas the handlers validate with; `servers` names the host it was asked on.",
		responses: {
			200: {
				description: "The OpenAPI 3.1 document, generated from the schemas the handlers validate with.",
				content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
			},
			...problems(429),
		},
		"x-policy": policy,
	}),
	apiReference: defineRoute({
		method: "get",
		path: "/api/v1/reference",
		operationId: "apiReference",
		tags: ["Reference"],
		summary: "An interactive reference of this contract (Scalar), for a browser",
		description:
			"Scalar's reference over `/api/v1/openapi.json`, under a Content-Security-Policy that allows its script by nonce.",
		responses: {
			200: { description: "An HTML page that renders the document.", content: { "text/html": { schema: z.string() } } },
			...problems(429),
		},
		"x-policy": policy,
	}),
} satisfies Record<string, ContractRoute>;
