/**
 * One offer thread's consolidated record: its timeline (`offer_events`, one row per event the
 * offer-events consumer recorded), its `deals` row (the thread's latest status and terms, see
 * migrations/0005_deals.sql) and its payments (the `payments` rows, migrations/0008_payments.sql,
 * as the payments consumer brought them up to the objects' events). All are written by the
 * consumers, so they trail the room and the payment objects by the queue's delay; those objects
 * are the live state. A payment shows what its parties see of it (status, amounts, when it was
 * paid and released), never the Stripe ids or the platform's own net.
 *
 * Access control is the caller's job: this reads by offer id alone, without a tenant predicate.
 * The REST route checks that the caller is a party to the thread (the `offers` registry) or an
 * admin before calling it.
 */
import type { OfferEvent } from "../../queues/offer-events.ts";
import type { OfferStatus } from "../offers/protocol.ts";
import type { RegistryStatus as PaymentStatus } from "./payments.ts";

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

/** One checkout attempt on the thread and where it stands, first attempt first. */
export interface TimelinePayment {
	id: string;
	attempt: number;
	status: PaymentStatus;
	/** A bank payment submitted and not yet settled (the status stays `pending`). */
	processing: boolean;
	amount_cents: number;
	fee_cents: number;
	seller_payout_cents: number;
	refunded_cents: number;
	currency: string;
	/** When the held money is released if nobody disputes. */
	release_at: string | null;
	paid_at: string | null;
	released_at: string | null;
	created_at: string;
	updated_at: string;
}

type PaymentRow = Omit<TimelinePayment, "processing"> & { processing: number };

export async function offerTimeline(
	db: D1Database,
	offerId: string,
): Promise<{ events: TimelineEvent[]; deal: DealRecord | null; payments: TimelinePayment[] }> {
	const [events, deals, payments] = await db.batch<TimelineEvent | DealRow | PaymentRow>([
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
		db
			.prepare(
				`SELECT id, attempt, status, processing, amount_cents, fee_cents, seller_payout_cents, refunded_cents, currency,
				   release_at, paid_at, released_at, created_at, updated_at
				 FROM payments WHERE offer_id = ? ORDER BY attempt`,
			)
			.bind(offerId),
	]);
	const row = deals?.results[0] as DealRow | undefined;
	return {
		events: (events?.results ?? []) as TimelineEvent[],
		deal: row ? { ...row, on_hold: row.on_hold === 1 } : null,
		payments: ((payments?.results ?? []) as PaymentRow[]).map((payment) => ({
			...payment,
			processing: payment.processing === 1,
		})),
	};
}
