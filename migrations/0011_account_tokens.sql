-- Account recovery: whether a user's e-mail address is verified, and the single-use, expiring
-- tokens of the links we e-mail (workers/dispatch/identity/account-tokens.ts).

-- When the address was verified (the link in the verification e-mail was opened, or a reset link
-- was); NULL until then. Publishing, asking for access and making an offer need it.
ALTER TABLE users ADD COLUMN email_verified_at TEXT;

-- Admins are created from the command line by an operator who vouches for the address
-- (scripts/admin-create.ts sets it too). Accounts that signed up before this migration stay
-- unverified until they open a link: their sign-up never proved the address.
UPDATE users SET email_verified_at = created_at WHERE role = 'admin';

-- Only the SHA-256 of a token is kept, never the token: whoever reads this table cannot use a link.
-- A token is used by one conditional UPDATE (`used_at IS NULL AND expires_at > now`), so it works once
-- even when two requests race. `email` is the address the link went to: it confirms that address only.
CREATE TABLE account_tokens (
  token_hash  TEXT PRIMARY KEY,                     -- hex SHA-256 of the 32 random bytes
  purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
  user_id     TEXT NOT NULL REFERENCES users (id),
  email       TEXT NOT NULL COLLATE NOCASE,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  used_at     TEXT                                  -- set once, when the link is used or voided
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose, used_at);
CREATE INDEX account_tokens_expiry ON account_tokens (expires_at);
