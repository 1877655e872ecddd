/**
 * Consumer of `payment-events` (queues/payment-events.ts), two kinds of message:
 * - `payment.event` (a PaymentObject's change): the `payment_events` ledger and the consolidated
 *   `payments` record in D1 (shared/data/payment-records.ts), plus one Analytics Engine point per
 *   event — all idempotent on the event id, and order-tolerant (the highest version wins).
 * - `stripe.event` (a verified webhook): mapped to the payment's move and applied to its
 *   PaymentObject (./stripe-events.ts).
 * A `payment.event` also queues its notification e-mails (./payment-mail.ts) on every delivery,
 * new or not: their job ids derive from the event, so each is sent once.
 */
import { sendBackofficeJobs } from "../../queues/backoffice-jobs.ts";
import type { PaymentChange, PaymentEvent } from "../../queues/payment-events.ts";
import { paymentEventSchema } from "../../queues/payment-events.ts";
import { paymentRecords } from "../../shared/data/payment-records.ts";
import { paymentMailJobs } from "./payment-mail.ts";
import type { QueueModule } from "./run-batch.ts";
import { handleStripeEvent } from "./stripe-events.ts";

export function paymentEvents(env: ConsumersEnv, now: () => Date): QueueModule<typeof paymentEventSchema> {
	return {
		schema: paymentEventSchema,
		async handle(event: PaymentEvent) {
			if (event.kind === "stripe.event") return handleStripeEvent(env, event, now);
			await recordChange(env, event, now);
		},
	};
}

async function recordChange(env: ConsumersEnv, event: PaymentChange, now: () => Date): Promise<void> {
	const fresh = await paymentRecords(env.DB).recordChange(event, now().toISOString());
	const mail = await paymentMailJobs(env, event, now());
	if (mail.length > 0) await sendBackofficeJobs(env.BACKOFFICE_JOBS, mail);
	if (!fresh) return;
	env.ANALYTICS.writeDataPoint({
		indexes: [event.seller_tenant_id],
		blobs: [event.type, event.payment_id, event.offer_id, event.buyer_tenant_id, event.status, event.currency],
		doubles: [
			event.amount_cents,
			event.fee_cents,
			event.payout_cents,
			event.refunded_cents,
			event.stripe_fee_cents ?? 0,
			event.stripe_fee_cents === null ? 0 : event.fee_cents - event.stripe_fee_cents,
		],
	});
}
