-- TechFlunky D1 schema, first step. Append-only: later changes are new files.
-- Times are ISO-8601 UTC text; money is integer minor units.

CREATE TABLE tenants (
  id          TEXT PRIMARY KEY,                      -- seller_<id>, buyer_<id>, investor_<id>, admin_<id>
  kind        TEXT NOT NULL CHECK (kind IN ('seller', 'buyer', 'investor', 'admin')),
  name        TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE users (
  id             TEXT PRIMARY KEY,                   -- usr_<id>
  tenant_id      TEXT NOT NULL REFERENCES tenants (id),
  email          TEXT NOT NULL COLLATE NOCASE UNIQUE,
  name           TEXT NOT NULL,
  role           TEXT NOT NULL CHECK (role IN ('seller', 'buyer', 'investor', 'admin')),
  password_hash  TEXT NOT NULL,                      -- algorithm$params$salt$hash, see shared/password.ts
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE INDEX users_tenant ON users (tenant_id);

CREATE TABLE listings (
  id                  TEXT PRIMARY KEY,              -- lst_<id>
  seller_tenant_id    TEXT NOT NULL REFERENCES tenants (id),
  title               TEXT NOT NULL,
  summary             TEXT NOT NULL DEFAULT '',
  description         TEXT NOT NULL DEFAULT '',
  category            TEXT NOT NULL CHECK (category IN
                        ('saas', 'ecommerce', 'marketplace', 'content', 'mobile_app', 'ai', 'agency', 'other')),
  asking_price_cents  INTEGER NOT NULL CHECK (asking_price_cents >= 0),
  currency            TEXT NOT NULL DEFAULT 'USD',
  tech_stack          TEXT NOT NULL DEFAULT '[]',    -- JSON array of strings
  mrr_cents           INTEGER,
  revenue_cents       INTEGER,                       -- trailing twelve months
  monthly_visitors    INTEGER,
  age_months          INTEGER,
  status              TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
                        ('draft', 'active', 'under_offer', 'sold', 'archived')),
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  published_at        TEXT
);
-- Public browse: active listings, newest first, with a stable (published_at, id) cursor.
CREATE INDEX listings_public ON listings (status, published_at DESC, id DESC);
CREATE INDEX listings_seller ON listings (seller_tenant_id, created_at DESC, id DESC);

-- Consolidated records written by the consumers; every row is keyed by the event's own id, so a
-- redelivered message changes nothing.
CREATE TABLE offer_events (
  event_id          TEXT PRIMARY KEY,
  type              TEXT NOT NULL,
  offer_id          TEXT NOT NULL,
  listing_id        TEXT NOT NULL,
  buyer_tenant_id   TEXT NOT NULL,
  seller_tenant_id  TEXT NOT NULL,
  actor_tenant_id   TEXT,
  version           INTEGER NOT NULL,
  amount_cents      INTEGER NOT NULL,
  currency          TEXT NOT NULL,
  occurred_at       TEXT NOT NULL,
  recorded_at       TEXT NOT NULL
);
CREATE INDEX offer_events_offer ON offer_events (offer_id, version);

CREATE TABLE payment_events (
  event_id          TEXT PRIMARY KEY,
  type              TEXT NOT NULL,
  payment_id        TEXT NOT NULL,
  offer_id          TEXT NOT NULL,
  buyer_tenant_id   TEXT NOT NULL,
  seller_tenant_id  TEXT NOT NULL,
  amount_cents      INTEGER NOT NULL,
  fee_cents         INTEGER NOT NULL,
  currency          TEXT NOT NULL,
  occurred_at       TEXT NOT NULL,
  recorded_at       TEXT NOT NULL
);
CREATE INDEX payment_events_payment ON payment_events (payment_id, occurred_at);

CREATE TABLE audit_log (
  event_id           TEXT PRIMARY KEY,
  action             TEXT NOT NULL,
  actor_user_id      TEXT,
  actor_tenant_id    TEXT,
  subject_tenant_id  TEXT,
  detail             TEXT NOT NULL,                  -- JSON object
  occurred_at        TEXT NOT NULL,
  recorded_at        TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_tenant_id, occurred_at);

-- Messages that exhausted their retries or failed validation; nothing is dropped silently.
CREATE TABLE dead_letters (
  message_id   TEXT PRIMARY KEY,
  queue        TEXT NOT NULL,
  body         TEXT NOT NULL,
  attempts     INTEGER NOT NULL,
  reason       TEXT NOT NULL,
  recorded_at  TEXT NOT NULL
);
