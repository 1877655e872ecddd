/**
 * Conditional public reads as a client sees them over the local topology: a guest's listing and
 * browse page carry a strong ETag and public Cache-Control, a repeat with If-None-Match is a
 * bodiless 304, an edit by the seller retags the listing, and nothing a signed-in caller or a
 * draft's 404 gets may be kept by a public cache.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { testSecrets } from "../topology/secrets.ts";
import { startTopology, type Topology } from "../topology/topology.ts";
import { type Account, E2eClient, verifyInDatabase } from "./client.ts";

let topology: Topology;
let client: E2eClient;
let seller: Account;
/** In every title here, so `?q=` pages hold this file's listings only. */
const WORD = `etag${crypto.randomUUID().replaceAll("-", "")}`;

beforeAll(async () => {
	topology = await startTopology({ secrets: testSecrets() });
	client = new E2eClient(topology.url.port, { verify: verifyInDatabase(topology.db) });
	seller = await client.register("seller");
});

afterAll(async () => {
	await client?.close();
	await topology?.dispose();
});

/** A listing of the file's seller, its title carrying `WORD`; its id. */
async function createListing(title: string, publish: boolean): Promise<string> {
	const listing = await client.listing(
		seller,
		{ title: `${title} ${WORD}`, summary: "Scheduling for dog groomers", asking_price_cents: 9_900_000 },
		{ publish },
	);
	return listing.id;
}

function expectPublic(res: { headers: { get(name: string): string | null } }) {
	expect(res.headers.get("ETag")).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
	expect(res.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+, stale-while-revalidate=\d+$/);
	expect(res.headers.get("Vary")).toMatch(/^Authorization, Cookie\b/);
	expect(res.headers.get("X-Request-Id")).toBeTruthy();
}

describe("conditional public reads", () => {
	it("tags a guest's listing and answers its repeat with a bodiless 304", async () => {
		const id = await createListing("Groomly", true);
		const first = await client.api.call(contract.getListing, { params: { id } });
		expect(first.status).toBe(200);
		expectPublic(first);
		expect(first.body).toMatchObject({ id });
		const etag = first.headers.get("ETag") ?? "";

		const again = await client.call(`/api/v1/listings/${id}`, { headers: { "If-None-Match": etag } });
		expect(again.status).toBe(304);
		expect(await again.text()).toBe("");
		expectPublic(again);
		expect(again.headers.get("ETag")).toBe(etag);
		expect(again.headers.get("X-Request-Id")).not.toBe(first.headers.get("X-Request-Id"));

		// What a browser sends back after Cloudflare weakened the tag, and a list of tags.
		for (const field of [`W/${etag}`, `"older", ${etag}`]) {
			const res = await client.call(`/api/v1/listings/${id}`, { headers: { "If-None-Match": field } });
			expect(res.status, field).toBe(304);
		}
	});

	it("retags a listing its seller repriced, so the old tag gets the new body", async () => {
		const id = await createListing("Repricely", true);
		const before = await client.call(`/api/v1/listings/${id}`);
		const oldTag = before.headers.get("ETag") ?? "";
		const page = await client.call(`/api/v1/listings?q=${WORD}`);
		expectPublic(page);
		const oldPageTag = page.headers.get("ETag") ?? "";
		expect((await client.call(`/api/v1/listings?q=${WORD}`, { headers: { "If-None-Match": oldPageTag } })).status).toBe(
			304,
		);

		const patched = await client.api.call(contract.updateListing, {
			params: { id },
			token: seller.token,
			body: { asking_price_cents: 7_500_000 },
		});
		expect(patched.status).toBe(200);

		const after = await client.api.call(contract.getListing, { params: { id }, headers: { "If-None-Match": oldTag } });
		expect(after.status).toBe(200);
		expectPublic(after);
		expect(after.headers.get("ETag")).not.toBe(oldTag);
		expect(after.body).toMatchObject({ asking_price_cents: 7_500_000 });

		const newPage = await client.call(`/api/v1/listings?q=${WORD}`, { headers: { "If-None-Match": oldPageTag } });
		expect(newPage.status).toBe(200);
		expect(newPage.headers.get("ETag")).not.toBe(oldPageTag);
	});

	it("keeps signed-in reads no-store and untagged, by token or by cookie", async () => {
		const id = await createListing("Privately", true);
		const guestTag = (await client.call(`/api/v1/listings?q=${WORD}`)).headers.get("ETag") ?? "";
		const buyer = await client.register("buyer");
		for (const credential of [{ token: buyer.token }, { cookie: buyer.token }, { token: seller.token }]) {
			for (const path of [`/api/v1/listings/${id}`, `/api/v1/listings?q=${WORD}`]) {
				const res = await client.call(path, { ...credential, headers: { "If-None-Match": guestTag } });
				expect(res.status, path).toBe(200);
				expect(res.headers.get("Cache-Control")).toBe("no-store");
				expect(res.headers.get("ETag")).toBeNull();
				await res.arrayBuffer();
			}
		}
	});

	it("keeps a guest's 404 for a draft out of every cache", async () => {
		const id = await createListing("Drafty", false);
		for (const headers of [{}, { "If-None-Match": "*" }] as Record<string, string>[]) {
			const res = await client.call(`/api/v1/listings/${id}`, { headers });
			expect(res.status).toBe(404);
			expect(res.headers.get("Cache-Control")).toBe("no-store");
			expect(res.headers.get("ETag")).toBeNull();
			expect(res.headers.get("X-Request-Id")).toBeTruthy();
			await res.arrayBuffer();
		}
	});
});
