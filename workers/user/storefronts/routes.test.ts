import { describe, expect, it } from "vitest";
import { checkAccess } from "../../../shared/access/matrix.ts";
import { reservedLabels } from "../../../shared/http/origins.ts";
import { hexId, listingInsert } from "../../../test/support/listings.ts";
import { type Caller, jsonBody, newCaller, runStatements } from "../../../test/support/user-worker.ts";
import { bindings, call, callerOf } from "../listings/routes.test.helpers.ts";

const GUEST = newCaller("guest");

interface Problem {
	status: number;
	detail: string;
	errors?: { field: string; message: string }[];
}

interface Storefront {
	slug: string;
	display_name: string;
	bio: string;
	seller_tenant_id: string;
	since: string;
	created_at?: string;
	updated_at?: string;
}

interface StorefrontPage {
	storefront: Storefront;
	listings: { items: { id: string; status: string; title: string }[]; next_cursor: string | null };
}

/** A slug no other test uses. */
const uniqueSlug = (prefix = "shop") => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

const put = (caller: Caller, body: unknown) => call(caller, "/api/v1/sellers/storefront", jsonBody("PUT", body));

async function storefrontOf(seller: Caller, slug = uniqueSlug()): Promise<Storefront> {
	const res = await put(seller, { slug, display_name: "Ada Ventures", bio: "Small software businesses." });
	expect(res.status).toBe(201);
	return (await res.json()) as Storefront;
}

let serial = 0;
/** Stores a listing of `seller` directly, in `status`, published `minutesAgo` before a fixed time. */
async function listingOf(
	seller: Caller,
	status: "draft" | "active" | "under_offer" | "sold" | "archived",
	minutesAgo = 0,
) {
	serial += 1;
	const id = hexId("lst", 0x5f000 + serial);
	const published = status === "draft" ? null : new Date(Date.UTC(2026, 10, 1) - minutesAgo * 60_000).toISOString();
	await runStatements(bindings.DB, [
		listingInsert({
			id,
			seller_tenant_id: seller.tenantId ?? "",
			title: `${status} ${serial}`,
			status,
			published_at: published,
		}),
	]);
	return id;
}

describe("PUT /api/v1/sellers/storefront", () => {
	it("sets up a seller's storefront (201), then changes it (200)", async () => {
		const seller = await callerOf("seller");
		const slug = uniqueSlug();
		const created = await storefrontOf(seller, slug);
		expect(created).toMatchObject({ slug, display_name: "Ada Ventures", seller_tenant_id: seller.tenantId });
		const changed = await put(seller, { slug, display_name: "Ada Ventures Ltd" });
		expect(changed.status).toBe(200);
		const body = (await changed.json()) as Storefront;
		expect(body).toMatchObject({ slug, display_name: "Ada Ventures Ltd", bio: "", created_at: created.created_at });
		const own = await call(seller, "/api/v1/sellers/storefront");
		expect(own.status).toBe(200);
		expect(await own.json()).toEqual(body);
	});

	it("folds the slug to lower case, as DNS does", async () => {
		const seller = await callerOf("seller");
		const slug = uniqueSlug();
		const res = await put(seller, { slug: `  ${slug.toUpperCase()} `, display_name: "Loud Shop" });
		expect(res.status).toBe(201);
		expect(((await res.json()) as Storefront).slug).toBe(slug);
	});

	it.each(reservedLabels)("refuses the reserved label %s with a field error on slug", async (label) => {
		const seller = await callerOf("seller");
		const res = await put(seller, { slug: label, display_name: "Sneaky" });
		expect(res.status).toBe(400);
		const problem = (await res.json()) as Problem;
		expect(problem.errors).toEqual([{ field: "slug", message: "is kept for TechFlunky's own use" }]);
		expect((await call(seller, "/api/v1/sellers/storefront")).status).toBe(404);
	});

	it.each([
		["empty", ""],
		["a leading hyphen", "-ada"],
		["a trailing hyphen", "ada-"],
		["an underscore", "ada_shop"],
		["a dot", "ada.shop"],
		["a letter outside a–z", "ådå"],
		["64 characters", "a".repeat(64)],
		["an IDN prefix", "xn--80ak6aa92e"],
		["hyphens in the third and fourth places", "ab--cd"],
	])("refuses a slug with %s", async (_, slug) => {
		const seller = await callerOf("seller");
		const res = await put(seller, { slug, display_name: "Malformed" });
		expect(res.status).toBe(400);
		const problem = (await res.json()) as Problem;
		expect(problem.errors?.map((error) => error.field)).toEqual(["slug"]);
		expect((await call(seller, "/api/v1/sellers/storefront")).status).toBe(404);
	});

	it("refuses a missing name, an over-long bio and unknown fields", async () => {
		const seller = await callerOf("seller");
		const slug = uniqueSlug();
		const missing = (await (await put(seller, { slug, display_name: " " })).json()) as Problem;
		expect(missing.errors).toEqual([{ field: "display_name", message: "is required" }]);
		const long = (await (await put(seller, { slug, display_name: "Ok", bio: "x".repeat(501) })).json()) as Problem;
		expect(long.errors).toEqual([{ field: "bio", message: "must be 500 characters or fewer" }]);
		const extra = await put(seller, { slug, display_name: "Ok", seller_tenant_id: "seller_other" });
		expect(extra.status).toBe(400);
		expect((await call(seller, "/api/v1/sellers/storefront")).status).toBe(404);
	});

	it("answers 409 naming the slug when another seller holds it, and changes nothing", async () => {
		const [ada, grace] = await Promise.all([callerOf("seller"), callerOf("seller")]);
		const slug = uniqueSlug();
		await storefrontOf(ada, slug);
		const res = await put(grace, { slug, display_name: "Grace Labs" });
		expect(res.status).toBe(409);
		expect(((await res.json()) as Problem).detail).toBe(`The storefront address "${slug}" is taken. Choose another.`);
		expect((await call(grace, "/api/v1/sellers/storefront")).status).toBe(404);
		const page = (await (await call(GUEST, `/api/v1/storefronts/${slug}`)).json()) as StorefrontPage;
		expect(page.storefront.seller_tenant_id).toBe(ada.tenantId);
	});

	it("frees the old slug when a seller changes theirs", async () => {
		const [ada, grace] = await Promise.all([callerOf("seller"), callerOf("seller")]);
		const [first, second] = [uniqueSlug("old"), uniqueSlug("new")];
		await storefrontOf(ada, first);
		expect((await put(ada, { slug: second, display_name: "Ada Ventures" })).status).toBe(200);
		expect((await call(GUEST, `/api/v1/storefronts/${first}`)).status).toBe(404);
		const taken = await put(grace, { slug: first, display_name: "Grace Labs" });
		expect(taken.status).toBe(201);
		const page = (await (await call(GUEST, `/api/v1/storefronts/${first}`)).json()) as StorefrontPage;
		expect(page.storefront).toMatchObject({ slug: first, seller_tenant_id: grace.tenantId });
	});

	it("answers a seller without a storefront 404", async () => {
		const res = await call(await callerOf("seller"), "/api/v1/sellers/storefront");
		expect(res.status).toBe(404);
	});

	it.each(["buyer", "investor", "admin"] as const)("refuses a %s the seller's own storefront (403)", async (role) => {
		const caller = await callerOf(role);
		const read = await call(caller, "/api/v1/sellers/storefront");
		const write = await put(caller, { slug: uniqueSlug(), display_name: "Not a seller" });
		expect([read.status, write.status]).toEqual([403, 403]);
		expect(checkAccess(role, "GET", "/api/v1/sellers/storefront")).toBe("forbidden");
		expect(checkAccess(role, "PUT", "/api/v1/sellers/storefront")).toBe("forbidden");
	});

	it("sends a guest to sign in for the seller's own storefront (the access table)", () => {
		expect(checkAccess("guest", "GET", "/api/v1/sellers/storefront")).toBe("unauthenticated");
		expect(checkAccess("guest", "PUT", "/api/v1/sellers/storefront")).toBe("unauthenticated");
		expect(checkAccess("seller", "PUT", "/api/v1/sellers/storefront")).toBe("allow");
	});
});

describe("GET /api/v1/storefronts/{slug}", () => {
	it("shows a guest the storefront and its seller's public listings, newest first, never drafts or archived", async () => {
		const seller = await callerOf("seller");
		const storefront = await storefrontOf(seller);
		const sold = await listingOf(seller, "sold", 30);
		const active = await listingOf(seller, "active", 10);
		const underOffer = await listingOf(seller, "under_offer", 20);
		await listingOf(seller, "draft");
		await listingOf(seller, "archived", 5);
		await listingOf(await callerOf("seller"), "active", 1);
		const res = await call(GUEST, `/api/v1/storefronts/${storefront.slug}`);
		expect(res.status).toBe(200);
		const page = (await res.json()) as StorefrontPage;
		expect(page.storefront).toEqual({
			slug: storefront.slug,
			display_name: "Ada Ventures",
			bio: "Small software businesses.",
			seller_tenant_id: seller.tenantId,
			since: storefront.since,
		});
		expect(page.listings.items.map((item) => item.id)).toEqual([active, underOffer, sold]);
		expect(page.listings.next_cursor).toBeNull();
	});

	it("pages through a storefront's listings without gaps or repeats", async () => {
		const seller = await callerOf("seller");
		const { slug } = await storefrontOf(seller);
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) ids.push(await listingOf(seller, "active", i));
		const seen: string[] = [];
		let cursor: string | null = null;
		do {
			const query: string = cursor ? `&cursor=${cursor}` : "";
			const page = (await (await call(GUEST, `/api/v1/storefronts/${slug}?limit=2${query}`)).json()) as StorefrontPage;
			seen.push(...page.listings.items.map((item) => item.id));
			cursor = page.listings.next_cursor;
		} while (cursor);
		expect(seen).toEqual(ids);
	});

	it("answers any case of the slug, an unknown slug 404 and a malformed one 400", async () => {
		const { slug } = await storefrontOf(await callerOf("seller"));
		expect((await call(GUEST, `/api/v1/storefronts/${slug.toUpperCase()}`)).status).toBe(200);
		expect((await call(GUEST, `/api/v1/storefronts/${uniqueSlug("nobody")}`)).status).toBe(404);
		expect((await call(GUEST, "/api/v1/storefronts/-bad-")).status).toBe(400);
		expect((await call(GUEST, `/api/v1/storefronts/${slug}?limit=0`)).status).toBe(400);
	});

	it("gives a guest's read a strong ETag and answers If-None-Match with 304", async () => {
		const { slug } = await storefrontOf(await callerOf("seller"));
		const first = await call(GUEST, `/api/v1/storefronts/${slug}`);
		const etag = first.headers.get("ETag");
		expect(etag).toMatch(/^"[\w-]+"$/);
		expect(first.headers.get("Cache-Control")).toBe("public, max-age=30, stale-while-revalidate=30");
		const again = await call(GUEST, `/api/v1/storefronts/${slug}`, { headers: { "If-None-Match": etag ?? "" } });
		expect(again.status).toBe(304);
	});
});

describe("GET /api/v1/sellers/{tenant_id}", () => {
	it("summarises a seller: its storefront, since when, and how many public listings", async () => {
		const seller = await callerOf("seller");
		await listingOf(seller, "active");
		await listingOf(seller, "sold", 3);
		await listingOf(seller, "draft");
		const before = await call(GUEST, `/api/v1/sellers/${seller.tenantId}`);
		expect(before.status).toBe(200);
		const summary = (await before.json()) as { storefront: unknown; since: string; public_listings: number };
		expect(summary).toMatchObject({ seller_tenant_id: seller.tenantId, storefront: null, public_listings: 2 });
		const { slug } = await storefrontOf(seller);
		const after = await (await call(GUEST, `/api/v1/sellers/${seller.tenantId}`)).json();
		expect(after).toEqual({ ...summary, storefront: { slug, display_name: "Ada Ventures" } });
	});

	it("answers a tenant that is not a seller, or does not exist, 404 and a malformed id 400", async () => {
		const buyer = await callerOf("buyer");
		expect((await call(GUEST, `/api/v1/sellers/${buyer.tenantId}`)).status).toBe(404);
		expect((await call(GUEST, `/api/v1/sellers/${newCaller("seller").tenantId}`)).status).toBe(404);
		expect((await call(GUEST, "/api/v1/sellers/not-a-tenant")).status).toBe(400);
	});

	it("leaves the seller's payout account route to the payments (the literal path wins)", async () => {
		const res = await call(await callerOf("seller"), "/api/v1/sellers/connect");
		expect(res.status).not.toBe(400);
		expect(checkAccess("guest", "GET", "/api/v1/sellers/connect")).toBe("unauthenticated");
		expect(checkAccess("guest", "GET", `/api/v1/sellers/${hexId("seller", 1)}`)).toBe("allow");
	});
});
