-- Marketplace core: confidential listing details, the NDA, full-text search, access requests,
-- attachments, and the outbox that announces listing changes on the queues.

-- Confidential details as one AES-256-GCM envelope (shared/crypto/aes-gcm.ts) of a JSON object
-- {legal_name, website_url, financials, notes}, bound to (seller tenant, listing id, 'confidential'):
-- never readable from the row alone, never movable to another listing.
ALTER TABLE listings ADD COLUMN confidential TEXT;
-- The NDA a buyer accepts before asking for the confidential details; its version moves with its text.
ALTER TABLE listings ADD COLUMN nda_text TEXT NOT NULL DEFAULT '';
ALTER TABLE listings ADD COLUMN nda_version INTEGER NOT NULL DEFAULT 1;

-- The only way public reads see listings: publicly visible statuses, public columns only.
CREATE VIEW public_listings AS
  SELECT id, seller_tenant_id, title, summary, description, category, asking_price_cents, currency,
         tech_stack, mrr_cents, revenue_cents, monthly_visitors, age_months, status, created_at,
         updated_at, published_at
  FROM listings
  WHERE status IN ('active', 'under_offer', 'sold');

-- Full-text search over title, summary and tech stack, kept in step with listings by triggers.
CREATE VIRTUAL TABLE listings_fts USING fts5(
  title, summary, tech_stack,
  content = 'listings', content_rowid = 'rowid',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER listings_fts_insert AFTER INSERT ON listings BEGIN
  INSERT INTO listings_fts (rowid, title, summary, tech_stack)
  VALUES (new.rowid, new.title, new.summary, new.tech_stack);
END;
CREATE TRIGGER listings_fts_delete AFTER DELETE ON listings BEGIN
  INSERT INTO listings_fts (listings_fts, rowid, title, summary, tech_stack)
  VALUES ('delete', old.rowid, old.title, old.summary, old.tech_stack);
END;
CREATE TRIGGER listings_fts_update AFTER UPDATE OF title, summary, tech_stack ON listings BEGIN
  INSERT INTO listings_fts (listings_fts, rowid, title, summary, tech_stack)
  VALUES ('delete', old.rowid, old.title, old.summary, old.tech_stack);
  INSERT INTO listings_fts (rowid, title, summary, tech_stack)
  VALUES (new.rowid, new.title, new.summary, new.tech_stack);
END;
INSERT INTO listings_fts (listings_fts) VALUES ('rebuild');

CREATE INDEX listings_category ON listings (category, status, published_at DESC, id DESC);

-- A buyer's request to see a listing's confidential details, under the NDA version it accepted.
CREATE TABLE access_requests (
  id                TEXT PRIMARY KEY,                -- acr_<id>
  listing_id        TEXT NOT NULL REFERENCES listings (id),
  buyer_tenant_id   TEXT NOT NULL REFERENCES tenants (id),
  seller_tenant_id  TEXT NOT NULL REFERENCES tenants (id),
  buyer_user_id     TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'approved', 'declined', 'revoked')),
  message           TEXT NOT NULL DEFAULT '',
  nda_version       INTEGER NOT NULL,
  nda_accepted_at   TEXT NOT NULL,
  decided_at        TEXT,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  UNIQUE (listing_id, buyer_tenant_id)
);
CREATE INDEX access_requests_seller ON access_requests (seller_tenant_id, status, created_at DESC, id DESC);
CREATE INDEX access_requests_buyer ON access_requests (buyer_tenant_id, created_at DESC, id DESC);

-- Files in R2, one row per (listing, name); the R2 key is namespaced by tenant and listing.
CREATE TABLE attachments (
  listing_id        TEXT NOT NULL REFERENCES listings (id),
  name              TEXT NOT NULL,
  seller_tenant_id  TEXT NOT NULL REFERENCES tenants (id),
  r2_key            TEXT NOT NULL UNIQUE,
  content_type      TEXT NOT NULL,
  size_bytes        INTEGER NOT NULL CHECK (size_bytes >= 0),
  sha256            TEXT NOT NULL,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  PRIMARY KEY (listing_id, name)
);

-- Queue messages written in the same batch as the change they announce, sent right after, and
-- resent by the consumers' cron while `sent_at` is NULL (docs/architecture.md, Reliability rules).
CREATE TABLE outbox (
  id          TEXT PRIMARY KEY,                      -- the message's own event id
  queue       TEXT NOT NULL CHECK (queue IN ('offer-events', 'payment-events', 'backoffice-jobs')),
  body        TEXT NOT NULL,                         -- JSON, already schema-checked
  created_at  TEXT NOT NULL,
  sent_at     TEXT
);
CREATE INDEX outbox_unsent ON outbox (sent_at, created_at);

-- Listing lifecycle events, consolidated by the consumer (idempotent on the event id).
CREATE TABLE listing_events (
  event_id          TEXT PRIMARY KEY,
  type              TEXT NOT NULL,
  listing_id        TEXT NOT NULL,
  seller_tenant_id  TEXT NOT NULL,
  actor_tenant_id   TEXT,
  occurred_at       TEXT NOT NULL,
  recorded_at       TEXT NOT NULL
);
CREATE INDEX listing_events_listing ON listing_events (listing_id, occurred_at);
