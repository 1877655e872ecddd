import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../shared/encoding.ts";
import { listingInsert, tenantInsert } from "../../test/support/listings.ts";
import { bearer, signedIn } from "../../test/support/sessions.ts";

const worker = (exports as unknown as { default: Fetcher }).default;
const bindings = env as unknown as DispatchEnv;
const SELLER = newId("seller");
const LISTING = newId("lst");
const DRAFT = newId("lst");

/** Each call from its own client IP, so these tests never meet the anonymous rate limit. */
const call = (path: string, headers: Record<string, string> = {}) =>
	worker.fetch(`https://techflunky.com${path}`, {
		headers: { ...headers, "CF-Connecting-IP": `198.51.100.${Math.floor(Math.random() * 250) + 1}` },
	});

beforeAll(async () => {
	const statements = [
		tenantInsert(SELLER, "seller"),
		listingInsert({ id: LISTING, seller_tenant_id: SELLER, title: "Cached at the edge" }),
		listingInsert({ id: DRAFT, seller_tenant_id: SELLER, title: "Not yet", status: "draft" }),
	];
	await bindings.DB.batch(statements.map(({ sql, values }) => bindings.DB.prepare(sql).bind(...values)));
});

describe("conditional public reads through the dispatch Worker", () => {
	it("passes a guest's ETag and public Cache-Control through, with Origin added to Vary", async () => {
		const res = await call(`/api/v1/listings/${LISTING}`);
		expect(res.status).toBe(200);
		expect(res.headers.get("ETag")).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
		expect(res.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+, stale-while-revalidate=\d+$/);
		expect(res.headers.get("Vary")).toBe("Authorization, Cookie, Origin");
	});

	it("answers a guest's If-None-Match with a bodiless 304 that still has its request id", async () => {
		const first = await call(`/api/v1/listings/${LISTING}`);
		const etag = first.headers.get("ETag") ?? "";
		const res = await call(`/api/v1/listings/${LISTING}`, { "If-None-Match": etag });
		expect(res.status).toBe(304);
		expect(await res.text()).toBe("");
		expect(res.headers.get("ETag")).toBe(etag);
		expect(res.headers.get("Cache-Control")).toBe(first.headers.get("Cache-Control"));
		expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
		expect(res.headers.get("X-Request-Id")).not.toBe(first.headers.get("X-Request-Id"));
	});

	it("keeps a signed-in caller's read no-store and untagged, whatever it sends", async () => {
		const buyer = await signedIn(bindings, "buyer");
		const guestTag = (await call("/api/v1/listings")).headers.get("ETag") ?? "";
		const res = await call("/api/v1/listings", { ...bearer(buyer), "If-None-Match": guestTag });
		expect(res.status).toBe(200);
		expect(res.headers.get("Cache-Control")).toBe("no-store");
		expect(res.headers.get("ETag")).toBeNull();
	});

	it("keeps a guest's 404 for a draft and the edge's own problems out of public caches", async () => {
		const draft = await call(`/api/v1/listings/${DRAFT}`, { "If-None-Match": "*" });
		expect(draft.status).toBe(404);
		expect(draft.headers.get("Cache-Control")).toBe("no-store");
		const refused = await call("/api/v1/listings/mine");
		expect(refused.status).toBe(401);
		expect(refused.headers.get("Cache-Control") ?? "").not.toMatch(/public/);
		expect(refused.headers.get("ETag")).toBeNull();
	});
});
