-- Changing one's e-mail address and deleting one's account (workers/dispatch/routes/account.ts).

-- A third purpose of link tokens: `email_change`, whose `email` is the NEW address the link went to
-- (opening it proves that address). SQLite cannot alter a CHECK, so the table is rebuilt with
-- its rows and indexes as they were.
CREATE TABLE account_tokens_next (
  token_hash  TEXT PRIMARY KEY,
  purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'password_reset', 'email_change')),
  user_id     TEXT NOT NULL REFERENCES users (id),
  email       TEXT NOT NULL COLLATE NOCASE,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  used_at     TEXT
);
INSERT INTO account_tokens_next (token_hash, purpose, user_id, email, created_at, expires_at, used_at)
  SELECT token_hash, purpose, user_id, email, created_at, expires_at, used_at FROM account_tokens;
DROP TABLE account_tokens;
ALTER TABLE account_tokens_next RENAME TO account_tokens;
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose, used_at);
CREATE INDEX account_tokens_expiry ON account_tokens (expires_at);

-- When the person deleted the account; NULL while it exists. A deleted user row stays (payments,
-- deals and the audit log name its ids) but carries no personal data: see docs/domain.md,
-- "Deleting an account".
ALTER TABLE users ADD COLUMN deleted_at TEXT;
