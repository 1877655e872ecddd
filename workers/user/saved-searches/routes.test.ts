/**
 * Saved-search routes in workerd against the migrated D1: create, list, delete, validation, the
 * per-tenant limit (also under concurrent saves) and tenant isolation.
 */
import { describe, expect, it } from "vitest";
import { SAVED_SEARCH_LIMIT } from "../../../shared/contract/routes/watch.ts";
import { call, problem, tenant } from "../access-requests/routes.test.helpers.ts";

interface SavedSearch {
	id: string;
	name: string;
	q: string | null;
	category: string | null;
	min_price: number | null;
	max_price: number | null;
	created_at: string;
}

const save = (caller: Awaited<ReturnType<typeof tenant>>, body: unknown) =>
	call("POST", "/api/v1/saved-searches", caller, body);

describe("saved searches", () => {
	it("saves the browse filters with a name, lists them newest first and deletes one", async () => {
		const buyer = await tenant("buyer");
		const first = await save(buyer, { name: "AI tools", q: "ai tool", category: "ai", max_price: 5_000_000 });
		expect(first.status).toBe(201);
		const created = (await first.json()) as SavedSearch;
		expect(created).toMatchObject({
			name: "AI tools",
			q: "ai tool",
			category: "ai",
			min_price: null,
			max_price: 5_000_000,
		});
		expect(created.id).toMatch(/^srch_[0-9a-f]{32}$/);
		expect(created).not.toHaveProperty("match");
		const second = (await (await save(buyer, { name: "Anything" })).json()) as SavedSearch;

		const list = await call("GET", "/api/v1/saved-searches", buyer);
		expect(list.status).toBe(200);
		const { items } = (await list.json()) as { items: SavedSearch[] };
		expect(items.map((item) => item.id).sort()).toEqual([created.id, second.id].sort());

		expect((await call("DELETE", `/api/v1/saved-searches/${created.id}`, buyer)).status).toBe(204);
		expect((await call("DELETE", `/api/v1/saved-searches/${created.id}`, buyer)).status).toBe(404);
		const after = (await (await call("GET", "/api/v1/saved-searches", buyer)).json()) as { items: SavedSearch[] };
		expect(after.items.map((item) => item.id)).toEqual([second.id]);
	});

	it("refuses bad filters with field errors and saves nothing", async () => {
		const buyer = await tenant("investor");
		for (const body of [
			{ q: "ai" },
			{ name: "x", category: "nope" },
			{ name: "x", min_price: 10, max_price: 5 },
			{ name: "x", min_price: -1 },
			{ name: "x", digest: "daily" },
			{ name: "x", featured: "true" },
			// No word at all: browse finds nothing for it, so saved it would match every new listing.
			{ name: "x", q: "!!! ---" },
		]) {
			const res = await save(buyer, body);
			expect(res.status, JSON.stringify(body)).toBe(400);
			expect((await problem(res)).errors?.length).toBeGreaterThan(0);
		}
		const { items } = (await (await call("GET", "/api/v1/saved-searches", buyer)).json()) as { items: unknown[] };
		expect(items).toEqual([]);
	});

	it(`keeps at most ${SAVED_SEARCH_LIMIT} per tenant, even when saved concurrently`, async () => {
		const buyer = await tenant("buyer");
		const results = await Promise.all(
			Array.from({ length: SAVED_SEARCH_LIMIT + 5 }, (_, i) => save(buyer, { name: `Search ${i}` })),
		);
		const statuses = results.map((res) => res.status);
		expect(statuses.filter((status) => status === 201)).toHaveLength(SAVED_SEARCH_LIMIT);
		expect(statuses.filter((status) => status === 409)).toHaveLength(5);
		const refused = results.find((res) => res.status === 409);
		expect((await problem(refused as Response)).detail).toContain(String(SAVED_SEARCH_LIMIT));
		const { items } = (await (await call("GET", "/api/v1/saved-searches", buyer)).json()) as { items: unknown[] };
		expect(items).toHaveLength(SAVED_SEARCH_LIMIT);
		// Another tenant has its own allowance.
		expect((await save(await tenant("buyer"), { name: "Mine" })).status).toBe(201);
	});

	it("never shows or deletes another tenant's search", async () => {
		const owner = await tenant("buyer");
		const other = await tenant("buyer");
		const { id } = (await (await save(owner, { name: "Private" })).json()) as SavedSearch;
		const { items } = (await (await call("GET", "/api/v1/saved-searches", other)).json()) as { items: unknown[] };
		expect(items).toEqual([]);
		expect((await call("DELETE", `/api/v1/saved-searches/${id}`, other)).status).toBe(404);
		expect((await call("GET", "/api/v1/saved-searches", owner)).status).toBe(200);
	});
});
