-- Alerts (workers/consumers/alerts/): the scheduled evaluation of the rules over the last window.
-- One row per firing: opened when a rule starts firing, closed (`resolved_at`) when it stops. At
-- most one open row per rule and subject, so a rule that stays firing is one alert, notified once;
-- `notified_fired_at` / `notified_resolved_at` record that the e-mails were queued.
CREATE TABLE alerts (
  id                    TEXT PRIMARY KEY,           -- alr_<32 hex>
  rule                  TEXT NOT NULL,              -- latency_p95 | error_rate | security_burst | dead_letters | payment_stuck
  subject               TEXT NOT NULL DEFAULT '',   -- what it is about beyond the rule ('' for the platform)
  status                TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
  value                 REAL NOT NULL,              -- the measured value when it fired, then the latest
  threshold             REAL NOT NULL,
  summary               TEXT NOT NULL,
  fired_at              TEXT NOT NULL,
  resolved_at           TEXT,
  last_evaluated_at     TEXT NOT NULL,
  notified_fired_at     TEXT,
  notified_resolved_at  TEXT
);
CREATE UNIQUE INDEX alerts_open ON alerts (rule, subject) WHERE status = 'firing';
CREATE INDEX alerts_recent ON alerts (fired_at DESC, id DESC);
