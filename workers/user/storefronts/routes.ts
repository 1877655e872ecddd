/**
 * Storefronts: a seller's public storefront and its listings (anyone), the seller's own
 * storefront (read, set up, change), and the public summary of a seller that a listing page shows.
 * The shapes are the contract's (shared/contract/routes/storefronts.ts), validated before a
 * handler runs; D1 only through `c.var.data.storefronts` (shared/data/storefronts.ts).
 *
 * The own-storefront routes are for sellers by the route's policy, enforced at the edge; the
 * handlers refuse anyone else again (403), since a storefront is keyed by the caller's tenant and
 * only a seller's tenant may hold one. A guest's storefront read is publicly cacheable and
 * conditional (../public-cache.ts), like browse: the same bytes for every guest.
 *
 * Mounted after the payment routes: `/api/v1/sellers/{tenant_id}` would otherwise take
 * `/api/v1/sellers/connect`, and within this app the literal `/sellers/storefront` comes first.
 */
import type { Context } from "hono";
import { contractApp } from "../../../shared/contract/app.ts";
import { storefrontsRoutes as r } from "../../../shared/contract/routes/storefronts.ts";
import type { StorefrontRecord } from "../../../shared/data/storefronts.ts";
import { encodeCursor } from "../../../shared/http/cursor.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { toPublicListing } from "../listings/views.ts";
import { publicRead } from "../public-cache.ts";
import type { UserHono } from "../types.ts";

/** Like browse: at most a minute old in any cache, then revalidated for the price of a 304. */
const guestRead = publicRead({ maxAgeSeconds: 30, staleWhileRevalidateSeconds: 30 });

const publicView = (row: StorefrontRecord) => ({
	slug: row.slug,
	display_name: row.display_name,
	bio: row.bio,
	seller_tenant_id: row.seller_tenant_id,
	since: row.since,
});

const ownView = (row: StorefrontRecord) => ({
	...publicView(row),
	created_at: row.created_at,
	updated_at: row.updated_at,
});

function requireSeller(c: Context<UserHono>): void {
	if (c.var.tenant.role !== "seller" || c.var.tenant.tenant_id === null) {
		throw new HttpProblem({ reason: "forbidden", detail: "Only sellers have a storefront." });
	}
}

export const storefronts = contractApp<UserHono>()
	.openapi({ ...r.getStorefront, middleware: [guestRead] }, async (c) => {
		const { slug } = c.req.valid("param");
		const query = c.req.valid("query");
		const storefront = await c.var.data.storefronts.bySlug(slug);
		if (!storefront) throw new HttpProblem({ reason: "not_found" });
		const { rows, more } = await c.var.data.storefronts.listings(storefront.seller_tenant_id, query);
		const items = rows.map(toPublicListing);
		const last = rows.at(-1);
		const next_cursor = more && last ? encodeCursor([last.published_at ?? last.created_at, last.id]) : null;
		return c.json({ storefront: publicView(storefront), listings: { items, next_cursor } }, 200);
	})
	.openapi(r.getOwnStorefront, async (c) => {
		requireSeller(c);
		const storefront = await c.var.data.storefronts.own();
		if (!storefront) throw new HttpProblem({ reason: "not_found" });
		return c.json(ownView(storefront), 200);
	})
	.openapi(r.putOwnStorefront, async (c) => {
		requireSeller(c);
		const input = c.req.valid("json");
		const outcome = await c.var.data.storefronts.put(input, new Date().toISOString());
		if (outcome.status === "taken") {
			throw new HttpProblem({
				reason: "conflict",
				detail: `The storefront address "${input.slug}" is taken. Choose another.`,
			});
		}
		return outcome.status === "created"
			? c.json(ownView(outcome.storefront), 201)
			: c.json(ownView(outcome.storefront), 200);
	})
	.openapi(r.getSeller, async (c) => {
		const seller = await c.var.data.storefronts.seller(c.req.valid("param").tenant_id);
		if (!seller) throw new HttpProblem({ reason: "not_found" });
		const storefront =
			seller.slug === null || seller.display_name === null
				? null
				: { slug: seller.slug, display_name: seller.display_name };
		return c.json(
			{
				seller_tenant_id: seller.seller_tenant_id,
				storefront,
				since: seller.since,
				public_listings: seller.public_listings,
			},
			200,
		);
	});
