-- Offer threads: each thread's live state belongs to its NegotiationRoom Durable Object. D1 keeps
-- an immutable registry of who the parties are, written when the thread is opened, so the edge
-- can check party membership (WebSocket) and list a tenant's threads without asking every room.
CREATE TABLE offers (
  id                TEXT PRIMARY KEY,                -- off_<id>, also the room's name
  listing_id        TEXT NOT NULL REFERENCES listings (id),
  buyer_tenant_id   TEXT NOT NULL REFERENCES tenants (id),
  seller_tenant_id  TEXT NOT NULL REFERENCES tenants (id),
  created_at        TEXT NOT NULL
);
CREATE INDEX offers_buyer ON offers (buyer_tenant_id, created_at DESC, id DESC);
CREATE INDEX offers_seller ON offers (seller_tenant_id, created_at DESC, id DESC);
CREATE INDEX offers_listing ON offers (listing_id);
