/**
 * One offer thread's consolidated record: its timeline (`offer_events`, one row per event the
 * offer-events consumer recorded) and its `deals` row (the thread's latest status and terms, see
 * migrations/0005_deals.sql). Both are written by the consumer, so they trail the room by the
 * queue's delay; the room itself is the live state.
 *
 * Access control is the caller's job: this reads by offer id alone, without a tenant predicate.
 * The REST route checks that the caller is a party to the thread (the `offers` registry) or an
 * admin before calling it.
 */
import type { OfferEvent } from "../../queues/offer-events.ts";
import type { OfferStatus } from "../offers/protocol.ts";

/** One recorded event, oldest version first. */
export interface TimelineEvent {
	event_id: string;
	type: OfferEvent["type"];
	version: number;
	/** The thread's amount after this event. */
	amount_cents: number;
	currency: string;
	/** `null` for changes nobody made (expiry, holds). */
	actor_tenant_id: string | null;
	/** When the room made the change. */
	occurred_at: string;
	/** When the consumer recorded it. */
	recorded_at: string;
}

/** The thread as of the highest version recorded; times are the events' `occurred_at`. */
export interface DealRecord {
	offer_id: string;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	status: OfferStatus;
	/** True while another thread's accepted offer holds the listing. */
	on_hold: boolean;
	/** The current terms. */
	amount_cents: number;
	currency: string;
	version: number;
	/** Number of distinct events recorded; below `version` while some are still in flight. */
	events: number;
	opened_at: string;
	/** When the thread reached its closed status (accepted, rejected, withdrawn, expired, cancelled). */
	closed_at: string | null;
	/** Set once the offer was accepted, and kept if the deal is later cancelled. */
	accepted_at: string | null;
	final_amount_cents: number | null;
	updated_at: string;
}

type DealRow = Omit<DealRecord, "on_hold"> & { on_hold: number };

export async function offerTimeline(
	db: D1Database,
	offerId: string,
): Promise<{ events: TimelineEvent[]; deal: DealRecord | null }> {
	const [events, deals] = await db.batch<TimelineEvent | DealRow>([
		db
			.prepare(
				`SELECT event_id, type, version, amount_cents, currency, actor_tenant_id, occurred_at, recorded_at
				 FROM offer_events WHERE offer_id = ? ORDER BY version, occurred_at, event_id`,
			)
			.bind(offerId),
		db
			.prepare(
				`SELECT offer_id, listing_id, buyer_tenant_id, seller_tenant_id, status, on_hold, amount_cents,
				   currency, version, events, opened_at, closed_at, accepted_at, final_amount_cents, updated_at
				 FROM deals WHERE offer_id = ?`,
			)
			.bind(offerId),
	]);
	const row = deals?.results[0] as DealRow | undefined;
	return {
		events: (events?.results ?? []) as TimelineEvent[],
		deal: row ? { ...row, on_hold: row.on_hold === 1 } : null,
	};
}
