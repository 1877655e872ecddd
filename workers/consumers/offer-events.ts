/**
 * Consumer of `offer-events`: a whole batch of events becomes, in one D1 batch (one transaction),
 * their `offer_events` timeline rows, the `deals` row of every thread they touch and both parties'
 * `tenant_daily_activity` counters, plus one Analytics Engine point per new event. One round trip
 * per queue batch instead of one per event is what makes a backlog drain fast; the price is that
 * one failing event fails the whole transaction, so run-batch.ts then records each event on its own
 * (`handle`, the same statements for a batch of one) and only the failing one is retried.
 *
 * Idempotency: which events are new is decided inside the transaction, before the insert, by
 * `NOT EXISTS` on the event id; the activity counters count only those, and the timeline insert is
 * `ON CONFLICT (event_id) DO NOTHING`. A redelivery, in this batch or a concurrent one, therefore
 * changes no counter. A statement added later that must see only new events goes before the insert
 * and filters on `IS_NEW`. (`changes()` cannot carry "this event is new" through a multi-row
 * insert, and guarding on `recorded_at` would count twice two deliveries recorded in one
 * millisecond.)
 *
 * Ordering: a deals row is not patched by the events but recomputed, once per touched thread per
 * batch, from all the thread's recorded events, so it is a function of which events have arrived,
 * never of their order: the highest version gives the terms, the highest status-setting version
 * the status (held and released only move `on_hold`, as in the room), offer.accepted the final
 * terms whenever it arrives. The price is a few reads of the thread's events per touched thread,
 * on the (offer_id, version) index, for threads of tens of events.
 *
 * Notification e-mails (./offer-mail.ts) are queued after the transaction for every event of the
 * batch, new or redelivered: their job ids derive from the event, so the e-mail consumer sends each
 * once, and a failure to queue them fails the batch, which is retried without counting twice.
 */
import { sendBackofficeJobs } from "../../queues/backoffice-jobs.ts";
import { type OfferEvent, offerEventSchema } from "../../queues/offer-events.ts";
import { offerMailJobs } from "./offer-mail.ts";
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

/** An event as the batch statements read it from their JSON parameter (?1). */
type Row = OfferEvent & { day: string; bumps: ActivityColumn | null };

const eventColumns = [
	"type",
	"offer_id",
	"listing_id",
	"buyer_tenant_id",
	"seller_tenant_id",
	"actor_tenant_id",
	"version",
	"amount_cents",
	"currency",
	"occurred_at",
] as const satisfies readonly (keyof Row)[];

const IS_NEW = "NOT EXISTS (SELECT 1 FROM offer_events WHERE event_id = value ->> 'id')";

// SELECT_NEW, BUMP_ACTIVITY and INSERT_EVENTS run in this order in one transaction, followed by one
// UPSERT_DEAL per touched thread; the events come as one JSON array (?1), read with json_each.
const SELECT_NEW = `SELECT value ->> 'id' AS id FROM json_each(?1) WHERE ${IS_NEW}`;

// One row per party and day (a tenant named twice counts once); events that bump nothing add no row.
const BUMP_ACTIVITY = `
	WITH fresh AS (
	  SELECT value ->> 'buyer_tenant_id' AS buyer, value ->> 'seller_tenant_id' AS seller,
	    value ->> 'day' AS day, value ->> 'bumps' AS bumps
	  FROM json_each(?1) WHERE value ->> 'bumps' IS NOT NULL AND ${IS_NEW}),
	parties AS (
	  SELECT buyer AS tenant_id, day, bumps FROM fresh
	  UNION ALL SELECT seller, day, bumps FROM fresh WHERE seller <> buyer)
	INSERT INTO tenant_daily_activity (tenant_id, day, ${activityColumns.join(", ")})
	SELECT tenant_id, day, ${activityColumns.map((column) => `sum(bumps = '${column}')`).join(", ")}
	FROM parties WHERE true GROUP BY tenant_id, day
	ON CONFLICT (tenant_id, day) DO UPDATE SET
	  ${activityColumns.map((column) => `${column} = ${column} + excluded.${column}`).join(", ")}`;

const INSERT_EVENTS = `
	INSERT INTO offer_events (event_id, ${eventColumns.join(", ")}, recorded_at)
	SELECT value ->> 'id', ${eventColumns.map((column) => `value ->> '${column}'`).join(", ")}, ?2
	FROM json_each(?1) WHERE true
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
	FROM latest WHERE true
	ON CONFLICT (offer_id) DO UPDATE SET
	  status = excluded.status, on_hold = excluded.on_hold, amount_cents = excluded.amount_cents,
	  currency = excluded.currency, version = excluded.version, opened_at = excluded.opened_at,
	  closed_at = excluded.closed_at, accepted_at = excluded.accepted_at,
	  final_amount_cents = excluded.final_amount_cents, events = excluded.events,
	  updated_at = excluded.updated_at`;

/** The UTC calendar date of an ISO time that may carry any offset. */
export function utcDay(isoTime: string): string {
	return new Date(isoTime).toISOString().slice(0, 10);
}

export function offerEvents(env: ConsumersEnv, now: () => Date): QueueModule<typeof offerEventSchema> {
	/** Records events all or nothing; an event id seen twice is recorded as its first delivery. */
	async function record(events: OfferEvent[]): Promise<void> {
		const byId = new Map<string, Row>();
		for (const event of events) {
			if (byId.has(event.id)) continue;
			byId.set(event.id, { ...event, day: utcDay(event.occurred_at), bumps: activityOf[event.type] });
		}
		const rows = JSON.stringify([...byId.values()]);
		const db = env.DB;
		const [fresh] = await db.batch<{ id: string }>([
			db.prepare(SELECT_NEW).bind(rows),
			db.prepare(BUMP_ACTIVITY).bind(rows),
			db.prepare(INSERT_EVENTS).bind(rows, now().toISOString()),
			...[...new Set(events.map((event) => event.offer_id))].map((offerId) => db.prepare(UPSERT_DEAL).bind(offerId)),
		]);
		// A redelivered event has already been counted: only a first write is reported.
		for (const { id } of fresh?.results ?? []) {
			const event = byId.get(id);
			if (!event) continue;
			env.ANALYTICS.writeDataPoint({
				indexes: [event.seller_tenant_id],
				blobs: [event.type, event.offer_id, event.listing_id, event.buyer_tenant_id],
				doubles: [event.amount_cents, event.version],
			});
		}
		const mail = await offerMailJobs(env, [...byId.values()], now());
		if (mail.length > 0) await sendBackofficeJobs(env.BACKOFFICE_JOBS, mail);
	}

	return {
		schema: offerEventSchema,
		handle: (event) => record([event]),
		handleBatch: (items) => record(items.map((item) => item.body)),
	};
}
