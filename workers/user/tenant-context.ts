/**
 * The user Worker's gate: no request is served without a tenant context signed by the dispatch
 * Worker. A misrouted or forged request is refused before any handler runs. The verified context
 * is also what scopes the data layer: this is the one place the D1 binding is handed over.
 */
import { createMiddleware } from "hono/factory";
import { tenantData } from "../../shared/data/index.ts";
import { HttpProblem } from "../../shared/http/problem.ts";
import { HEADER, verifyTenantContext } from "../../shared/tenant-context.ts";
import type { UserHono } from "./types.ts";

export const requireTenantContext = createMiddleware<UserHono>(async (c, next) => {
	const context = await verifyTenantContext(c.req.header(HEADER), c.env.TENANT_CONTEXT_SECRET, Date.now());
	if (!context)
		throw new HttpProblem({ reason: "forbidden", detail: "This request did not come through the platform." });
	c.set("tenant", context);
	c.set("data", tenantData((c.env as UserEnv).DB, context));
	await next();
});
