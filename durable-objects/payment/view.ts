/**
 * What the PaymentObject shows: the contract's `paymentView` (shared/contract/routes/payments.ts,
 * ISO timestamps) and the `payment.event` message each change announces, both from the stored row.
 */

import type { z } from "zod";
import { type PaymentChange, type PaymentEventType, paymentChangeSchema } from "../../queues/payment-events.ts";
import type { paymentView } from "../../shared/contract/routes/payments.ts";
import { newId } from "../../shared/encoding.ts";
import type { PaymentState } from "../../shared/payments/types.ts";
import type { PaymentRow } from "./store.ts";

export type PaymentView = z.infer<typeof paymentView>;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function viewOf(row: PaymentRow): PaymentView {
	const s = row.state;
	return {
		id: s.id,
		offer_id: s.offer_id,
		listing_id: s.listing_id,
		buyer_tenant_id: s.buyer_tenant_id,
		seller_tenant_id: s.seller_tenant_id,
		status: s.status,
		processing: s.processing,
		amount_cents: s.amount_cents,
		fee_cents: s.fee_cents,
		seller_payout_cents: s.payout_cents,
		refunded_cents: s.refunded_cents,
		currency: s.currency.toUpperCase(),
		checkout_url: s.status === "pending" && !s.processing ? row.checkout_url : null,
		release_at: isoOrNull(s.release_at),
		dispute:
			s.dispute === null
				? null
				: {
						reason:
							s.dispute.by === "stripe" ? "A chargeback opened with the card issuer." : (row.dispute_reason ?? ""),
						opened_at: iso(s.dispute.opened_at),
						opened_by: s.dispute.by === "stripe" ? "card_network" : "buyer",
					},
		paid_at: isoOrNull(s.paid_at),
		released_at: isoOrNull(s.released_at),
		created_at: iso(s.created_at),
		updated_at: iso(s.updated_at),
	};
}

/** Which `payment.*` a transition from `before` to `after` is. */
export function eventTypeOf(before: PaymentState, after: PaymentState): PaymentEventType {
	if (before.status !== after.status) return `payment.${after.status}` as PaymentEventType;
	if (!before.processing && after.processing) return "payment.processing";
	if (before.release_requested_at === null && after.release_requested_at !== null) return "payment.release_requested";
	if (before.dispute?.closed_at === null && after.dispute?.closed_at != null) return "payment.dispute_closed";
	if (after.refund_requested_cents > before.refund_requested_cents) return "payment.refund_requested";
	if (after.refunded_cents > before.refunded_cents) return "payment.refunded";
	if (after.reversed_cents > before.reversed_cents) return "payment.reversed";
	return "payment.updated";
}

export function changeEvent(type: PaymentEventType, row: PaymentRow, now: number): PaymentChange {
	const s = row.state;
	return paymentChangeSchema.parse({
		kind: "payment.event",
		id: newId("evt"),
		type,
		occurred_at: iso(now),
		payment_id: s.id,
		offer_id: s.offer_id,
		listing_id: s.listing_id,
		buyer_tenant_id: s.buyer_tenant_id,
		seller_tenant_id: s.seller_tenant_id,
		status: s.status,
		processing: s.processing,
		version: s.version,
		amount_cents: s.amount_cents,
		fee_cents: s.fee_cents,
		payout_cents: s.payout_cents,
		refunded_cents: s.refunded_cents,
		transfer_cents: s.transfer_cents,
		currency: s.currency.toUpperCase(),
		payment_intent_id: s.payment_intent_id,
		charge_id: s.charge_id ?? row.charge_id,
		transfer_id: s.transfer_id,
		stripe_fee_cents: row.stripe_fee_cents,
		paid_at: isoOrNull(s.paid_at),
		release_at: isoOrNull(s.release_at),
		released_at: isoOrNull(s.released_at),
	} satisfies PaymentChange);
}
