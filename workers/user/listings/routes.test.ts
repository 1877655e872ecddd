import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { HEADER, signTenantContext, type TenantContext } from "../../../shared/tenant-context.ts";
import { hexId, listingInsert, tenantInsert } from "../../../test/support/listings.ts";

const bindings = env as unknown as UserEnv;
const worker = (exports as unknown as { default: Fetcher }).default;
const SELLER = "seller_00000000000000000000000000000001";

function guest(overrides: Partial<TenantContext> = {}): TenantContext {
	return {
		request_id: crypto.randomUUID(),
		tenant_id: null,
		user_id: null,
		role: "guest",
		client_ip: "203.0.113.9",
		actor_tenant_id: null,
		issued_at: Date.now(),
		...overrides,
	};
}

async function get(path: string, context: TenantContext | null = guest()): Promise<Response> {
	const headers = new Headers();
	if (context) headers.set(HEADER, await signTenantContext(context, bindings.TENANT_CONTEXT_SECRET));
	return worker.fetch(`https://techflunky.com${path}`, { headers });
}

async function insert(statements: { sql: string; values: (string | number | null)[] }[]) {
	await bindings.DB.batch(statements.map(({ sql, values }) => bindings.DB.prepare(sql).bind(...values)));
}

const minutesAgo = (m: number) => new Date(Date.UTC(2026, 10, 1, 12, 0) - m * 60_000).toISOString();

beforeAll(async () => {
	await insert([tenantInsert(SELLER, "seller")]);
	// 25 active listings, one a minute apart; listing 1 is the newest.
	await insert(
		Array.from({ length: 25 }, (_, i) =>
			listingInsert({
				id: hexId("lst", i + 1),
				seller_tenant_id: SELLER,
				title: `Listing ${i + 1}`,
				category: i % 2 === 0 ? "saas" : "ecommerce",
				asking_price_cents: (i + 1) * 100_000,
				published_at: minutesAgo(i + 1),
			}),
		),
	);
	await insert([
		listingInsert({ id: hexId("lst", 100), seller_tenant_id: SELLER, title: "Secret draft", status: "draft" }),
		listingInsert({ id: hexId("lst", 101), seller_tenant_id: SELLER, title: "Old archived", status: "archived" }),
		listingInsert({
			id: hexId("lst", 102),
			seller_tenant_id: SELLER,
			title: "Discount 50% off_everything",
			summary: "literal percent",
			category: "other",
			published_at: minutesAgo(500),
		}),
	]);
});

interface Page {
	items: { id: string; title: string; category: string; asking_price_cents: number; status: string }[];
	next_cursor: string | null;
}

describe("GET /api/v1/listings", () => {
	it("pages through active listings newest first without gaps or repeats", async () => {
		const seen: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const res = await get(`/api/v1/listings?limit=10${cursor ? `&cursor=${cursor}` : ""}`);
			expect(res.status).toBe(200);
			const page = (await res.json()) as Page;
			seen.push(...page.items.map((item) => item.id));
			cursor = page.next_cursor;
			pages++;
		} while (cursor && pages < 10);
		expect(pages).toBe(3);
		expect(new Set(seen).size).toBe(seen.length);
		expect(seen.slice(0, 25)).toEqual(Array.from({ length: 25 }, (_, i) => hexId("lst", i + 1)));
		expect(seen).toContain(hexId("lst", 102));
		expect(seen).not.toContain(hexId("lst", 100));
		expect(seen).not.toContain(hexId("lst", 101));
	});

	it("keeps a cursor stable when newer listings are published between pages", async () => {
		const first = (await (await get("/api/v1/listings?limit=5")).json()) as Page;
		await insert([
			listingInsert({
				id: hexId("lst", 200),
				seller_tenant_id: SELLER,
				title: "Brand new",
				published_at: minutesAgo(-10),
			}),
		]);
		const second = (await (await get(`/api/v1/listings?limit=5&cursor=${first.next_cursor}`)).json()) as Page;
		expect(first.items.map((item) => item.id)).toEqual([1, 2, 3, 4, 5].map((n) => hexId("lst", n)));
		expect(second.items.map((item) => item.id)).toEqual([6, 7, 8, 9, 10].map((n) => hexId("lst", n)));
		await bindings.DB.prepare("DELETE FROM listings WHERE id = ?").bind(hexId("lst", 200)).run();
	});

	it("filters by category and price range", async () => {
		const res = await get("/api/v1/listings?category=saas&min_price=500000&max_price=1500000&limit=100");
		const page = (await res.json()) as Page;
		expect(page.items.length).toBeGreaterThan(0);
		for (const item of page.items) {
			expect(item.category).toBe("saas");
			expect(item.asking_price_cents).toBeGreaterThanOrEqual(500_000);
			expect(item.asking_price_cents).toBeLessThanOrEqual(1_500_000);
		}
		// listings 5, 7, 9, 11, 13, 15 are saas within 500,000–1,500,000
		expect(page.items.map((item) => item.id)).toEqual([5, 7, 9, 11, 13, 15].map((n) => hexId("lst", n)));
	});

	it("treats % and _ in a search as literal characters", async () => {
		const page = (await (await get(`/api/v1/listings?q=${encodeURIComponent("50% off_")}`)).json()) as Page;
		expect(page.items.map((item) => item.id)).toEqual([hexId("lst", 102)]);
	});

	it("returns only public fields", async () => {
		const page = (await (await get("/api/v1/listings?limit=1")).json()) as Page;
		expect(Object.keys(page.items[0] ?? {}).sort()).toEqual(
			[
				"id",
				"seller_tenant_id",
				"title",
				"summary",
				"description",
				"category",
				"asking_price_cents",
				"currency",
				"tech_stack",
				"metrics",
				"status",
				"created_at",
				"updated_at",
				"published_at",
			].sort(),
		);
	});

	it.each([
		["limit=0", "limit"],
		["limit=101", "limit"],
		["limit=ten", "limit"],
		["category=casino", "category"],
		["min_price=-1", "min_price"],
		["min_price=9&max_price=1", "min_price"],
		["cursor=not-a-cursor", "cursor"],
		["sort=price", "(body)"],
	])("answers %s with a 400 problem naming the field", async (query, field) => {
		const res = await get(`/api/v1/listings?${query}`);
		expect(res.status).toBe(400);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
		const body = (await res.json()) as { errors: { field: string }[] };
		expect(body.errors.map((error) => error.field)).toContain(field);
	});
});

describe("GET /api/v1/listings/:id", () => {
	it("returns an active listing", async () => {
		const res = await get(`/api/v1/listings/${hexId("lst", 3)}`);
		expect(res.status).toBe(200);
		expect(((await res.json()) as { title: string }).title).toBe("Listing 3");
	});

	it("answers 404 for drafts, archived and unknown listings", async () => {
		for (const n of [100, 101, 999]) {
			const res = await get(`/api/v1/listings/${hexId("lst", n)}`);
			expect(res.status).toBe(404);
			expect(res.headers.get("Content-Type")).toBe("application/problem+json");
		}
	});

	it("answers 400 for a malformed id", async () => {
		expect((await get("/api/v1/listings/..%2Fetc")).status).toBe(400);
	});
});

describe("tenant context gate", () => {
	it("refuses a request without a context", async () => {
		expect((await get("/api/v1/listings", null)).status).toBe(403);
	});

	it("refuses a context signed with another secret", async () => {
		const forged = await signTenantContext(guest(), "x".repeat(64));
		const res = await worker.fetch("https://techflunky.com/api/v1/listings", { headers: { [HEADER]: forged } });
		expect(res.status).toBe(403);
	});

	it("refuses a stale context", async () => {
		expect((await get("/api/v1/listings", guest({ issued_at: Date.now() - 120_000 }))).status).toBe(403);
	});
});
