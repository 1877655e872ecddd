-- Every `email.send` job the consumer took (workers/consumers/email.ts), by the job's own id: a
-- redelivered job finds its row and is not sent again once `status = 'sent'`. `status`:
--   sending   claimed by a delivery now (`updated_at` is the claim; a stale claim may be retaken)
--   retrying  MailerSend answered 429/5xx or could not be reached; the queue retries the job
--   sent      MailerSend accepted it (202); `message_id` is its X-Message-Id
--   failed    MailerSend refused it (4xx other than 429); the job went to the dead-letter queue
CREATE TABLE emails (
  job_id      TEXT PRIMARY KEY,                     -- evt_…, the job's id
  message_id  TEXT,                                 -- MailerSend's X-Message-Id, once sent
  to_email    TEXT NOT NULL,
  template    TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('sending', 'retrying', 'sent', 'failed')),
  attempts    INTEGER NOT NULL DEFAULT 0,           -- POSTs to MailerSend so far
  last_error  TEXT,
  sent_at     TEXT,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE INDEX emails_to ON emails (to_email, created_at DESC);
CREATE INDEX emails_unsent ON emails (status, updated_at) WHERE status <> 'sent';
