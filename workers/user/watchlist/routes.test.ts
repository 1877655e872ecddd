/**
 * Watchlist routes in workerd against the migrated D1: idempotent watch, unwatch, listings the
 * caller cannot see (404), the per-tenant limit and isolation between tenants.
 */
import { describe, expect, it } from "vitest";
import { WATCHLIST_LIMIT } from "../../../shared/contract/routes/watch.ts";
import { bindings, call, listing, problem, tenant } from "../access-requests/routes.test.helpers.ts";

interface Watched {
	listing_id: string;
	watched_at: string;
	listing: { id: string; status: string; asking_price_cents: number };
}

describe("watchlist", () => {
	it("watches a public listing idempotently, lists it and unwatches it", async () => {
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const id = await listing(seller);
		const first = await call("PUT", `/api/v1/watchlist/${id}`, buyer);
		expect(first.status).toBe(200);
		const watched = (await first.json()) as Watched;
		expect(watched).toMatchObject({ listing_id: id, listing: { id, status: "active" } });
		const again = (await (await call("PUT", `/api/v1/watchlist/${id}`, buyer)).json()) as Watched;
		expect(again.watched_at).toBe(watched.watched_at);

		const list = (await (await call("GET", "/api/v1/watchlist", buyer)).json()) as { items: Watched[] };
		expect(list.items.map((item) => item.listing_id)).toEqual([id]);

		expect((await call("DELETE", `/api/v1/watchlist/${id}`, buyer)).status).toBe(204);
		expect((await call("DELETE", `/api/v1/watchlist/${id}`, buyer)).status).toBe(204);
		const after = (await (await call("GET", "/api/v1/watchlist", buyer)).json()) as { items: Watched[] };
		expect(after.items).toEqual([]);
	});

	it("answers 404 for a listing the caller cannot see, and watches under offer and sold ones", async () => {
		const seller = await tenant("seller");
		const buyer = await tenant("investor");
		for (const status of ["draft", "archived"] as const) {
			const res = await call("PUT", `/api/v1/watchlist/${await listing(seller, status)}`, buyer);
			expect(res.status, status).toBe(404);
			await problem(res);
		}
		expect((await call("PUT", "/api/v1/watchlist/lst_0123456789abcdef0123456789abcdef", buyer)).status).toBe(404);
		expect((await call("PUT", "/api/v1/watchlist/not-an-id", buyer)).status).toBe(400);
		for (const status of ["under_offer", "sold"] as const) {
			expect((await call("PUT", `/api/v1/watchlist/${await listing(seller, status)}`, buyer)).status).toBe(200);
		}
		const rows = await bindings.DB.prepare("SELECT count(*) AS n FROM watchlist WHERE tenant_id = ?")
			.bind(buyer.tenantId)
			.first<{ n: number }>();
		expect(rows?.n).toBe(2);
	});

	it(`keeps at most ${WATCHLIST_LIMIT} watched listings per tenant`, async () => {
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const ids = await Promise.all(Array.from({ length: WATCHLIST_LIMIT + 1 }, () => listing(seller)));
		await bindings.DB.batch(
			ids
				.slice(0, WATCHLIST_LIMIT)
				.map((id) =>
					bindings.DB.prepare(
						"INSERT INTO watchlist (tenant_id, listing_id, user_id, price_cents, created_at) VALUES (?, ?, ?, 0, ?)",
					).bind(buyer.tenantId, id, buyer.userId, new Date().toISOString()),
				),
		);
		const over = await call("PUT", `/api/v1/watchlist/${ids[WATCHLIST_LIMIT]}`, buyer);
		expect(over.status).toBe(409);
		expect((await problem(over)).detail).toContain(String(WATCHLIST_LIMIT));
		// Watching one already watched is still fine at the limit.
		expect((await call("PUT", `/api/v1/watchlist/${ids[0]}`, buyer)).status).toBe(200);
		// A watched listing since archived (hidden from the list) no longer counts.
		await bindings.DB.prepare("UPDATE listings SET status = 'archived' WHERE id = ?").bind(ids[1]).run();
		expect((await call("PUT", `/api/v1/watchlist/${ids[WATCHLIST_LIMIT]}`, buyer)).status).toBe(200);
	});

	it("keeps each tenant's watchlist to itself", async () => {
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const other = await tenant("buyer");
		const id = await listing(seller);
		await call("PUT", `/api/v1/watchlist/${id}`, buyer);
		const list = (await (await call("GET", "/api/v1/watchlist", other)).json()) as { items: Watched[] };
		expect(list.items).toEqual([]);
	});
});
