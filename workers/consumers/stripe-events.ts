/**
 * A verified Stripe event (queued by workers/dispatch/routes/webhooks.ts) as a payment's move:
 * which payment it names (the session's `metadata.payment_id` / `client_reference_id`, the
 * `transfer_group` of charges and transfers, a dispute's charge or payment intent in the D1
 * registry), a cross-check of what it says against that registry (amount, currency, connected
 * account, metadata), then `apply` on the payment's PaymentObject. A mismatch is a security event
 * (logged, an Analytics Engine point, `stripe_events.outcome = 'mismatch'`), acked, never a state
 * change. An event for a payment not yet known throws, so the queue retries it with backoff and
 * then dead-letters it. `account.updated` keeps `seller_accounts` current, a later `created` winning.
 */
import type { PaymentObject } from "../../durable-objects/payment/payment-object.ts";
import type { StripeEventMessage } from "../../queues/payment-events.ts";
import {
	type PaymentRegistryRow,
	paymentRecords,
	sellerAccountRecords,
	stripeEventLog,
} from "../../shared/data/payment-records.ts";
import type { PaymentMove } from "../../shared/payments/types.ts";

type StripeObject = Record<string, unknown>;

/** Why an event cannot be applied yet: thrown, so the message is retried and finally dead-lettered. */
export class NotYetKnown extends Error {}

interface Resolved {
	payment: PaymentRegistryRow;
	move: PaymentMove;
	/** What the event says that must agree with the registry; the first disagreement is named. */
	mismatch: string | null;
}

const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);
const idOf = (value: unknown): string | null =>
	str(value) ?? (value && typeof value === "object" ? str((value as StripeObject).id) : null);
const metadataOf = (object: StripeObject): Record<string, unknown> =>
	object.metadata && typeof object.metadata === "object" ? (object.metadata as Record<string, unknown>) : {};

export async function handleStripeEvent(env: ConsumersEnv, event: StripeEventMessage, now: () => Date): Promise<void> {
	const log = stripeEventLog(env.DB);
	if ((await log.handled(event.id)) !== null) return;
	const at = now().toISOString();
	if (event.type === "account.updated") {
		const outcome = await accountUpdated(env, event, at);
		return log.recordOutcome(event.id, event.type, outcome, at);
	}
	const resolved = await resolve(env, event);
	if (resolved === "ignored") return log.recordOutcome(event.id, event.type, "ignored", at);
	if (resolved.mismatch !== null) {
		securityEvent(env, event, resolved.payment.id, resolved.mismatch);
		return log.recordOutcome(event.id, event.type, "mismatch", at);
	}
	const payments = env.PaymentObject as DurableObjectNamespace<PaymentObject>;
	const result = await payments.getByName(resolved.payment.id).apply(resolved.move, now().getTime());
	if (result.ok) return log.recordOutcome(event.id, event.type, "applied", at);
	if (result.view === null) throw new NotYetKnown(`payment ${resolved.payment.id} is not open yet`);
	const kind = result.refusal.kind;
	if (kind === "releasing") throw new NotYetKnown(`payment ${resolved.payment.id} is being released`);
	if (kind === "mismatch") {
		securityEvent(env, event, resolved.payment.id, result.refusal.detail);
		return log.recordOutcome(event.id, event.type, "mismatch", at);
	}
	const outcome = kind === "already" ? "duplicate" : kind === "stale" ? "stale" : `refused:${kind}`;
	await log.recordOutcome(event.id, event.type, outcome, at);
}

async function resolve(env: ConsumersEnv, event: StripeEventMessage): Promise<Resolved | "ignored"> {
	const object = event.object;
	const records = paymentRecords(env.DB);
	const known = async (payment: PaymentRegistryRow | null, what: string) => {
		if (payment === null) throw new NotYetKnown(`no payment for ${event.type} ${what}`);
		return payment;
	};
	switch (event.type) {
		case "checkout.session.completed":
		case "checkout.session.async_payment_succeeded":
		case "checkout.session.async_payment_failed":
		case "checkout.session.expired": {
			const paymentId = str(metadataOf(object).payment_id) ?? str(object.client_reference_id);
			if (paymentId === null) return "ignored";
			const payment = await known(await records.byId(paymentId), paymentId);
			const intent = idOf(object.payment_intent);
			const mismatch =
				checkMetadata(payment, metadataOf(object)) ??
				(str(object.id) !== payment.checkout_session_id ? "checkout session" : null) ??
				checkMoney(payment, num(object.amount_total), object.currency, "exact") ??
				(str(object.client_reference_id) !== null && object.client_reference_id !== payment.id
					? "client_reference_id"
					: null);
			let move: PaymentMove;
			if (event.type === "checkout.session.async_payment_failed") move = { type: "async_payment_failed" };
			else if (event.type === "checkout.session.expired") move = { type: "session_expired" };
			else {
				if (intent === null) return { payment, move: { type: "async_payment_failed" }, mismatch: "no payment intent" };
				move =
					event.type === "checkout.session.completed"
						? {
								type: "checkout_completed",
								payment_status: object.payment_status === "paid" ? "paid" : "unpaid",
								payment_intent_id: intent,
							}
						: { type: "async_payment_succeeded", payment_intent_id: intent };
			}
			return { payment, move, mismatch };
		}
		case "charge.refunded": {
			const payment = await known(
				(await byGroup(records, object.transfer_group)) ??
					(await records.byStripeObject(str(object.id), idOf(object.payment_intent))),
				str(object.id) ?? "charge",
			);
			const refunded = num(object.amount_refunded);
			const mismatch =
				checkMoney(payment, num(object.amount), object.currency, "exact") ??
				checkIntent(payment, idOf(object.payment_intent)) ??
				(refunded === null ? "amount_refunded" : null);
			return { payment, move: { type: "charge_refunded", amount_refunded: refunded ?? 0 }, mismatch };
		}
		case "charge.dispute.created":
		case "charge.dispute.closed": {
			const payment = await known(
				await records.byStripeObject(idOf(object.charge), idOf(object.payment_intent)),
				idOf(object.charge) ?? "dispute",
			);
			const disputeId = str(object.id) ?? "";
			const mismatch =
				checkMoney(payment, num(object.amount), object.currency, "at_most") ??
				checkIntent(payment, idOf(object.payment_intent));
			const move: PaymentMove =
				event.type === "charge.dispute.created"
					? { type: "dispute_opened", by: "stripe", dispute_id: disputeId }
					: { type: "dispute_closed", dispute_id: disputeId, outcome: object.status === "lost" ? "lost" : "won" };
			return { payment, move, mismatch };
		}
		case "transfer.created":
		case "transfer.reversed": {
			const group = str(object.transfer_group) ?? str(metadataOf(object).payment_id);
			if (group === null) return "ignored";
			const payment = await known(await records.byId(group), group);
			const transferId = str(object.id) ?? "";
			const mismatch =
				(idOf(object.destination) !== payment.stripe_account_id ? "destination account" : null) ??
				checkMoney(payment, num(object.amount), object.currency, "at_most") ??
				(payment.transfer_id !== null && payment.transfer_id !== transferId ? "transfer" : null);
			const move: PaymentMove =
				event.type === "transfer.created"
					? { type: "transfer_created", transfer_id: transferId }
					: { type: "transfer_reversed", transfer_id: transferId, amount_reversed: num(object.amount_reversed) ?? 0 };
			return { payment, move, mismatch };
		}
		default:
			return "ignored";
	}
}

async function byGroup(records: ReturnType<typeof paymentRecords>, group: unknown) {
	const id = str(group);
	return id === null ? null : records.byId(id);
}

function checkMoney(payment: PaymentRegistryRow, amount: number | null, currency: unknown, rule: "exact" | "at_most") {
	if (typeof currency !== "string" || currency.toLowerCase() !== payment.currency.toLowerCase()) return "currency";
	if (amount === null) return "amount";
	return (rule === "exact" ? amount !== payment.amount_cents : amount > payment.amount_cents) ? "amount" : null;
}

function checkIntent(payment: PaymentRegistryRow, intent: string | null) {
	return payment.payment_intent_id !== null && intent !== null && intent !== payment.payment_intent_id
		? "payment intent"
		: null;
}

/** Metadata the checkout wrote must name this payment's thread, listing and parties, where present. */
function checkMetadata(payment: PaymentRegistryRow, metadata: Record<string, unknown>): string | null {
	const expected: Record<string, string> = {
		payment_id: payment.id,
		offer_id: payment.offer_id,
		listing_id: payment.listing_id,
		buyer_tenant_id: payment.buyer_tenant_id,
		seller_tenant_id: payment.seller_tenant_id,
	};
	for (const [key, value] of Object.entries(expected)) {
		if (metadata[key] !== undefined && metadata[key] !== value) return `metadata.${key}`;
	}
	return null;
}

function securityEvent(env: ConsumersEnv, event: StripeEventMessage, paymentId: string, what: string): void {
	console.error("stripe event does not match its payment", {
		event: event.id,
		type: event.type,
		payment: paymentId,
		what,
	});
	env.ANALYTICS.writeDataPoint({
		indexes: ["security"],
		blobs: ["security.stripe_mismatch", event.id, event.type, paymentId, what],
		doubles: [1],
	});
}

async function accountUpdated(env: ConsumersEnv, event: StripeEventMessage, at: string): Promise<string> {
	const object = event.object;
	const accountId = str(object.id);
	if (accountId === null) return "ignored";
	const capabilities: Record<string, string> = {};
	if (object.capabilities && typeof object.capabilities === "object") {
		for (const [name, state] of Object.entries(object.capabilities as Record<string, unknown>)) {
			if (state === "active" || state === "inactive" || state === "pending") capabilities[name] = state;
		}
	}
	const outcome = await sellerAccountRecords(env.DB).update({
		stripe_account_id: accountId,
		details_submitted: object.details_submitted === true,
		charges_enabled: object.charges_enabled === true,
		payouts_enabled: object.payouts_enabled === true,
		capabilities,
		created: event.created,
		at,
	});
	if (outcome === "unknown") throw new NotYetKnown(`no seller account ${accountId} yet`);
	return outcome;
}
