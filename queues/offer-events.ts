/** `offer-events`: every change to an offer thread, produced by its NegotiationRoom. */
import { z } from "zod";
import { cents, eventId, isoTime, type QueueProducer, sendAll, tenantId } from "./envelope.ts";

export const offerEventTypes = [
	"offer.created",
	"offer.countered",
	"offer.accepted",
	"offer.rejected",
	"offer.withdrawn",
	"offer.expired",
	"offer.held",
	"offer.released",
	"offer.cancelled",
] as const;

export const offerEventSchema = z
	.object({
		id: eventId,
		type: z.enum(offerEventTypes),
		occurred_at: isoTime,
		offer_id: z.string().regex(/^off_[0-9a-f]{32}$/),
		listing_id: z.string().regex(/^lst_[0-9a-f]{32}$/),
		buyer_tenant_id: tenantId,
		seller_tenant_id: tenantId,
		actor_tenant_id: tenantId.nullable(),
		version: z.number().int().positive(),
		amount_cents: cents,
		currency: z.string().regex(/^[A-Z]{3}$/),
	})
	.strict();

export type OfferEvent = z.infer<typeof offerEventSchema>;

export function sendOfferEvents(queue: QueueProducer, events: OfferEvent[]): Promise<void> {
	return sendAll(
		queue,
		events.map((event) => offerEventSchema.parse(event)),
	);
}
