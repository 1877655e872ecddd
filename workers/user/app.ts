/** The user Worker's Hono app, built once at module scope; one sub-app per feature. */
import { Hono } from "hono";
import { notFoundProblem, onProblem } from "../../shared/http/problem.ts";
import { accessRequests, listingAccessRequests } from "./access-requests/routes.ts";
import { attachments } from "./attachments/routes.ts";
import { listings } from "./listings/routes.ts";
import { listingOffers, offers } from "./offers/routes.ts";
import { requireTenantContext } from "./tenant-context.ts";
import type { UserHono } from "./types.ts";

export const app = new Hono<UserHono>()
	.use(requireTenantContext)
	.route("/api/v1/listings/:id/attachments", attachments)
	.route("/api/v1/listings/:id/access-requests", listingAccessRequests)
	.route("/api/v1/listings/:id", listingOffers)
	.route("/api/v1/listings", listings)
	.route("/api/v1/offers", offers)
	.route("/api/v1/access-requests", accessRequests)
	.notFound(notFoundProblem)
	.onError(onProblem);
