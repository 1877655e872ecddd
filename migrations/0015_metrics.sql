-- The queryable request metrics (Analytics Engine holds the raw points, but cannot be queried
-- locally): per-minute aggregates per tenant, route template and portal, and per-minute counts of
-- security events. The dispatch Worker aggregates in memory and flushes through `backoffice-jobs`
-- (`metrics.flush`), so a request never writes D1; the consumer adds each flush once.

-- `minute` is Unix time in whole minutes (ms / 60000). `h00`…`h15` count requests by latency in
-- the fixed buckets of shared/metrics/histogram.ts (upper bounds 5, 10, 25, 50, 75, 100, 150,
-- 200, 300, 400, 500, 750, 1000, 2500, 5000 ms, and above); percentiles are read from their sums.
CREATE TABLE metrics_minutes (
  minute          INTEGER NOT NULL,
  tenant_id       TEXT NOT NULL,             -- the tenant served, or 'anonymous'
  route           TEXT NOT NULL,             -- 'GET /api/v1/listings/{id}': the contract's template, or 'unmatched'
  portal          TEXT NOT NULL,             -- apex | seller | buyer | storefront
  requests        INTEGER NOT NULL DEFAULT 0,
  errors          INTEGER NOT NULL DEFAULT 0, -- status >= 500
  limited         INTEGER NOT NULL DEFAULT 0, -- status 429
  latency_sum_ms  REAL NOT NULL DEFAULT 0,
  latency_max_ms  REAL NOT NULL DEFAULT 0,
  h00 INTEGER NOT NULL DEFAULT 0, h01 INTEGER NOT NULL DEFAULT 0, h02 INTEGER NOT NULL DEFAULT 0,
  h03 INTEGER NOT NULL DEFAULT 0, h04 INTEGER NOT NULL DEFAULT 0, h05 INTEGER NOT NULL DEFAULT 0,
  h06 INTEGER NOT NULL DEFAULT 0, h07 INTEGER NOT NULL DEFAULT 0, h08 INTEGER NOT NULL DEFAULT 0,
  h09 INTEGER NOT NULL DEFAULT 0, h10 INTEGER NOT NULL DEFAULT 0, h11 INTEGER NOT NULL DEFAULT 0,
  h12 INTEGER NOT NULL DEFAULT 0, h13 INTEGER NOT NULL DEFAULT 0, h14 INTEGER NOT NULL DEFAULT 0,
  h15 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, tenant_id, route, portal)
);
CREATE INDEX metrics_minutes_tenant ON metrics_minutes (tenant_id, minute);

-- Failed sign-ins, forged or expired tokens, cross-tenant denials, rate limiting, webhook
-- signature mismatches: counted per minute, tenant (or 'anonymous') and kind.
CREATE TABLE security_minutes (
  minute     INTEGER NOT NULL,
  tenant_id  TEXT NOT NULL,
  kind       TEXT NOT NULL,
  count      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, tenant_id, kind)
);
CREATE INDEX security_minutes_tenant ON security_minutes (tenant_id, minute);

-- Each flush job is added once: its id is claimed in the same D1 batch as its rows, so a
-- redelivered flush changes nothing.
CREATE TABLE metrics_flushes (
  job_id       TEXT PRIMARY KEY,
  recorded_at  TEXT NOT NULL
);
