-- Identity, second step: MFA columns on users and the admin's limit override mirrored on tenants.
-- Enforcement state (sessions, suspension, buckets) lives in each tenant's Durable Object; D1
-- keeps what must be listed or queried across tenants.

-- TOTP secrets are AES-256-GCM envelopes bound to (tenant, user, field); see shared/crypto/aes-gcm.ts.
ALTER TABLE users ADD COLUMN mfa_secret TEXT;            -- enabled secret, encrypted
ALTER TABLE users ADD COLUMN mfa_pending_secret TEXT;    -- set up but not yet confirmed, encrypted
ALTER TABLE users ADD COLUMN mfa_last_step INTEGER;      -- last accepted TOTP step: no code works twice

-- The admin's override of the tenant's limits as JSON {limit, window_seconds, burst}, or NULL for the
-- defaults. The tenant's Durable Object holds the copy that is enforced; this one is for listing.
ALTER TABLE tenants ADD COLUMN rate_limit TEXT;

CREATE INDEX tenants_listing ON tenants (created_at DESC, id DESC);
