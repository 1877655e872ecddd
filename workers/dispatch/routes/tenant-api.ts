/** `/api/v1/*` that is not a platform route: forwarded to the tenant's user Worker. */
import { Hono } from "hono";
import type { DispatchHono } from "../types.ts";
import { toUserWorkerRequest, userWorkerGateway } from "../user-worker.ts";

export const tenantApi = new Hono<DispatchHono>().all("/*", async (c) => {
	const tenant = c.get("tenant");
	const request = await toUserWorkerRequest(
		c.req.raw,
		{ ...tenant, issued_at: Date.now() },
		c.env.TENANT_CONTEXT_SECRET,
	);
	const response = await userWorkerGateway(c.env).fetch(request, c.env.USER_WORKER_SCRIPT);
	// Re-wrap so the dispatch Worker's middleware can add its headers to an immutable response.
	return new Response(response.body, response);
});
