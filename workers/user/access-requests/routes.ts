/**
 * Access requests (docs/domain.md, Access requests: the NDA flow): a buyer or investor accepts a
 * listing's current NDA and asks to see its confidential details; the listing's seller approves,
 * declines or later revokes. Approval is what the listings data layer reads to show confidential
 * details, so a revocation takes effect on the next read.
 *
 * Asking twice is idempotent per buyer tenant: the second ask answers 200 with the request as it
 * stands (whatever its status), so a declined buyer cannot re-open the question by asking again.
 * A request the caller may not see is 404, never 403; the role table at the edge has already
 * decided who may call which route. Paths, bodies, queries and response shapes are the contract's
 * (shared/contract/routes/access-requests.ts), validated before a handler runs.
 *
 * A new request and a decision each write an `access_request.event` to the outbox in the same D1
 * batch, only if the change happened (`afterChange`), and send it at once; the consumer turns it
 * into the notification e-mail (workers/consumers/access-mail.ts).
 */
import type { Context } from "hono";
import type { AccessRequestEventJob } from "../../../queues/backoffice-jobs.ts";
import { contractApp } from "../../../shared/contract/app.ts";
import { type AccessRequestView, accessRequestsRoutes as r } from "../../../shared/contract/routes/access-requests.ts";
import type { AccessRequestRecord, AccessRequestStatus } from "../../../shared/data/access-requests.ts";
import { newId } from "../../../shared/encoding.ts";
import { encodeCursor } from "../../../shared/http/cursor.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import type { UserHono } from "../types.ts";

/** The public shape: an allow-list, so internal columns (`buyer_user_id`) never leave. */
function toView(row: AccessRequestRecord): AccessRequestView {
	return {
		id: row.id,
		listing_id: row.listing_id,
		buyer_tenant_id: row.buyer_tenant_id,
		seller_tenant_id: row.seller_tenant_id,
		status: row.status,
		message: row.message === "" ? null : row.message,
		nda_version: row.nda_version,
		nda_accepted_at: row.nda_accepted_at,
		decided_at: row.decided_at,
		created_at: row.created_at,
		updated_at: row.updated_at,
	};
}

/** The outbox message announcing that request `request` is now `status`. */
function accessEvent(
	request: Pick<AccessRequestRecord, "id" | "listing_id" | "buyer_tenant_id" | "seller_tenant_id">,
	status: AccessRequestEventJob["status"],
	now: string,
) {
	const body: AccessRequestEventJob = {
		id: newId("evt"),
		kind: "access_request.event",
		occurred_at: now,
		access_request_id: request.id,
		listing_id: request.listing_id,
		buyer_tenant_id: request.buyer_tenant_id,
		seller_tenant_id: request.seller_tenant_id,
		status,
	};
	return { id: body.id, queue: "backoffice-jobs" as const, body };
}

export type Decision = "approve" | "decline" | "revoke";

export type DecisionStep =
	| { kind: "change"; to: AccessRequestStatus }
	| { kind: "unchanged" }
	| { kind: "conflict"; detail: string };

/**
 * What a seller's decision does to a request in `current`: repeating the decision already in
 * force changes nothing; the opposite decision on a decided request is a conflict (revoke is the
 * way to withdraw an approval); a revoked request is final.
 */
export function decisionStep(decision: Decision, current: AccessRequestStatus): DecisionStep {
	switch (decision) {
		case "approve":
			if (current === "pending") return { kind: "change", to: "approved" };
			if (current === "approved") return { kind: "unchanged" };
			return { kind: "conflict", detail: `This request is ${current}; it can no longer be approved.` };
		case "decline":
			if (current === "pending") return { kind: "change", to: "declined" };
			if (current === "declined") return { kind: "unchanged" };
			if (current === "approved") {
				return { kind: "conflict", detail: "This request is approved; revoke it to withdraw access." };
			}
			return { kind: "conflict", detail: "This request is revoked; it can no longer be declined." };
		case "revoke":
			if (current === "approved" || current === "declined") return { kind: "change", to: "revoked" };
			if (current === "revoked") return { kind: "unchanged" };
			return { kind: "conflict", detail: "This request is pending; decline it instead." };
		default: {
			const unreachable: never = decision;
			throw new Error(`unknown decision ${unreachable}`);
		}
	}
}

/** The seller's decision on request `id`, answered with the request as it then stands. */
async function decide(c: Context<UserHono>, id: string, decision: Decision): Promise<AccessRequestView> {
	const { accessRequests, batch } = c.var.data;
	const request = await accessRequests.managed(id);
	if (!request) throw new HttpProblem({ reason: "not_found" });
	const step = decisionStep(decision, request.status);
	if (step.kind === "conflict") throw new HttpProblem({ reason: "conflict", detail: step.detail });
	if (step.kind === "unchanged") return toView(request);

	const now = new Date().toISOString();
	const event = accessEvent(request, step.to, now);
	const { outbox } = c.var.data;
	await batch([
		accessRequests.decide(id, request.status, step.to, now),
		outbox.insert(event, Date.parse(now), { afterChange: true }),
	]);
	await outbox.flush({ "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [event.id], Date.parse(now));
	const after = await accessRequests.managed(id);
	if (!after) throw new HttpProblem({ reason: "not_found" });
	// A concurrent decision won the race: the same one is a success, another a conflict.
	if (after.status !== step.to) {
		throw new HttpProblem({ reason: "conflict", detail: "This request changed; reload it and try again." });
	}
	return toView(after);
}

/** Every access-request route, declared in shared/contract/routes/access-requests.ts; mounted at `/`. */
export const accessRequests = contractApp<UserHono>()
	.openapi(r.createAccessRequest, async (c) => {
		const { id: listing } = c.req.valid("param");
		const body = c.req.valid("json");
		const { scope, accessRequests, batch } = c.var.data;
		if (scope.tenantId === null || scope.userId === null || (scope.role !== "buyer" && scope.role !== "investor")) {
			throw new HttpProblem({ reason: "forbidden" });
		}

		const target = await accessRequests.target(listing);
		if (!target) throw new HttpProblem({ reason: "not_found" });
		if (target.seller_tenant_id === scope.tenantId) {
			throw new HttpProblem({ reason: "conflict", detail: "You cannot ask for access to your own listing." });
		}
		if (target.status === "draft" || target.status === "archived") throw new HttpProblem({ reason: "not_found" });
		if (target.status !== "active") {
			throw new HttpProblem({ reason: "conflict", detail: "This listing is no longer taking access requests." });
		}
		if (body.nda_version !== target.nda_version) {
			throw new HttpProblem({
				reason: "conflict",
				detail: `The NDA changed; read it again. The current version is ${target.nda_version}.`,
			});
		}

		const id = newId("acr");
		const now = new Date().toISOString();
		const event = accessEvent(
			{ id, listing_id: listing, buyer_tenant_id: scope.tenantId, seller_tenant_id: target.seller_tenant_id },
			"pending",
			now,
		);
		const { outbox } = c.var.data;
		await batch([
			accessRequests.create({ id, listingId: listing, ndaVersion: body.nda_version, message: body.message ?? "" }, now),
			outbox.insert(event, Date.parse(now), { afterChange: true }),
		]);
		await outbox.flush({ "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [event.id], Date.parse(now));
		const request = await accessRequests.mine(listing);
		// Neither inserted nor there before: the listing changed between the read and the insert.
		if (!request) {
			throw new HttpProblem({ reason: "conflict", detail: "The listing changed; reload it and try again." });
		}
		return request.id === id ? c.json(toView(request), 201) : c.json(toView(request), 200);
	})
	.openapi(r.listAccessRequests, async (c) => {
		const query = c.req.valid("query");
		const { rows, more } = await c.var.data.accessRequests.list({
			status: query.status,
			listingId: query.listing_id,
			limit: query.limit,
			cursor: query.cursor,
		});
		const items = rows.map(toView);
		const last = items.at(-1);
		return c.json({ items, next_cursor: more && last ? encodeCursor([last.created_at, last.id]) : null }, 200);
	})
	.openapi(r.approveAccessRequest, async (c) => c.json(await decide(c, c.req.valid("param").id, "approve"), 200))
	.openapi(r.declineAccessRequest, async (c) => c.json(await decide(c, c.req.valid("param").id, "decline"), 200))
	.openapi(r.revokeAccessRequest, async (c) => c.json(await decide(c, c.req.valid("param").id, "revoke"), 200));
