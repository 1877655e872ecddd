/** Consumer of `payment-events`: the payment ledger in D1, plus one Analytics Engine point per event. */
import { type PaymentEvent, paymentEventSchema } from "../../queues/payment-events.ts";
import type { QueueModule } from "./run-batch.ts";

export function paymentEvents(env: ConsumersEnv, now: () => Date): QueueModule<typeof paymentEventSchema> {
	return {
		schema: paymentEventSchema,
		async handle(event: PaymentEvent) {
			const inserted = await env.DB.prepare(
				`INSERT INTO payment_events (event_id, type, payment_id, offer_id, buyer_tenant_id,
				   seller_tenant_id, amount_cents, fee_cents, currency, occurred_at, recorded_at)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				 ON CONFLICT (event_id) DO NOTHING`,
			)
				.bind(
					event.id,
					event.type,
					event.payment_id,
					event.offer_id,
					event.buyer_tenant_id,
					event.seller_tenant_id,
					event.amount_cents,
					event.fee_cents,
					event.currency,
					event.occurred_at,
					now().toISOString(),
				)
				.run();
			if (inserted.meta.changes > 0) {
				env.ANALYTICS.writeDataPoint({
					indexes: [event.seller_tenant_id],
					blobs: [event.type, event.payment_id, event.offer_id, event.buyer_tenant_id],
					doubles: [event.amount_cents, event.fee_cents],
				});
			}
		},
	};
}
