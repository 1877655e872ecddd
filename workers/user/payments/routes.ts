/**
 * Payments over REST (docs/domain.md, Payments). A payment's state lives in its PaymentObject;
 * these handlers check that the caller may see the payment (the D1 registry, through the scoped
 * data layer: a payment the caller is no party to is 404), then read the object or hand it a move.
 * Nothing here changes a status on its own: people's moves (the buyer confirms the handover or
 * disputes, an admin refunds) go through the same machine the verified webhooks drive, and a
 * refusal is answered as the problem of its kind (shared/contract/outcomes.ts).
 */
import type { Context } from "hono";
import { sendBackofficeJobs } from "../../../queues/backoffice-jobs.ts";
import { contractApp } from "../../../shared/contract/app.ts";
import { paymentRefusalProblem } from "../../../shared/contract/outcomes.ts";
import { paymentsRoutes as r } from "../../../shared/contract/routes/payments.ts";
import type { PaymentRecord } from "../../../shared/data/payments.ts";
import { newId } from "../../../shared/encoding.ts";
import { encodeCursor } from "../../../shared/http/cursor.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import type { Party, PaymentMove } from "../../../shared/payments/types.ts";
import type { UserHono } from "../types.ts";
import { createCheckout } from "./checkout.ts";
import { sellerConnect } from "./connect.ts";
import { type ApplyResult, callerOf, type PaymentView, paymentObject } from "./objects.ts";

/** A payment the caller may see, or 404. */
async function visible(c: Context<UserHono>, id: string): Promise<PaymentRecord> {
	const record = await c.var.data.payments.find(id);
	if (!record) throw new HttpProblem({ reason: "not_found" });
	return record;
}

/** The payment a move left; a harmless refusal (`already`, `stale`) answers it as it is. */
function settled(result: ApplyResult): PaymentView {
	if (result.ok) return result.view;
	if ((result.refusal.kind === "already" || result.refusal.kind === "stale") && result.view) return result.view;
	throw new HttpProblem(paymentRefusalProblem(result.refusal));
}

/** Who the caller is to `record`, as the machine's moves name it: it refuses a non-admin an admin's move. */
function partyOf(c: Context<UserHono>, record: PaymentRecord): Party {
	const caller = callerOf(c);
	if (caller.role === "admin") return "admin";
	return record.buyer_tenant_id === caller.tenantId ? "buyer" : "seller";
}

/** The buyer's move on a payment the buyer may see; anyone else 403 (the seller sees it, cannot move it). */
async function buyerMove(c: Context<UserHono>, id: string, move: PaymentMove): Promise<PaymentView> {
	const record = await visible(c, id);
	if (record.buyer_tenant_id !== callerOf(c).tenantId) {
		throw new HttpProblem({ reason: "forbidden", detail: "Only the buyer can do this." });
	}
	return settled(await paymentObject(c, record.id).apply(move, Date.now()));
}

const payments = contractApp<UserHono>()
	.openapi(r.createCheckout, async (c) => {
		const result = await createCheckout(c, c.req.valid("param").id);
		return c.json(result.body, result.status);
	})
	.openapi(r.listPayments, async (c) => {
		const query = c.req.valid("query");
		const { rows, more } = await c.var.data.payments.list(query.limit, query.cursor, query.status);
		const views = await Promise.all(rows.map((row) => paymentObject(c, row.id).view()));
		const items = views.filter((view) => view !== null);
		const last = rows.at(-1);
		return c.json({ items, next_cursor: more && last ? encodeCursor([last.created_at, last.id]) : null }, 200);
	})
	.openapi(r.getPayment, async (c) => {
		const record = await visible(c, c.req.valid("param").id);
		const view = await paymentObject(c, record.id).view();
		if (!view) throw new HttpProblem({ reason: "not_found" });
		return c.json(view, 200);
	})
	.openapi(r.confirmHandover, async (c) => {
		const view = await buyerMove(c, c.req.valid("param").id, { type: "handover_confirmed", by: "buyer" });
		return c.json(view, 200);
	})
	.openapi(r.openDispute, async (c) => {
		const { reason } = c.req.valid("json");
		const view = await buyerMove(c, c.req.valid("param").id, { type: "dispute_opened", by: "buyer", reason });
		return c.json(view, 200);
	})
	.openapi(r.refundPayment, async (c) => {
		const record = await visible(c, c.req.valid("param").id);
		const body = c.req.valid("json");
		const move: PaymentMove = {
			type: "refund_requested",
			by: partyOf(c, record),
			...(body.amount_cents === undefined ? {} : { amount_cents: body.amount_cents }),
		};
		const result = await paymentObject(c, record.id).apply(move, Date.now());
		await audit(c, record, "payment.refund", {
			amount_cents: body.amount_cents ?? null,
			reason: body.reason,
			outcome: result.ok ? "requested" : result.refusal.kind,
		});
		return c.json(settled(result), 200);
	})
	.openapi(r.decideDispute, async (c) => {
		const record = await visible(c, c.req.valid("param").id);
		const body = c.req.valid("json");
		const move: PaymentMove = { type: "dispute_decided", by: partyOf(c, record), decision: body.decision };
		const result = await paymentObject(c, record.id).apply(move, Date.now());
		await audit(c, record, "payment.dispute_decided", {
			decision: body.decision,
			reason: body.reason,
			outcome: result.ok ? "decided" : result.refusal.kind,
		});
		return c.json(settled(result), 200);
	});

/**
 * An admin's decision on a payment, on the record whether the machine took it or not; the send is
 * awaited, so it is never silently lost (and a failed send fails the request).
 */
async function audit(
	c: Context<UserHono>,
	record: PaymentRecord,
	action: string,
	detail: { reason: string; outcome: string } & Record<string, unknown>,
): Promise<void> {
	const { tenant } = c.var;
	await sendBackofficeJobs(c.env.BACKOFFICE_JOBS, [
		{
			id: newId("evt"),
			kind: "audit.record",
			occurred_at: new Date().toISOString(),
			actor_user_id: tenant.user_id,
			actor_tenant_id: tenant.actor_tenant_id ?? tenant.tenant_id,
			subject_tenant_id: record.buyer_tenant_id,
			action,
			detail: { ...detail, reason: detail.reason.slice(0, 500), payment_id: record.id, request_id: tenant.request_id },
		},
	]);
}

/** Every payment route, declared in shared/contract/routes/payments.ts; mounted at `/`. */
export const paymentsApp = contractApp<UserHono>().route("/", payments).route("/", sellerConnect);
