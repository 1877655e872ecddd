/** The user Worker's Hono app, built once at module scope; one sub-app per feature. */
import { Hono } from "hono";
import { notFoundProblem, onProblem } from "../../shared/http/problem.ts";
import { accessRequests } from "./access-requests/routes.ts";
import { attachments } from "./attachments/routes.ts";
import { listings } from "./listings/routes.ts";
import { offers } from "./offers/routes.ts";
import { paymentsApp } from "./payments/routes.ts";
import { savedSearches } from "./saved-searches/routes.ts";
import { featured } from "./storefronts/featured.ts";
import { storefronts } from "./storefronts/routes.ts";
import { requireTenantContext } from "./tenant-context.ts";
import type { UserHono } from "./types.ts";
import { watchlist } from "./watchlist/routes.ts";

export const app = new Hono<UserHono>()
	.use(requireTenantContext)
	.route("/", attachments)
	.route("/", accessRequests)
	.route("/", offers)
	.route("/", paymentsApp)
	// After the payments: `/sellers/{tenant_id}` must not take `/sellers/connect`.
	.route("/", storefronts)
	.route("/", featured)
	.route("/", listings)
	.route("/", savedSearches)
	.route("/", watchlist)
	.notFound(notFoundProblem)
	.onError(onProblem);
