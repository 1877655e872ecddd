/**
 * Consumer of `offer-events`: each event becomes, in one D1 batch (one transaction), its
 * `offer_events` timeline row, its thread's `deals` row and both parties' `tenant_daily_activity`
 * counters, plus one Analytics Engine point.
 *
 * Idempotency: the timeline insert is `ON CONFLICT (event_id) DO NOTHING`, and every later
 * statement of the batch runs only `WHERE changes() = 1`, i.e. if the statement just before it
 * changed one row. The deals upsert always changes exactly one row when it runs, so the chain
 * carries the "this event is new" answer to the activity upsert. Keep that invariant when adding
 * a statement: one that may change zero or several rows must go last, or the chain breaks.
 * (Guarding on `recorded_at` instead would count twice two deliveries handled in one millisecond.)
 *
 * Ordering: the deals row is not patched by the event but recomputed from all the thread's
 * recorded events, so it is a function of which events have arrived, never of their order: the
 * highest version gives the terms, the highest status-setting version the status (held and
 * released only move `on_hold`, as in the room), offer.accepted the final terms whenever it
 * arrives. The price is a few reads of the thread's events per new event, on the
 * (offer_id, version) index, for threads of tens of events.
 */
import { type OfferEvent, offerEventSchema } from "../../queues/offer-events.ts";
import type { QueueModule } from "./run-batch.ts";

const activityColumns = ["offers_opened", "counters", "accepted", "rejected", "withdrawn", "expired"] as const;
type ActivityColumn = (typeof activityColumns)[number];

/** The activity counter each event type bumps; held, released and cancelled bump none. */
const activityOf: Record<OfferEvent["type"], ActivityColumn | null> = {
	"offer.created": "offers_opened",
	"offer.countered": "counters",
	"offer.accepted": "accepted",
	"offer.rejected": "rejected",
	"offer.withdrawn": "withdrawn",
	"offer.expired": "expired",
	"offer.held": null,
	"offer.released": null,
	"offer.cancelled": null,
};

const INSERT_EVENT = `
	INSERT INTO offer_events (event_id, type, offer_id, listing_id, buyer_tenant_id, seller_tenant_id,
	  actor_tenant_id, version, amount_cents, currency, occurred_at, recorded_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (event_id) DO NOTHING`;

// ?1 is the offer id. Ties on version (which the room never emits) break on occurred_at, then
// event_id, so even they resolve the same way in any arrival order.
const UPSERT_DEAL = `
	WITH thread AS (SELECT * FROM offer_events WHERE offer_id = ?1),
	latest AS (SELECT * FROM thread ORDER BY version DESC, occurred_at DESC, event_id DESC LIMIT 1),
	opening AS (SELECT occurred_at FROM thread ORDER BY version, occurred_at, event_id LIMIT 1),
	state AS (
	  SELECT CASE type WHEN 'offer.created' THEN 'pending' ELSE substr(type, 7) END AS status, occurred_at
	  FROM thread WHERE type NOT IN ('offer.held', 'offer.released')
	  ORDER BY version DESC, occurred_at DESC, event_id DESC LIMIT 1),
	hold AS (
	  SELECT type = 'offer.held' AS on_hold FROM thread WHERE type IN ('offer.held', 'offer.released')
	  ORDER BY version DESC, occurred_at DESC, event_id DESC LIMIT 1),
	accepted AS (
	  SELECT occurred_at, amount_cents FROM thread WHERE type = 'offer.accepted'
	  ORDER BY version, occurred_at, event_id LIMIT 1)
	INSERT INTO deals (offer_id, listing_id, buyer_tenant_id, seller_tenant_id, status, on_hold,
	  amount_cents, currency, version, opened_at, closed_at, accepted_at, final_amount_cents, events, updated_at)
	SELECT latest.offer_id, latest.listing_id, latest.buyer_tenant_id, latest.seller_tenant_id,
	  -- Until the created event arrives, a thread known only by holds is taken as pending.
	  coalesce((SELECT status FROM state), 'pending'),
	  coalesce((SELECT on_hold FROM hold), 0),
	  latest.amount_cents, latest.currency, latest.version,
	  (SELECT occurred_at FROM opening),
	  (SELECT occurred_at FROM state WHERE status NOT IN ('pending', 'countered')),
	  (SELECT occurred_at FROM accepted),
	  (SELECT amount_cents FROM accepted),
	  (SELECT count(*) FROM thread),
	  latest.occurred_at
	FROM latest
	WHERE changes() = 1
	ON CONFLICT (offer_id) DO UPDATE SET
	  status = excluded.status, on_hold = excluded.on_hold, amount_cents = excluded.amount_cents,
	  currency = excluded.currency, version = excluded.version, opened_at = excluded.opened_at,
	  closed_at = excluded.closed_at, accepted_at = excluded.accepted_at,
	  final_amount_cents = excluded.final_amount_cents, events = excluded.events,
	  updated_at = excluded.updated_at`;

// One row per party (UNION folds a tenant named twice); the counters to add come as 0/1 values.
const BUMP_ACTIVITY = `
	INSERT INTO tenant_daily_activity (tenant_id, day, ${activityColumns.join(", ")})
	SELECT tenant_id, ?, ?, ?, ?, ?, ?, ?
	FROM (SELECT ? AS tenant_id UNION SELECT ?)
	WHERE changes() = 1
	ON CONFLICT (tenant_id, day) DO UPDATE SET
	  ${activityColumns.map((column) => `${column} = ${column} + excluded.${column}`).join(", ")}`;

/** The UTC calendar date of an ISO time that may carry any offset. */
export function utcDay(isoTime: string): string {
	return new Date(isoTime).toISOString().slice(0, 10);
}

export function offerEvents(env: ConsumersEnv, now: () => Date): QueueModule<typeof offerEventSchema> {
	return {
		schema: offerEventSchema,
		async handle(event: OfferEvent) {
			const statements = [
				env.DB.prepare(INSERT_EVENT).bind(
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
				),
				env.DB.prepare(UPSERT_DEAL).bind(event.offer_id),
			];
			const bumped = activityOf[event.type];
			if (bumped) {
				statements.push(
					env.DB.prepare(BUMP_ACTIVITY).bind(
						utcDay(event.occurred_at),
						...activityColumns.map((column) => (column === bumped ? 1 : 0)),
						event.buyer_tenant_id,
						event.seller_tenant_id,
					),
				);
			}
			const [inserted] = await env.DB.batch(statements);
			// A redelivered event has already been counted: only a first write is reported.
			if (inserted && inserted.meta.changes > 0) {
				env.ANALYTICS.writeDataPoint({
					indexes: [event.seller_tenant_id],
					blobs: [event.type, event.offer_id, event.listing_id, event.buyer_tenant_id],
					doubles: [event.amount_cents, event.version],
				});
			}
		},
	};
}
