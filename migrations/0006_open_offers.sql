-- One open offer thread per buyer per listing (docs/domain.md, Offer threads). A thread's status
-- lives in its room and the `offers` registry is immutable, so the rule is kept by a claim: one row
-- per (listing, buyer), naming the thread that holds it. `POST /listings/:id/offers` inserts the
-- row before it opens the room. On conflict it asks the named thread's room whether the thread is
-- still open and, if not, moves the claim to the new thread with a conditional UPDATE. Closed
-- statuses are terminal, so a claim on a closed thread is simply free: nothing has to clear it when
-- the thread closes.
CREATE TABLE open_offers (
  listing_id        TEXT NOT NULL REFERENCES listings (id),
  buyer_tenant_id   TEXT NOT NULL REFERENCES tenants (id),
  -- No reference to `offers`: the claim is taken before the thread is registered.
  offer_id          TEXT NOT NULL,
  -- ISO time the claim was taken. A claim whose thread never got registered is abandoned after a
  -- minute (the request that took it died), and may then be taken over.
  claimed_at        TEXT NOT NULL,
  -- 1: the pair had several threads before this table existed, so `offer_id` (the newest) may not
  -- be the open one, and the next offer checks every registered thread of the pair.
  legacy            INTEGER NOT NULL DEFAULT 0 CHECK (legacy IN (0, 1)),
  PRIMARY KEY (listing_id, buyer_tenant_id)
);

-- Threads opened before this migration hold claims too, or an open one would not block.
INSERT OR IGNORE INTO open_offers (listing_id, buyer_tenant_id, offer_id, claimed_at, legacy)
SELECT listing_id, buyer_tenant_id, id, created_at, CASE WHEN threads > 1 THEN 1 ELSE 0 END
FROM (
  SELECT listing_id, buyer_tenant_id, id, created_at,
         ROW_NUMBER() OVER (PARTITION BY listing_id, buyer_tenant_id ORDER BY created_at DESC, id DESC) AS newest,
         COUNT(*) OVER (PARTITION BY listing_id, buyer_tenant_id) AS threads
  FROM offers
)
WHERE newest = 1;
