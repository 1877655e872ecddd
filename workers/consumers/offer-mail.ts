/**
 * The notification e-mails offer events cause (issue 15), queued by the `offer-events` consumer
 * (./offer-events.ts) after it records a batch: `offer.created` → "offer received" to the seller;
 * countered, accepted and rejected → "offer update" to the party who did not move; expired → both.
 * Job ids derive from the event and the recipient (./notify-mail.ts), so a redelivered event never
 * sends twice; every job carries its `notification` (user and kind), so the recipient's preference
 * is read when it is sent.
 */
import type { EmailJob } from "../../queues/backoffice-jobs.ts";
import type { OfferEvent } from "../../queues/offer-events.ts";
import { envelopeFor, type NotifyMailEnv, recipientsIn, siteOrigin } from "./notify-mail.ts";

/** Which change and kind each update event is. */
const UPDATES = {
	"offer.countered": { change: "countered", kind: "offer_countered" },
	"offer.accepted": { change: "accepted", kind: "offer_accepted" },
	"offer.rejected": { change: "rejected", kind: "offer_rejected" },
	"offer.expired": { change: "expired", kind: "offer_expired" },
} as const;

/** Who hears of an event: the party who did not move (both for an expiry, which nobody makes). */
function recipientsOf(event: OfferEvent): string[] {
	if (event.type === "offer.created") return [event.seller_tenant_id];
	const parties = [event.seller_tenant_id, event.buyer_tenant_id];
	return event.actor_tenant_id === null ? parties : parties.filter((tenant) => tenant !== event.actor_tenant_id);
}

export async function offerMailJobs(env: NotifyMailEnv, events: OfferEvent[], now: Date): Promise<EmailJob[]> {
	const origin = siteOrigin(env);
	const jobs: EmailJob[] = [];
	for (const event of events) {
		if (event.type !== "offer.created" && !(event.type in UPDATES)) continue;
		// An amount of 0 cannot be shown as an offer; the room never emits one for these types.
		if (event.amount_cents <= 0) continue;
		for (const recipient of await recipientsIn(env.DB, event.listing_id, recipientsOf(event))) {
			const { job, data: common } = await envelopeFor(event.id, recipient, now);
			const data = {
				...common,
				amount_cents: event.amount_cents,
				currency: event.currency,
				offer_url: `${origin}/offers/${event.offer_id}`,
			};
			if (event.type === "offer.created") {
				const notification = { user_id: recipient.user_id, kind: "offer_received" as const, origin };
				jobs.push({ ...job, template: "offer-received", data, notification });
				continue;
			}
			const update = UPDATES[event.type as keyof typeof UPDATES];
			const notification = { user_id: recipient.user_id, kind: update.kind, origin };
			jobs.push({ ...job, template: "offer-update", data: { ...data, change: update.change }, notification });
		}
	}
	return jobs;
}
