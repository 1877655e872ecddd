-- Notification preferences (shared/notifications/preferences.ts): which non-essential e-mails a
-- user has turned off, and how saved-search matches arrive. Defaults are "on" and "instant", so only
-- a departure from them is stored: a user with no rows gets everything, and a kind added later is
-- on for everyone without a backfill. Essential e-mails (verification, reset, password changed,
-- e-mail change) have no row here because they cannot be turned off.
CREATE TABLE notification_opt_outs (
  user_id     TEXT NOT NULL REFERENCES users (id),
  kind        TEXT NOT NULL CHECK (kind IN (
                'offer_received', 'offer_countered', 'offer_accepted', 'offer_rejected', 'offer_expired',
                'access_request_received', 'access_request_decided',
                'payment_paid', 'payment_released', 'payment_refunded', 'payment_disputed',
                'saved_search_matches', 'watchlist_changes')),
  created_at  TEXT NOT NULL,
  PRIMARY KEY (user_id, kind)
) WITHOUT ROWID;

CREATE TABLE notification_settings (
  user_id              TEXT PRIMARY KEY REFERENCES users (id),
  saved_search_digest  TEXT NOT NULL DEFAULT 'instant' CHECK (saved_search_digest IN ('instant', 'daily')),
  updated_at           TEXT NOT NULL
);
