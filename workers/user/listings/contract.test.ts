import { describe, expect, it } from "vitest";
import { accessMatrix } from "../../../shared/access/matrix.ts";
import { type ContractRoute, policyOf, responseSchema, routingPath } from "../../../shared/contract/policy.ts";
import {
	listingsRoutes,
	listingView,
	publicListing,
	listingsRoutes as r,
} from "../../../shared/contract/routes/listings.ts";
import { newId } from "../../../shared/encoding.ts";
import { type Caller, jsonBody } from "../../../test/support/user-worker.ts";
import { bindings, call, callerOf } from "./routes.test.helpers.ts";

/**
 * The answer is one the route declares, and its body is what the declaration says: the JSON (or
 * problem) schema of that status, or no body at all where the status declares none.
 */
async function expectDeclared(route: ContractRoute, res: Response): Promise<unknown> {
	expect(Object.keys(route.responses), `${route.operationId} declares ${res.status}`).toContain(String(res.status));
	const schema = responseSchema(route, res.status);
	const text = await res.text();
	if (schema === null) {
		expect(text, `${route.operationId} ${res.status} has no body`).toBe("");
		return undefined;
	}
	const parsed = schema.safeParse(JSON.parse(text));
	expect(parsed.error?.issues ?? [], `${route.operationId} ${res.status}: ${text}`).toEqual([]);
	return parsed.data;
}

const complete = {
	title: "Contracted SaaS",
	summary: "Scheduling for vets",
	description: "Twelve years of growth.",
	category: "saas",
	asking_price_cents: 31_000_000,
	tech_stack: ["Go"],
	metrics: { mrr_cents: 510_000, age_months: 144 },
	confidential: { legal_name: "Vetly Ltd", website_url: "https://vetly.example" },
	nda_text: "Confidential.",
};

async function created(seller: Caller, body: object = complete): Promise<{ id: string }> {
	const res = await call(seller, "/api/v1/listings", jsonBody("POST", body));
	expect(res.status, await res.clone().text()).toBe(201);
	return (await expectDeclared(r.createListing, res)) as { id: string };
}

async function published(seller: Caller): Promise<{ id: string }> {
	const listing = await created(seller);
	const res = await call(seller, `/api/v1/listings/${listing.id}/publish`, { method: "POST" });
	expect(res.status).toBe(200);
	await expectDeclared(r.publishListing, res);
	return listing;
}

async function approve(listingId: string, seller: Caller, buyer: Caller) {
	const now = new Date().toISOString();
	await bindings.DB.prepare(
		`INSERT INTO access_requests (id, listing_id, buyer_tenant_id, seller_tenant_id, buyer_user_id, status,
		   nda_version, nda_accepted_at, created_at, updated_at)
		 VALUES (?, ?, ?, ?, ?, 'approved', 1, ?, ?, ?)`,
	)
		.bind(newId("acr"), listingId, buyer.tenantId, seller.tenantId, buyer.userId, now, now, now)
		.run();
}

describe("the listings contract", () => {
	it("declares each route's policy as the access matrix has it", () => {
		for (const route of Object.values(listingsRoutes)) {
			const rule = accessMatrix.find(
				(candidate) => candidate.method === route.method.toUpperCase() && candidate.path === routingPath(route),
			);
			expect(rule, route.operationId).toBeDefined();
			expect([...policyOf(route).allow], route.operationId).toEqual([...(rule?.allow ?? [])]);
			expect(policyOf(route).note, route.operationId).toBe(rule?.note);
			expect(policyOf(route).servedBy).toBe("user");
		}
	});

	it("answers create, read, patch, publish and archive in the declared shapes", async () => {
		const seller = await callerOf("seller");
		const listing = await created(seller);
		const own = await call(seller, `/api/v1/listings/${listing.id}`);
		expect(await expectDeclared(r.getListing, own)).toMatchObject({ confidential: { legal_name: "Vetly Ltd" } });
		const patched = await call(seller, `/api/v1/listings/${listing.id}`, jsonBody("PATCH", { title: "Renamed" }));
		expect(patched.status).toBe(200);
		expect(await expectDeclared(r.updateListing, patched)).toMatchObject({ title: "Renamed" });
		const publish = await call(seller, `/api/v1/listings/${listing.id}/publish`, { method: "POST" });
		expect(await expectDeclared(r.publishListing, publish)).toMatchObject({ status: "active" });
		const archived = await call(seller, `/api/v1/listings/${listing.id}`, { method: "DELETE" });
		expect(archived.status).toBe(204);
		await expectDeclared(r.archiveListing, archived);
	});

	it("gives guests the public shape and signed-in callers the view, confidential only where allowed", async () => {
		const seller = await callerOf("seller");
		const { id } = await published(seller);
		const approved = await callerOf("buyer");
		await approve(id, seller, approved);

		const guest = await expectDeclared(r.getListing, await call(await callerOf("guest"), `/api/v1/listings/${id}`));
		expect(publicListing.safeParse(guest).success).toBe(true);
		expect(guest).not.toHaveProperty("nda");

		const stranger = await expectDeclared(r.getListing, await call(await callerOf("buyer"), `/api/v1/listings/${id}`));
		expect(listingView.safeParse(stranger).success).toBe(true);
		expect(stranger).not.toHaveProperty("confidential");

		for (const caller of [seller, approved, await callerOf("admin")]) {
			const view = await expectDeclared(r.getListing, await call(caller, `/api/v1/listings/${id}`));
			expect(view, caller.role).toMatchObject({ confidential: { legal_name: "Vetly Ltd" } });
		}
	});

	it("answers browse and the seller's own list as declared pages", async () => {
		const seller = await callerOf("seller");
		await published(seller);
		await created(seller);
		for (const caller of [await callerOf("guest"), seller]) {
			const page = await expectDeclared(r.browseListings, await call(caller, "/api/v1/listings?limit=5"));
			expect((page as { items: unknown[] }).items.length).toBeGreaterThan(0);
		}
		const mine = await expectDeclared(r.listOwnListings, await call(seller, "/api/v1/listings/mine?limit=1"));
		expect(mine).toMatchObject({ items: [expect.any(Object)], next_cursor: expect.any(String) });
	});

	it("answers a guest's matching If-None-Match with a declared, bodiless 304", async () => {
		const seller = await callerOf("seller");
		const { id } = await published(seller);
		const guest = await callerOf("guest");
		const first = await call(guest, `/api/v1/listings/${id}`);
		const etag = first.headers.get("ETag") ?? "";
		const again = await call(guest, `/api/v1/listings/${id}`, { headers: { "If-None-Match": etag } });
		expect(again.status).toBe(304);
		await expectDeclared(r.getListing, again);
		const page = await call(guest, "/api/v1/listings?limit=1");
		const repeat = await call(guest, "/api/v1/listings?limit=1", {
			headers: { "If-None-Match": page.headers.get("ETag") ?? "" },
		});
		expect(repeat.status).toBe(304);
		await expectDeclared(r.browseListings, repeat);
	});

	it("answers refusals with declared problems", async () => {
		const seller = await callerOf("seller");
		const { id } = await published(seller);
		const archived = await created(seller);
		await call(seller, `/api/v1/listings/${archived.id}`, { method: "DELETE" });
		const cases: [ContractRoute, Caller, string, RequestInit | undefined, number][] = [
			[r.browseListings, seller, "/api/v1/listings?limit=0", undefined, 400],
			[r.listOwnListings, seller, "/api/v1/listings/mine?status=gone", undefined, 400],
			[r.createListing, seller, "/api/v1/listings", jsonBody("POST", { title: "" }), 400],
			[r.createListing, seller, "/api/v1/listings", { method: "POST", body: "{}" }, 415],
			[r.getListing, seller, `/api/v1/listings/${newId("lst")}`, undefined, 404],
			[r.updateListing, seller, `/api/v1/listings/${archived.id}`, jsonBody("PATCH", { title: "Back" }), 409],
			[r.updateListing, seller, `/api/v1/listings/${id}`, jsonBody("PATCH", {}), 400],
			[r.publishListing, seller, `/api/v1/listings/${archived.id}/publish`, { method: "POST" }, 409],
			[r.archiveListing, await callerOf("seller"), `/api/v1/listings/${id}`, { method: "DELETE" }, 404],
		];
		for (const [route, caller, path, init, status] of cases) {
			const res = await call(caller, path, init);
			expect(res.status, `${route.operationId} ${path}`).toBe(status);
			expect(res.headers.get("Content-Type")).toBe("application/problem+json");
			expect(await expectDeclared(route, res)).toMatchObject({ status });
		}
	});
});

describe("currency", () => {
	it("accepts a lower-case code, and stores and returns it upper-case", async () => {
		const seller = await callerOf("seller");
		const listing = (await created(seller, { ...complete, currency: "usd" })) as { id: string; currency: string };
		expect(listing.currency).toBe("USD");
		const row = await bindings.DB.prepare("SELECT currency FROM listings WHERE id = ?")
			.bind(listing.id)
			.first<{ currency: string }>();
		expect(row?.currency).toBe("USD");
		const patched = await call(seller, `/api/v1/listings/${listing.id}`, jsonBody("PATCH", { currency: "eur" }));
		expect(await expectDeclared(r.updateListing, patched)).toMatchObject({ currency: "EUR" });
	});

	it("refuses a code that is not three letters, naming the field", async () => {
		const seller = await callerOf("seller");
		for (const currency of ["us", "usd1", "€€€"]) {
			const res = await call(seller, "/api/v1/listings", jsonBody("POST", { ...complete, currency }));
			expect(res.status, currency).toBe(400);
			const body = (await res.json()) as { errors: { field: string }[] };
			expect(body.errors.map((error) => error.field)).toEqual(["currency"]);
		}
	});
});

describe("read-only and unknown fields", () => {
	it("names each read-only field, and only those, even beside other errors", async () => {
		const seller = await callerOf("seller");
		const { id } = await created(seller);
		const sets = { title: 42, status: "active", seller_tenant_id: "seller_evil" };
		for (const [path, method] of [
			["/api/v1/listings", "POST"],
			[`/api/v1/listings/${id}`, "PATCH"],
		] as const) {
			const res = await call(seller, path, jsonBody(method, sets));
			expect(res.status, method).toBe(400);
			expect(await res.json()).toMatchObject({
				status: 400,
				detail: "The body sets read-only fields.",
				errors: [
					{ field: "status", message: "is read-only" },
					{ field: "seller_tenant_id", message: "is read-only" },
				],
			});
		}
	});

	it("refuses an unknown field as the strict schema does", async () => {
		const seller = await callerOf("seller");
		const { id } = await created(seller);
		const res = await call(seller, `/api/v1/listings/${id}`, jsonBody("PATCH", { title: "Ok", colour: "red" }));
		expect(res.status).toBe(400);
		const body = (await res.json()) as { detail: string; errors: { field: string; message: string }[] };
		expect(body.detail).toBe("The request body is not valid.");
		expect(body.errors).toEqual([{ field: "(body)", message: expect.stringContaining("colour") }]);
	});

	it("checks the path before the body", async () => {
		const seller = await callerOf("seller");
		const res = await call(seller, "/api/v1/listings/lst_nope", jsonBody("PATCH", { status: "active" }));
		expect(res.status).toBe(400);
		expect(((await res.json()) as { detail: string }).detail).toBe("The path is not valid.");
	});
});
