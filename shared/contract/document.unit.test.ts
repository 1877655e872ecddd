import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openApiDocument } from "./document.ts";
import { callers, policyOf } from "./policy.ts";
import { routeTable } from "./table.ts";

const policySchema = z
	.object({
		allow: z.array(z.enum(callers)).min(1),
		bucket: z.enum(["none", "auth", "caller"]),
		body: z.enum(["none", "json", "upload", "raw"]),
		credentials: z.enum(["accepted", "ignored", "query"]),
		verifiedEmail: z.literal(true).optional(),
		servedBy: z.enum(["dispatch", "user"]),
		note: z.string().optional(),
	})
	.strict();

describe("the OpenAPI document", () => {
	const document = openApiDocument("https://techflunky.com");

	it("passes the OpenAPI 3.1 schema validator", async () => {
		const result = await new Validator().validate(document);
		expect(result.errors ?? []).toEqual([]);
		expect(result.valid).toBe(true);
		expect(document.openapi).toBe("3.1.0");
	});

	it("describes every route of the table, once, under its operationId", () => {
		const paths = document.paths as Record<string, Record<string, { operationId?: string }>>;
		const operations = Object.entries(paths).flatMap(([path, item]) =>
			Object.entries(item).map(([method, operation]) => `${method} ${path} ${operation.operationId}`),
		);
		expect(operations.sort()).toEqual(routeTable.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
		const ids = routeTable.map((route) => route.operationId);
		expect(new Set(ids).size).toBe(ids.length);
	});

	it("declares the security schemes and the edge's headers", () => {
		const components = document.components as Record<string, Record<string, unknown>>;
		expect(Object.keys(components.securitySchemes ?? {}).sort()).toEqual(["bearer", "cookie"]);
		const paths = document.paths as Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
		const login = paths["/api/v1/auth/login"]?.post;
		expect(Object.keys(login?.responses["200"]?.headers ?? {})).toEqual(
			expect.arrayContaining(["X-Request-Id", "RateLimit", "RateLimit-Policy"]),
		);
		expect(Object.keys(login?.responses["429"]?.headers ?? {})).toContain("Retry-After");
		expect(Object.keys(paths["/healthz"]?.get?.responses["200"]?.headers ?? {})).toEqual(["X-Request-Id"]);
	});
});

describe("the route table", () => {
	it.each(routeTable.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
		"gives %s a complete policy",
		(_, route) => {
			expect(policySchema.safeParse(policyOf(route)).success).toBe(true);
		},
	);

	it.each(routeTable.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
		"declares the 403 the edge may answer on %s (a foreign X-Tenant-ID or a cross-origin write)",
		(_, route) => {
			expect(Object.keys(route.responses)).toContain("403");
		},
	);

	it("lets only sign-in, sign-up, the anonymous recovery and e-mail-change links, the one-click unsubscribe and Stripe's webhook ignore credentials, and only the sign-in and link routes spend the auth buckets", () => {
		const anonymousAuth = [
			"confirmEmailChange",
			"confirmPasswordReset",
			"login",
			"register",
			"requestPasswordReset",
			"verifyEmail",
		];
		const special = routeTable.filter((route) => {
			const policy = policyOf(route);
			return policy.credentials === "ignored" || policy.bucket === "auth";
		});
		expect(special.map((route) => route.operationId).sort()).toEqual(
			[...anonymousAuth, "stripeWebhook", "unsubscribe"].sort(),
		);
		const auth = routeTable.filter((route) => policyOf(route).bucket === "auth");
		expect(auth.map((route) => route.operationId).sort()).toEqual(anonymousAuth);
	});

	it("asks for a verified e-mail address exactly where an address nobody owns could do harm: publishing, asking for access, offering", () => {
		const verified = routeTable.filter((route) => policyOf(route).verifiedEmail).map((route) => route.operationId);
		expect(verified.sort()).toEqual(["createAccessRequest", "createOffer", "publishListing"]);
	});

	it("takes uploads only where files are written, and `?token=` only on the WebSocket", () => {
		expect(routeTable.filter((r) => policyOf(r).body === "upload").map((r) => r.operationId)).toEqual([
			"putAttachment",
		]);
		expect(routeTable.filter((r) => policyOf(r).credentials === "query").map((r) => r.operationId)).toEqual([
			"joinNegotiationRoom",
		]);
	});
});
