/**
 * The admin routes' contract (see ../policy.ts): list tenants with their status and limits;
 * suspend, reactivate and override a tenant's rate limit. Served by the dispatch Worker.
 */
import { z } from "@hono/zod-openapi";
import { adminOnly, type ContractRoute, defineRoute } from "../policy.ts";
import { cursor, json, jsonBody, page, problems, signedInSecurity, tenantId, timestamp } from "../schemas.ts";
import { role, tenantStatus } from "./auth.ts";

/** A tenant's own bucket: `limit` tokens per `window_seconds`, at most `burst` at once. */
export const rateLimit = z
	.object({
		limit: z.number().int().min(1).max(1_000_000),
		window_seconds: z.number().int().min(1).max(86_400),
		burst: z.number().int().min(1).max(100_000),
	})
	.strict()
	.openapi("RateLimit");

export const tenantPatchBody = z
	.object({
		status: tenantStatus.optional(),
		rate_limit: rateLimit
			.nullable()
			.optional()
			.openapi({ description: "`null` clears the override and the role's defaults apply again" }),
	})
	.strict()
	.refine((body) => body.status !== undefined || body.rate_limit !== undefined, {
		message: "send status, rate_limit or both",
	});

export const tenantsQuery = z
	.object({
		status: tenantStatus.optional(),
		kind: role.optional(),
		limit: z.coerce.number().int().min(1).max(100).default(50),
		cursor: cursor.optional(),
	})
	.strict();

/** The tenant as admins see it: its override (`null` for the role's defaults) and the limit in force. */
export const adminTenantView = z
	.object({
		id: tenantId,
		kind: role,
		name: z.string(),
		status: tenantStatus,
		rate_limit: rateLimit.nullable(),
		effective_rate_limit: rateLimit,
		created_at: timestamp,
		updated_at: timestamp,
		users: z.number().int().nonnegative(),
	})
	.strict()
	.openapi("AdminTenant");

export const adminTenantsPage = page(adminTenantView);

export const adminRoutes = {
	listTenants: defineRoute({
		method: "get",
		path: "/api/v1/admin/tenants",
		operationId: "listTenants",
		tags: ["Admin"],
		summary: "Tenants, newest first, with their status and limits",
		description:
			"Newest first; each item carries the override (`rate_limit`, or `null`) and the limit in force (`effective_rate_limit`); `limit` 1–100 (default 50).",
		security: signedInSecurity,
		request: { query: tenantsQuery },
		responses: { 200: json(adminTenantsPage, "A page of tenants"), ...problems(400, 401, 403, 429, 503) },
		"x-policy": { allow: adminOnly, bucket: "caller", body: "none", credentials: "accepted", servedBy: "dispatch" },
	}),
	updateTenant: defineRoute({
		method: "patch",
		path: "/api/v1/admin/tenants/{id}",
		operationId: "updateTenant",
		tags: ["Admin"],
		summary: "Suspend or reactivate a tenant, or override its rate limit (audited)",
		description:
			"`status` ∈ active, suspended (suspension ends every session at once; reactivation does not revive them); `rate_limit` `{limit,window_seconds,burst}` or `null` for the role's defaults. At least one field; an unknown tenant is 404; suspending your own tenant 409. Audited (`admin.tenant_updated`).",
		security: signedInSecurity,
		request: { params: z.object({ id: tenantId }), body: jsonBody(tenantPatchBody) },
		responses: {
			200: json(adminTenantView, "The tenant, changed"),
			...problems(400, 401, 403, 404, 409, 413, 415, 429, 503),
		},
		"x-policy": { allow: adminOnly, bucket: "caller", body: "json", credentials: "accepted", servedBy: "dispatch" },
	}),
} satisfies Record<string, ContractRoute>;
