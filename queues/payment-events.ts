/**
 * `payment-events`: two kinds of message on one queue, both consumed by
 * workers/consumers/payment-events.ts.
 * - `payment.event`: a PaymentObject's change (durable-objects/payment/), from its outbox, carrying
 *   the payment's figures after the change so the consolidated D1 record can be kept from any one
 *   of them (a later `version` wins, so order does not matter).
 * - `stripe.event`: a Stripe event the webhook verified (workers/dispatch/routes/webhooks.ts),
 *   queued as it was signed (its id, type, `created`, connected account and `data.object`), so
 *   the webhook can answer Stripe at once and the consumer drives the payment.
 */
import { z } from "zod";
import { cents, eventId, isoTime, type QueueProducer, sendAll, tenantId } from "./envelope.ts";

export const paymentEventTypes = [
	"payment.processing",
	"payment.paid",
	"payment.fee_recorded",
	"payment.release_requested",
	"payment.released",
	"payment.disputed",
	"payment.dispute_closed",
	"payment.refund_requested",
	"payment.refunded",
	"payment.reversed",
	"payment.failed",
	"payment.expired",
	"payment.updated",
] as const;
export type PaymentEventType = (typeof paymentEventTypes)[number];

const paymentStatus = z.enum(["pending", "paid", "disputed", "released", "refunded", "failed", "expired"]);
const hex = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9a-f]{32}$`));
const stripeId = z.string().min(1).max(255);

export const paymentChangeSchema = z
	.object({
		kind: z.literal("payment.event"),
		id: eventId,
		type: z.enum(paymentEventTypes),
		occurred_at: isoTime,
		payment_id: hex("pay"),
		offer_id: hex("off"),
		listing_id: hex("lst"),
		buyer_tenant_id: tenantId,
		seller_tenant_id: tenantId,
		status: paymentStatus,
		processing: z.boolean(),
		/** The object's version after the change; the D1 record keeps the highest. */
		version: z.number().int().positive(),
		amount_cents: cents,
		fee_cents: cents,
		payout_cents: cents,
		refunded_cents: cents,
		transfer_cents: cents,
		currency: z.string().regex(/^[A-Za-z]{3}$/),
		payment_intent_id: stripeId.nullable(),
		charge_id: stripeId.nullable(),
		transfer_id: stripeId.nullable(),
		/** Stripe's processing fee on the charge, once the object has read it. */
		stripe_fee_cents: cents.nullable(),
		paid_at: isoTime.nullable(),
		release_at: isoTime.nullable(),
		released_at: isoTime.nullable(),
	})
	.strict();
export type PaymentChange = z.infer<typeof paymentChangeSchema>;

export const stripeEventMessageSchema = z
	.object({
		kind: z.literal("stripe.event"),
		id: z.string().regex(/^evt_[0-9A-Za-z_]{1,250}$/),
		type: z.string().min(1).max(100),
		/** Unix seconds, as Stripe dates the event. */
		created: z.number().int().nonnegative(),
		/** The connected account a Connect event is about. */
		account: z.string().nullable(),
		object: z.record(z.string(), z.unknown()),
	})
	.strict();
export type StripeEventMessage = z.infer<typeof stripeEventMessageSchema>;

export const paymentEventSchema = z.discriminatedUnion("kind", [paymentChangeSchema, stripeEventMessageSchema]);
export type PaymentEvent = z.infer<typeof paymentEventSchema>;

export function sendPaymentEvents(queue: QueueProducer, events: PaymentEvent[]): Promise<void> {
	return sendAll(
		queue,
		events.map((event) => paymentEventSchema.parse(event)),
	);
}
