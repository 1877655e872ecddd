-- Consolidated offer records (docs/domain.md, Consolidated records), written by the offer-events
-- consumer in the same batch as the `offer_events` row of the event they come from, and only when
-- that row is new, so a redelivered event changes nothing.

-- One row per offer thread: its latest status and terms, as the room last announced them. The row
-- is recomputed from the thread's `offer_events` rows on every new event, so it depends only on
-- which events have arrived, never on their order (workers/consumers/offer-events.ts).
CREATE TABLE deals (
  offer_id            TEXT PRIMARY KEY,              -- off_<id>
  listing_id          TEXT NOT NULL,
  buyer_tenant_id     TEXT NOT NULL,
  seller_tenant_id    TEXT NOT NULL,
  -- From the highest-version event that sets a status (every type but held and released).
  status              TEXT NOT NULL CHECK (status IN
                        ('pending', 'countered', 'accepted', 'rejected', 'withdrawn', 'expired', 'cancelled')),
  -- From the highest-version held or released event, as the room keeps it.
  on_hold             INTEGER NOT NULL DEFAULT 0 CHECK (on_hold IN (0, 1)),
  amount_cents        INTEGER NOT NULL,              -- the current terms: the highest version's amount
  currency            TEXT NOT NULL,
  version             INTEGER NOT NULL,              -- the highest version recorded
  opened_at           TEXT NOT NULL,                 -- occurred_at of the lowest version (offer.created)
  closed_at           TEXT,                          -- occurred_at of the event that set a closed status
  accepted_at         TEXT,                          -- occurred_at of offer.accepted, kept if later cancelled
  final_amount_cents  INTEGER,                       -- the amount offer.accepted agreed on
  events              INTEGER NOT NULL,              -- distinct events recorded for the thread
  updated_at          TEXT NOT NULL                  -- occurred_at of the highest version
);
CREATE INDEX deals_buyer ON deals (buyer_tenant_id, opened_at DESC, offer_id DESC);
CREATE INDEX deals_seller ON deals (seller_tenant_id, opened_at DESC, offer_id DESC);
CREATE INDEX deals_listing ON deals (listing_id, opened_at DESC, offer_id DESC);

-- Per-tenant daily offer activity, counted for both parties of each event. `day` is the UTC date
-- (YYYY-MM-DD) of the event's occurred_at. Held, released and cancelled events count nowhere.
CREATE TABLE tenant_daily_activity (
  tenant_id      TEXT NOT NULL,
  day            TEXT NOT NULL,
  offers_opened  INTEGER NOT NULL DEFAULT 0,
  counters       INTEGER NOT NULL DEFAULT 0,
  accepted       INTEGER NOT NULL DEFAULT 0,
  rejected       INTEGER NOT NULL DEFAULT 0,
  withdrawn      INTEGER NOT NULL DEFAULT 0,
  expired        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day)
);
