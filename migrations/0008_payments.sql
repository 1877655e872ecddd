-- Escrowed payments (docs/domain.md, Payments). A payment's live state belongs to its
-- PaymentObject Durable Object (one per payment, durable-objects/payment/); D1 keeps the registry
-- (who the parties are, which checkout session and Stripe objects are its, written when the
-- checkout is made and as Stripe confirms each step) and the consolidated record the payments
-- consumer keeps from the object's events (status, amounts, Stripe's own fee, the platform's net).
CREATE TABLE payments (
  id                   TEXT PRIMARY KEY,             -- pay_<32 hex>, derived from (offer, attempt)
  offer_id             TEXT NOT NULL REFERENCES offers (id),
  attempt              INTEGER NOT NULL CHECK (attempt >= 1),
  listing_id           TEXT NOT NULL REFERENCES listings (id),
  buyer_tenant_id      TEXT NOT NULL REFERENCES tenants (id),
  seller_tenant_id     TEXT NOT NULL REFERENCES tenants (id),
  status               TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'disputed', 'released', 'refunded', 'failed', 'expired')),
  processing           INTEGER NOT NULL DEFAULT 0 CHECK (processing IN (0, 1)),
  amount_cents         INTEGER NOT NULL CHECK (amount_cents > 0),
  fee_cents            INTEGER NOT NULL CHECK (fee_cents >= 0),
  seller_payout_cents  INTEGER NOT NULL CHECK (seller_payout_cents >= 0),
  refunded_cents       INTEGER NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
  currency             TEXT NOT NULL,
  checkout_session_id  TEXT NOT NULL UNIQUE,
  checkout_url         TEXT,
  payment_intent_id    TEXT UNIQUE,
  charge_id            TEXT UNIQUE,
  transfer_id          TEXT UNIQUE,
  stripe_account_id    TEXT NOT NULL,                -- the seller's connected account at checkout
  stripe_fee_cents     INTEGER,                      -- Stripe's processing fee, once paid
  platform_net_cents   INTEGER,                      -- fee − Stripe's fee − refunds borne
  release_at           TEXT,
  paid_at              TEXT,
  released_at          TEXT,
  version              INTEGER NOT NULL DEFAULT 1,   -- the object's version this row reflects
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  UNIQUE (offer_id, attempt)
);
-- At most one checkout open per thread: a double click, or two tabs, make one session.
CREATE UNIQUE INDEX payments_open_per_offer ON payments (offer_id) WHERE status = 'pending';
CREATE INDEX payments_buyer ON payments (buyer_tenant_id, created_at DESC, id DESC);
CREATE INDEX payments_seller ON payments (seller_tenant_id, created_at DESC, id DESC);

-- A seller's Stripe Connect (Express) account, made once per seller tenant; its state as the
-- last `account.updated` reported it (`stripe_event_created` keeps an older event from winning).
CREATE TABLE seller_accounts (
  tenant_id             TEXT PRIMARY KEY REFERENCES tenants (id),
  stripe_account_id     TEXT NOT NULL UNIQUE,
  details_submitted     INTEGER NOT NULL DEFAULT 0,
  charges_enabled       INTEGER NOT NULL DEFAULT 0,
  payouts_enabled       INTEGER NOT NULL DEFAULT 0,
  capabilities          TEXT NOT NULL DEFAULT '{}',  -- JSON {name: active|inactive|pending}
  stripe_event_created  INTEGER NOT NULL DEFAULT 0,  -- unix seconds of the event applied last
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL
);

-- Every verified Stripe event, by id, kept for good: a redelivery is answered 200 and queued once.
CREATE TABLE stripe_events (
  id            TEXT PRIMARY KEY,                    -- evt_…
  type          TEXT NOT NULL,
  received_at   TEXT NOT NULL,
  queued_at     TEXT,                                -- NULL until payment-events took it
  handled_at    TEXT,                                -- set by the consumer
  outcome       TEXT                                 -- applied | duplicate | stale | mismatch | ignored
);
