/** Consumer of `offer-events`: the offer timeline in D1, plus one Analytics Engine point per event. */
import { type OfferEvent, offerEventSchema } from "../../queues/offer-events.ts";
import type { QueueModule } from "./run-batch.ts";

export function offerEvents(env: ConsumersEnv, now: () => Date): QueueModule<typeof offerEventSchema> {
	return {
		schema: offerEventSchema,
		async handle(event: OfferEvent) {
			const inserted = await env.DB.prepare(
				`INSERT INTO offer_events (event_id, type, offer_id, listing_id, buyer_tenant_id,
				   seller_tenant_id, actor_tenant_id, version, amount_cents, currency, occurred_at, recorded_at)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				 ON CONFLICT (event_id) DO NOTHING`,
			)
				.bind(
					event.id,
					event.type,
					event.offer_id,
					event.listing_id,
					event.buyer_tenant_id,
					event.seller_tenant_id,
					event.actor_tenant_id,
					event.version,
					event.amount_cents,
					event.currency,
					event.occurred_at,
					now().toISOString(),
				)
				.run();
			// A redelivered event has already been counted: only a first write is reported.
			if (inserted.meta.changes > 0) {
				env.ANALYTICS.writeDataPoint({
					indexes: [event.seller_tenant_id],
					blobs: [event.type, event.offer_id, event.listing_id, event.buyer_tenant_id],
					doubles: [event.amount_cents, event.version],
				});
			}
		},
	};
}
