import { describe, expect, it } from "vitest";
import { toBase64Url } from "../../../shared/encoding.ts";
import { type Caller, jsonBody, newCaller } from "../../../test/support/user-worker.ts";
import { call, callerOf } from "./routes.test.helpers.ts";

const GUEST = newCaller("guest");
const PUBLIC = "public, max-age=30, stale-while-revalidate=30";

const ifNoneMatch = (field: string): RequestInit => ({ headers: { "If-None-Match": field } });

/** A word no other listing has, so a search for it is a page of this test's listings only. */
const uniqueWord = () => `etag${crypto.randomUUID().replaceAll("-", "")}`;

async function listing(seller: Caller, title: string, publish = true): Promise<string> {
	const created = await call(
		seller,
		"/api/v1/listings",
		jsonBody("POST", {
			title,
			summary: "Invoicing for plumbers",
			description: "Ten years of steady growth.",
			category: "saas",
			asking_price_cents: 25_000_000,
			confidential: { legal_name: "Acme Holdings" },
		}),
	);
	expect(created.status).toBe(201);
	const { id } = (await created.json()) as { id: string };
	if (publish) expect((await call(seller, `/api/v1/listings/${id}/publish`, { method: "POST" })).status).toBe(200);
	return id;
}

async function sha256Tag(bytes: ArrayBuffer): Promise<string> {
	return `"${toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))}"`;
}

describe("guest reads of listings", () => {
	it("tag a listing with the SHA-256 of its exact body and let public caches keep it briefly", async () => {
		const id = await listing(await callerOf("seller"), `Tagged ${uniqueWord()}`);
		const res = await call(GUEST, `/api/v1/listings/${id}`);
		expect(res.status).toBe(200);
		const bytes = await res.arrayBuffer();
		expect(res.headers.get("ETag")).toBe(await sha256Tag(bytes));
		expect(res.headers.get("Cache-Control")).toBe(PUBLIC);
		expect(res.headers.get("Vary")).toBe("Authorization, Cookie");
		expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
		expect(JSON.parse(new TextDecoder().decode(bytes))).toMatchObject({ id, status: "active" });
	});

	it("answers a matching If-None-Match with 304, no body and the headers of the 200", async () => {
		const id = await listing(await callerOf("seller"), `Revisited ${uniqueWord()}`);
		const first = await call(GUEST, `/api/v1/listings/${id}`);
		const etag = first.headers.get("ETag") ?? "";
		const again = await call(GUEST, `/api/v1/listings/${id}`, ifNoneMatch(etag));
		expect(again.status).toBe(304);
		expect(await again.text()).toBe("");
		expect(again.headers.get("ETag")).toBe(etag);
		expect(again.headers.get("Cache-Control")).toBe(PUBLIC);
		expect(again.headers.get("Vary")).toBe("Authorization, Cookie");
		expect(again.headers.get("Content-Type")).toBeNull();
	});

	it("compares If-None-Match weakly, across lists and for `*`, and serves 200 on a miss", async () => {
		const id = await listing(await callerOf("seller"), `Compared ${uniqueWord()}`);
		const etag = (await call(GUEST, `/api/v1/listings/${id}`)).headers.get("ETag") ?? "";
		for (const field of [`W/${etag}`, `"stale", ${etag}`, `"a", W/${etag}, "b"`, "*"]) {
			expect((await call(GUEST, `/api/v1/listings/${id}`, ifNoneMatch(field))).status, field).toBe(304);
		}
		for (const field of ['"stale"', etag.slice(1, -1), `${etag}x`]) {
			const res = await call(GUEST, `/api/v1/listings/${id}`, ifNoneMatch(field));
			expect(res.status, field).toBe(200);
			expect(res.headers.get("ETag")).toBe(etag);
			expect(((await res.json()) as { id: string }).id).toBe(id);
		}
	});

	it("gives a changed listing a new tag, so the old one gets the new body", async () => {
		const seller = await callerOf("seller");
		const id = await listing(seller, `Repriced ${uniqueWord()}`);
		const before = (await call(GUEST, `/api/v1/listings/${id}`)).headers.get("ETag") ?? "";
		expect(
			(await call(seller, `/api/v1/listings/${id}`, jsonBody("PATCH", { asking_price_cents: 19_000_000 }))).status,
		).toBe(200);
		const after = await call(GUEST, `/api/v1/listings/${id}`, ifNoneMatch(before));
		expect(after.status).toBe(200);
		expect(after.headers.get("ETag")).not.toBe(before);
		expect(((await after.json()) as { asking_price_cents: number }).asking_price_cents).toBe(19_000_000);
	});

	it("answers HEAD with the same tag and no body", async () => {
		const id = await listing(await callerOf("seller"), `Headed ${uniqueWord()}`);
		const get = await call(GUEST, `/api/v1/listings/${id}`);
		const head = await call(GUEST, `/api/v1/listings/${id}`, { method: "HEAD" });
		expect(head.status).toBe(200);
		expect(head.headers.get("ETag")).toBe(get.headers.get("ETag"));
		expect(await head.text()).toBe("");
	});

	it("tags a browse page, answers its repeat with 304 and retags it when a listing joins", async () => {
		const seller = await callerOf("seller");
		const word = uniqueWord();
		await listing(seller, `First ${word}`);
		const page = await call(GUEST, `/api/v1/listings?q=${word}`);
		expect(page.status).toBe(200);
		const etag = page.headers.get("ETag") ?? "";
		expect(etag).toBe(await sha256Tag(await page.arrayBuffer()));
		expect(page.headers.get("Cache-Control")).toBe(PUBLIC);
		expect((await call(GUEST, `/api/v1/listings?q=${word}`, ifNoneMatch(etag))).status).toBe(304);
		await listing(seller, `Second ${word}`);
		const grown = await call(GUEST, `/api/v1/listings?q=${word}`, ifNoneMatch(etag));
		expect(grown.status).toBe(200);
		expect(((await grown.json()) as { items: unknown[] }).items).toHaveLength(2);
	});

	it("never lets a cache keep a guest's 404 for a draft, even with If-None-Match: *", async () => {
		const id = await listing(await callerOf("seller"), `Draft ${uniqueWord()}`, false);
		for (const init of [undefined, ifNoneMatch("*")]) {
			const res = await call(GUEST, `/api/v1/listings/${id}`, init);
			expect(res.status).toBe(404);
			expect(res.headers.get("Cache-Control")).toBe("no-store");
			expect(res.headers.get("ETag")).toBeNull();
		}
	});

	it("never lets a cache keep a guest's 400", async () => {
		const res = await call(GUEST, "/api/v1/listings?limit=500");
		expect(res.status).toBe(400);
		expect(res.headers.get("Cache-Control")).toBe("no-store");
		expect(res.headers.get("ETag")).toBeNull();
	});
});

describe("signed-in reads of listings", () => {
	it("carry no tag and no public caching, and ignore If-None-Match", async () => {
		const seller = await callerOf("seller");
		const word = uniqueWord();
		const id = await listing(seller, `Private ${word}`);
		// A browse page has the same bytes for everyone, so the guest's tag would match if it were checked.
		for (const path of [`/api/v1/listings/${id}`, `/api/v1/listings?q=${word}`]) {
			const etag = (await call(GUEST, path)).headers.get("ETag") ?? "";
			for (const caller of [seller, await callerOf("buyer")]) {
				const res = await call(caller, path, ifNoneMatch(etag));
				expect(res.status, `${caller.role} ${path}`).toBe(200);
				expect(res.headers.get("ETag")).toBeNull();
				expect(res.headers.get("Cache-Control") ?? "").not.toMatch(/public/);
			}
		}
	});
});
