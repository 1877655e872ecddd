-- Saved searches and the watchlist (issue 15; docs/api.md): what a buyer or investor asks to be told
-- about. Both belong to the tenant that made them and the user who did (whose address the e-mail
-- goes to); the limits per tenant (20 searches, 200 watched listings) are enforced by the INSERTs
-- in shared/data/saved-searches.ts and watchlist.ts, not here.

-- A saved search: the filters of `GET /api/v1/listings` (q, category, price range) and a name.
-- `match` is the FTS5 expression `ftsQuery` builds from `q` when the search is saved, so the
-- consumer matching a newly published listing runs exactly the browse query's text test.
-- Whether matches arrive one e-mail per listing or at most one per search per day is the user's
-- notification setting (`notification_settings.saved_search_digest`, 0012), not the search's.
CREATE TABLE saved_searches (
  id               TEXT PRIMARY KEY,                   -- srch_<id>
  tenant_id        TEXT NOT NULL REFERENCES tenants (id),
  user_id          TEXT NOT NULL,
  name             TEXT NOT NULL,
  q                TEXT,
  match            TEXT,
  category         TEXT,
  min_price_cents  INTEGER,
  max_price_cents  INTEGER,
  created_at       TEXT NOT NULL
);
CREATE INDEX saved_searches_tenant ON saved_searches (tenant_id, created_at DESC, id DESC);

-- A watched listing. `price_cents` is the asking price the watcher was last told about (or saw when
-- they started watching), so a `listing.updated` event that changed the price is told once.
CREATE TABLE watchlist (
  tenant_id    TEXT NOT NULL REFERENCES tenants (id),
  listing_id   TEXT NOT NULL REFERENCES listings (id),
  user_id      TEXT NOT NULL,
  price_cents  INTEGER NOT NULL,
  created_at   TEXT NOT NULL,
  PRIMARY KEY (tenant_id, listing_id)
);
CREATE INDEX watchlist_listing ON watchlist (listing_id);
CREATE INDEX watchlist_tenant ON watchlist (tenant_id, created_at DESC, listing_id DESC);
