/** `payment-events`: checkout sessions, Stripe confirmations, refunds and disputes. */
import { z } from "zod";
import { cents, eventId, isoTime, type QueueProducer, sendAll, tenantId } from "./envelope.ts";

export const paymentEventTypes = [
	"payment.checkout_created",
	"payment.succeeded",
	"payment.failed",
	"payment.refunded",
	"payment.disputed",
] as const;

export const paymentEventSchema = z
	.object({
		id: eventId,
		type: z.enum(paymentEventTypes),
		occurred_at: isoTime,
		payment_id: z.string().regex(/^pay_[0-9a-f]{32}$/),
		offer_id: z.string().regex(/^off_[0-9a-f]{32}$/),
		buyer_tenant_id: tenantId,
		seller_tenant_id: tenantId,
		amount_cents: cents,
		fee_cents: cents,
		currency: z.string().regex(/^[A-Z]{3}$/),
	})
	.strict();

export type PaymentEvent = z.infer<typeof paymentEventSchema>;

export function sendPaymentEvents(queue: QueueProducer, events: PaymentEvent[]): Promise<void> {
	return sendAll(
		queue,
		events.map((event) => paymentEventSchema.parse(event)),
	);
}
