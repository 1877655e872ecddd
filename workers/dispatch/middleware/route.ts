/**
 * Which contract route the request is (shared/contract/table.ts, matched with Hono's router), so
 * every later step reads that route's policy instead of keeping its own list of paths:
 * `authenticate` its credentials rule, `rateLimit` its bucket, `authorize` who may call it,
 * `bodyLimits` what body it takes. A request that is no route gets `route: null`; `authorize`
 * answers it 404, or 405 with `Allow` when the path exists with other methods.
 */
import { createMiddleware } from "hono/factory";
import { createRouteMatcher } from "../../../shared/contract/match.ts";
import { routeTable } from "../../../shared/contract/table.ts";
import type { DispatchHono } from "../types.ts";

export const routes = createRouteMatcher(routeTable);

export const resolveRoute = createMiddleware<DispatchHono>(async (c, next) => {
	c.set("route", routes.match(c.req.method, c.req.path).route);
	await next();
});
