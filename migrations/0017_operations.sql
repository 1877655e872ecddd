-- The admin console's operations: replaying dead letters, and archiving a listing for moderation.

-- A replayed dead letter is sent back to its queue once per replay; `replayed_at` marks the last
-- replay (NULL: still waiting), `replays` counts them. Consumers are idempotent, so a replay of a
-- message that did get through changes nothing.
ALTER TABLE dead_letters ADD COLUMN replayed_at TEXT;
ALTER TABLE dead_letters ADD COLUMN replays INTEGER NOT NULL DEFAULT 0;
CREATE INDEX dead_letters_waiting ON dead_letters (queue, recorded_at DESC) WHERE replayed_at IS NULL;

-- An admin archived a listing for moderation: why, and who, kept with the listing's id (the
-- listing itself moves to `archived` through its lifecycle; the seller is e-mailed the reason).
CREATE TABLE listing_moderations (
  id                TEXT PRIMARY KEY,               -- mod_<32 hex>
  listing_id        TEXT NOT NULL REFERENCES listings (id),
  seller_tenant_id  TEXT NOT NULL,
  admin_user_id     TEXT NOT NULL,
  action            TEXT NOT NULL CHECK (action IN ('archived')),
  reason            TEXT NOT NULL,
  created_at        TEXT NOT NULL
);
CREATE INDEX listing_moderations_listing ON listing_moderations (listing_id, created_at DESC);
CREATE INDEX audit_log_recent ON audit_log (occurred_at DESC, event_id DESC);
