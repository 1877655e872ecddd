-- Seller storefronts and featured listings (docs/domain.md, Storefronts and featured listings).

-- A seller's public storefront, served on `<slug>.<domain>`: at most one per seller tenant, and a
-- slug names at most one storefront. The slug is the row's only name for the host, so changing it
-- frees the old one at once. The contract (shared/contract/routes/storefronts.ts) decides what a
-- slug may be; the CHECK only keeps a row from ever holding what no host could match.
CREATE TABLE storefronts (
  seller_tenant_id  TEXT PRIMARY KEY REFERENCES tenants (id),
  slug              TEXT NOT NULL UNIQUE
                      CHECK (length(slug) BETWEEN 1 AND 63 AND slug = lower(slug) AND slug NOT GLOB '*[^a-z0-9-]*'),
  display_name      TEXT NOT NULL,
  bio               TEXT NOT NULL DEFAULT '',
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);

-- When an admin featured the listing, and which admin tenant did; NULL when it is not featured.
-- Not in `public_listings`: what is featured is asked with `featured=true`, never shown as a field.
-- Featuring leaves `updated_at` alone, so it never collides with the seller's own edits.
ALTER TABLE listings ADD COLUMN featured_at TEXT;
ALTER TABLE listings ADD COLUMN featured_by TEXT;
CREATE INDEX listings_featured ON listings (status, published_at DESC, id DESC) WHERE featured_at IS NOT NULL;

-- A storefront's listings: one seller's public ones (three statuses), newest published first.
CREATE INDEX listings_seller_published ON listings (seller_tenant_id, published_at DESC, id DESC);
