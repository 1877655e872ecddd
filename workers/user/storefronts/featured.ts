/**
 * Admins featuring listings for the home page (`GET /api/v1/listings?featured=true`): feature an
 * active listing, stop featuring one. Admin only by the routes' policy at the edge, and again
 * here. Each change and its audit record (`audit.record` on the backoffice queue, through the
 * outbox) are one D1 batch, the record written only when the guarded UPDATE changed the listing,
 * so a repeat is answered as it stands and audited once; the record names the listing's seller as
 * the subject, since it is the seller's listing that is shown.
 */
import type { Context } from "hono";
import { type AuditJob, auditJobSchema } from "../../../queues/backoffice-jobs.ts";
import { contractApp } from "../../../shared/contract/app.ts";
import { storefrontsRoutes as r } from "../../../shared/contract/routes/storefronts.ts";
import type { OutboxMessage } from "../../../shared/data/outbox.ts";
import type { FeatureTarget } from "../../../shared/data/storefronts.ts";
import { newId } from "../../../shared/encoding.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import type { UserHono } from "../types.ts";

async function targetOr404(c: Context<UserHono>, id: string): Promise<FeatureTarget> {
	if (!c.var.data.scope.isAdmin)
		throw new HttpProblem({ reason: "forbidden", detail: "Only admins feature listings." });
	const listing = await c.var.data.featuring.target(id);
	if (!listing) throw new HttpProblem({ reason: "not_found" });
	return listing;
}

/** The audit record of an admin's featuring, checked against the queue's schema before it is written. */
function auditMessage(c: Context<UserHono>, listing: FeatureTarget, action: string, now: number): OutboxMessage {
	const { tenant } = c.var;
	const id = newId("evt");
	const body = auditJobSchema.parse({
		id,
		kind: "audit.record",
		occurred_at: new Date(now).toISOString(),
		actor_user_id: tenant.user_id,
		actor_tenant_id: tenant.actor_tenant_id ?? tenant.tenant_id,
		subject_tenant_id: listing.seller_tenant_id,
		action,
		detail: { listing_id: listing.id, request_id: tenant.request_id },
	} satisfies AuditJob);
	return { id, queue: "backoffice-jobs", body };
}

/** Runs `change` with its audit record after it; whether the change happened. */
async function changeAudited(
	c: Context<UserHono>,
	change: D1PreparedStatement,
	message: OutboxMessage,
	now: number,
): Promise<boolean> {
	const [result] = await c.var.data.batch([change, c.var.data.outbox.insert(message, now, { afterChange: true })]);
	const changed = (result?.meta.changes ?? 0) === 1;
	if (changed) await c.var.data.outbox.flush({ "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [message.id], now);
	return changed;
}

const notActive = (status: string) =>
	new HttpProblem({
		reason: "conflict",
		detail: `Only an active listing can be featured; this one is ${status.replace("_", " ")}.`,
	});

export const featured = contractApp<UserHono>()
	.openapi(r.featureListing, async (c) => {
		const { id } = c.req.valid("param");
		const listing = await targetOr404(c, id);
		// Before the already-featured answer: a featured listing since archived or sold is not one.
		if (listing.status !== "active") throw notActive(listing.status);
		if (listing.featured_at !== null) return c.json({ listing_id: id, featured_at: listing.featured_at }, 200);
		const now = Date.now();
		const at = new Date(now).toISOString();
		const message = auditMessage(c, listing, "admin.listing_featured", now);
		if (await changeAudited(c, c.var.data.featuring.feature(id, at), message, now)) {
			return c.json({ listing_id: id, featured_at: at }, 200);
		}
		// Someone featured it, or its status moved, in between: answer what it is now.
		const current = await targetOr404(c, id);
		if (current.status !== "active") throw notActive(current.status);
		if (current.featured_at !== null) return c.json({ listing_id: id, featured_at: current.featured_at }, 200);
		throw new HttpProblem({ reason: "conflict", detail: "The listing changed meanwhile; reload and try again." });
	})
	.openapi(r.unfeatureListing, async (c) => {
		const { id } = c.req.valid("param");
		const listing = await targetOr404(c, id);
		if (listing.featured_at !== null) {
			const now = Date.now();
			await changeAudited(
				c,
				c.var.data.featuring.unfeature(id),
				auditMessage(c, listing, "admin.listing_unfeatured", now),
				now,
			);
		}
		return c.body(null, 204);
	});
