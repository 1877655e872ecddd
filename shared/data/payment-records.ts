/**
 * Platform-level D1 access for payments (no tenant scope: the Stripe webhook, the payments
 * consumer and the PaymentObject act for the platform): the `stripe_events` log that dedupes
 * Stripe's deliveries for good, the `payments` registry the consumer cross-checks each event
 * against and the consolidated record it keeps from the objects' `payment.event`s, and the
 * sellers' Connect accounts as `account.updated` reports them. Tenant-scoped reads are
 * shared/data/payments.ts's.
 */
import type { PaymentChange } from "../../queues/payment-events.ts";

export interface PaymentRegistryRow {
	id: string;
	offer_id: string;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	status: string;
	amount_cents: number;
	currency: string;
	checkout_session_id: string;
	payment_intent_id: string | null;
	charge_id: string | null;
	transfer_id: string | null;
	stripe_account_id: string;
	version: number;
}

const REGISTRY = `SELECT id, offer_id, listing_id, buyer_tenant_id, seller_tenant_id, status, amount_cents, currency,
	checkout_session_id, payment_intent_id, charge_id, transfer_id, stripe_account_id, version FROM payments`;

export function stripeEventLog(db: D1Database) {
	return {
		/** Records a verified event by id; whether it had already been queued. */
		async receive(id: string, type: string, at: string): Promise<{ queued: boolean }> {
			await db
				.prepare("INSERT OR IGNORE INTO stripe_events (id, type, received_at) VALUES (?, ?, ?)")
				.bind(id, type, at)
				.run();
			const row = await db
				.prepare("SELECT queued_at FROM stripe_events WHERE id = ?")
				.bind(id)
				.first<{ queued_at: string | null }>();
			return { queued: row?.queued_at != null };
		},
		async markQueued(id: string, at: string): Promise<void> {
			await db.prepare("UPDATE stripe_events SET queued_at = COALESCE(queued_at, ?) WHERE id = ?").bind(at, id).run();
		},
		async handled(id: string): Promise<string | null> {
			const row = await db
				.prepare("SELECT outcome FROM stripe_events WHERE id = ? AND handled_at IS NOT NULL")
				.bind(id)
				.first<{ outcome: string | null }>();
			return row ? (row.outcome ?? "applied") : null;
		},
		async recordOutcome(id: string, type: string, outcome: string, at: string): Promise<void> {
			// The webhook recorded the event; a message queued some other way (a test, a replay) is recorded here.
			await db.batch([
				db
					.prepare("INSERT OR IGNORE INTO stripe_events (id, type, received_at, queued_at) VALUES (?, ?, ?, ?)")
					.bind(id, type, at, at),
				db.prepare("UPDATE stripe_events SET handled_at = ?, outcome = ? WHERE id = ?").bind(at, outcome, id),
			]);
		},
	};
}

export function paymentRecords(db: D1Database) {
	return {
		byId(id: string): Promise<PaymentRegistryRow | null> {
			return db.prepare(`${REGISTRY} WHERE id = ?`).bind(id).first<PaymentRegistryRow>();
		},
		/** The payment a charge or a payment intent belongs to (disputes and refunds name these). */
		byStripeObject(chargeId: string | null, paymentIntentId: string | null): Promise<PaymentRegistryRow | null> {
			return db
				.prepare(
					`${REGISTRY} WHERE (charge_id IS NOT NULL AND charge_id = ?) OR (payment_intent_id IS NOT NULL AND payment_intent_id = ?) LIMIT 1`,
				)
				.bind(chargeId, paymentIntentId)
				.first<PaymentRegistryRow>();
		},
		/**
		 * Records a `payment.event` once (the `payment_events` ledger, by event id) and brings the
		 * consolidated row up to it unless a later version is there; Stripe's fee, once known, is kept
		 * whatever the order. Whether the event was new.
		 */
		async recordChange(event: PaymentChange, recordedAt: string): Promise<boolean> {
			const [inserted] = await db.batch([
				db
					.prepare(
						`INSERT INTO payment_events (event_id, type, payment_id, offer_id, buyer_tenant_id, seller_tenant_id,
					   amount_cents, fee_cents, currency, occurred_at, recorded_at)
					 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
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
						recordedAt,
					),
				db
					.prepare(
						`UPDATE payments SET status = ?, processing = ?, fee_cents = ?, seller_payout_cents = ?, refunded_cents = ?,
					   payment_intent_id = COALESCE(?, payment_intent_id), charge_id = COALESCE(?, charge_id),
					   transfer_id = COALESCE(?, transfer_id), release_at = ?, paid_at = ?, released_at = ?,
					   version = ?, updated_at = ?
					 WHERE id = ? AND version <= ?`,
					)
					.bind(
						event.status,
						event.processing ? 1 : 0,
						event.fee_cents,
						event.payout_cents,
						event.refunded_cents,
						event.payment_intent_id,
						event.charge_id,
						event.transfer_id,
						event.release_at,
						event.paid_at,
						event.released_at,
						event.version,
						event.occurred_at,
						event.payment_id,
						event.version,
					),
				db
					.prepare(
						`UPDATE payments SET stripe_fee_cents = COALESCE(?, stripe_fee_cents),
					   platform_net_cents = CASE WHEN COALESCE(?, stripe_fee_cents) IS NULL THEN NULL
					     ELSE fee_cents - COALESCE(?, stripe_fee_cents) END
					 WHERE id = ?`,
					)
					.bind(event.stripe_fee_cents, event.stripe_fee_cents, event.stripe_fee_cents, event.payment_id),
			]);
			return (inserted?.meta.changes ?? 0) > 0;
		},
	};
}

export interface AccountUpdate {
	stripe_account_id: string;
	details_submitted: boolean;
	charges_enabled: boolean;
	payouts_enabled: boolean;
	capabilities: Record<string, string>;
	/** The event's `created`, unix seconds: an older event never overwrites a newer one. */
	created: number;
	at: string;
}

export function sellerAccountRecords(db: D1Database) {
	return {
		/** `applied`, `stale` (a later event is recorded), or `unknown` (no such account yet). */
		async update(update: AccountUpdate): Promise<"applied" | "stale" | "unknown"> {
			const result = await db
				.prepare(
					`UPDATE seller_accounts SET details_submitted = ?, charges_enabled = ?, payouts_enabled = ?, capabilities = ?,
				   stripe_event_created = ?, updated_at = ?
				 WHERE stripe_account_id = ? AND stripe_event_created <= ?`,
				)
				.bind(
					update.details_submitted ? 1 : 0,
					update.charges_enabled ? 1 : 0,
					update.payouts_enabled ? 1 : 0,
					JSON.stringify(update.capabilities),
					update.created,
					update.at,
					update.stripe_account_id,
					update.created,
				)
				.run();
			if (result.meta.changes > 0) return "applied";
			const known = await db
				.prepare("SELECT 1 AS one FROM seller_accounts WHERE stripe_account_id = ?")
				.bind(update.stripe_account_id)
				.first();
			return known ? "stale" : "unknown";
		},
	};
}
