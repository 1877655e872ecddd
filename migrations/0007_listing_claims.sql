-- The accepted offer that holds a listing (shared/listings/lifecycle.ts): set when an acceptance
-- claims it (`active → under_offer`), kept when that offer's payment sells it, cleared when the
-- seller reopens it. Selling is guarded by it, so a payment for an offer that fell through can
-- never mark a listing sold that another offer now holds.
ALTER TABLE listings ADD COLUMN claimed_by_offer_id TEXT;

-- Listings already under offer: the accepted thread, as the consolidated records know it.
UPDATE listings SET claimed_by_offer_id = (
  SELECT d.offer_id FROM deals d
  WHERE d.listing_id = listings.id AND d.status = 'accepted'
  ORDER BY d.accepted_at DESC, d.offer_id DESC LIMIT 1
)
WHERE status IN ('under_offer', 'sold');

-- The offer and payment a lifecycle event names (`listing.under_offer`, `listing.sold`).
ALTER TABLE listing_events ADD COLUMN offer_id TEXT;
ALTER TABLE listing_events ADD COLUMN payment_id TEXT;
