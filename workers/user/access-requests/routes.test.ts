import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessMatrix } from "../../../shared/access/matrix.ts";
import { type ContractRoute, policyOf, responseSchema, routingPath } from "../../../shared/contract/policy.ts";
import { accessRequestsRoutes } from "../../../shared/contract/routes/access-requests.ts";
import { newId } from "../../../shared/encoding.ts";
import { HEADER, type Role, signTenantContext, type TenantContext } from "../../../shared/tenant-context.ts";
import { listingInsert, tenantInsert } from "../../../test/support/listings.ts";

const bindings = env as unknown as UserEnv;
const worker = (exports as unknown as { default: Fetcher }).default;

interface Caller {
	role: Role;
	tenant: string;
	user: string;
}

interface AccessRequest {
	id: string;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	status: string;
	message: string | null;
	nda_version: number;
	nda_accepted_at: string;
	decided_at: string | null;
	created_at: string;
	updated_at: string;
}

interface Page {
	items: AccessRequest[];
	next_cursor: string | null;
}

type ListingStatus = "draft" | "active" | "under_offer" | "sold" | "archived";

function context(caller: Caller): TenantContext {
	return {
		request_id: crypto.randomUUID(),
		tenant_id: caller.tenant,
		user_id: caller.user,
		role: caller.role,
		client_ip: "203.0.113.9",
		actor_tenant_id: null,
		issued_at: Date.now(),
	};
}

async function call(method: string, path: string, caller: Caller, body?: unknown): Promise<Response> {
	const headers = new Headers({ [HEADER]: await signTenantContext(context(caller), bindings.TENANT_CONTEXT_SECRET) });
	const init: RequestInit = { method, headers };
	if (body !== undefined) {
		headers.set("Content-Type", "application/json");
		init.body = JSON.stringify(body);
	}
	return worker.fetch(`https://techflunky.com${path}`, init);
}

async function run(statements: { sql: string; values: (string | number | null)[] }[]) {
	await bindings.DB.batch(statements.map(({ sql, values }) => bindings.DB.prepare(sql).bind(...values)));
}

/** A tenant of `role` with one user, stored, and unique to the calling test. */
async function tenant(role: "seller" | "buyer" | "investor" | "admin"): Promise<Caller> {
	const caller = { role, tenant: newId(role), user: newId("usr") };
	await run([tenantInsert(caller.tenant, role)]);
	return caller;
}

async function listing(seller: Caller, status: ListingStatus = "active", ndaVersion = 1): Promise<string> {
	const id = newId("lst");
	await run([
		listingInsert({ id, seller_tenant_id: seller.tenant, title: `Listing ${id}`, status }),
		{ sql: "UPDATE listings SET nda_version = ?, nda_text = 'Keep it secret.' WHERE id = ?", values: [ndaVersion, id] },
	]);
	return id;
}

const ask = (buyer: Caller, listingId: string, body: unknown = { accept_nda: true, nda_version: 1 }) =>
	call("POST", `/api/v1/listings/${listingId}/access-requests`, buyer, body);

const decide = (seller: Caller, id: string, decision: "approve" | "decline" | "revoke") =>
	call("POST", `/api/v1/access-requests/${id}/${decision}`, seller);

async function requestsFor(listingId: string): Promise<{ status: string; buyer_user_id: string }[]> {
	const { results } = await bindings.DB.prepare(
		"SELECT status, buyer_user_id FROM access_requests WHERE listing_id = ?",
	)
		.bind(listingId)
		.all<{ status: string; buyer_user_id: string }>();
	return results;
}

/** A seller with an active listing and a buyer whose pending request for it exists. */
async function pendingRequest(): Promise<{ seller: Caller; buyer: Caller; listingId: string; id: string }> {
	const seller = await tenant("seller");
	const buyer = await tenant("buyer");
	const listingId = await listing(seller);
	const res = await ask(buyer, listingId);
	expect(res.status).toBe(201);
	return { seller, buyer, listingId, id: ((await res.json()) as AccessRequest).id };
}

async function problem(res: Response): Promise<{ status: number; detail: string; errors?: { field: string }[] }> {
	expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	return (await res.json()) as { status: number; detail: string; errors?: { field: string }[] };
}

describe("POST /api/v1/listings/:id/access-requests", () => {
	it("creates a pending request under the listing's NDA, then answers a repeat with the same request", async () => {
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const listingId = await listing(seller, "active", 4);

		const first = await ask(buyer, listingId, { accept_nda: true, nda_version: 4, message: "  Serious buyer.  " });
		expect(first.status).toBe(201);
		const created = (await first.json()) as AccessRequest;
		expect(created).toMatchObject({
			listing_id: listingId,
			buyer_tenant_id: buyer.tenant,
			seller_tenant_id: seller.tenant,
			status: "pending",
			message: "Serious buyer.",
			nda_version: 4,
			decided_at: null,
		});
		expect(created.id).toMatch(/^acr_[0-9a-f]{32}$/);
		expect(Date.parse(created.nda_accepted_at)).not.toBeNaN();
		expect(Object.keys(created).sort()).toEqual(
			[
				"id",
				"listing_id",
				"buyer_tenant_id",
				"seller_tenant_id",
				"status",
				"message",
				"nda_version",
				"nda_accepted_at",
				"decided_at",
				"created_at",
				"updated_at",
			].sort(),
		);

		const again = await ask(buyer, listingId, { accept_nda: true, nda_version: 4, message: "Another try" });
		expect(again.status).toBe(200);
		expect(await again.json()).toEqual(created);
		expect(await requestsFor(listingId)).toEqual([{ status: "pending", buyer_user_id: buyer.user }]);
	});

	it("lets an investor ask for access", async () => {
		const seller = await tenant("seller");
		const investor = await tenant("investor");
		const listingId = await listing(seller);
		const res = await ask(investor, listingId);
		expect(res.status).toBe(201);
		expect(((await res.json()) as AccessRequest).buyer_tenant_id).toBe(investor.tenant);
	});

	it("answers a repeat after a decision with the decided request, unchanged", async () => {
		const { seller, buyer, listingId, id } = await pendingRequest();
		expect((await decide(seller, id, "decline")).status).toBe(200);
		const res = await ask(buyer, listingId);
		expect(res.status).toBe(200);
		expect(((await res.json()) as AccessRequest).status).toBe("declined");
		expect(await requestsFor(listingId)).toEqual([{ status: "declined", buyer_user_id: buyer.user }]);
	});

	it.each([
		["accept_nda false", { accept_nda: false, nda_version: 1 }, "accept_nda"],
		["accept_nda missing", { nda_version: 1 }, "accept_nda"],
		["accept_nda as a string", { accept_nda: "true", nda_version: 1 }, "accept_nda"],
		["nda_version missing", { accept_nda: true }, "nda_version"],
		["nda_version not an integer", { accept_nda: true, nda_version: 1.5 }, "nda_version"],
		["a message over 2000 characters", { accept_nda: true, nda_version: 1, message: "x".repeat(2001) }, "message"],
		["an unknown field", { accept_nda: true, nda_version: 1, status: "approved" }, "(body)"],
		["a smuggled seller", { accept_nda: true, nda_version: 1, seller_tenant_id: "seller_x" }, "(body)"],
	])("refuses %s with 400 and writes nothing", async (_, body, field) => {
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const listingId = await listing(seller);
		const res = await ask(buyer, listingId, body);
		expect(res.status).toBe(400);
		expect((await problem(res)).errors?.map((error) => error.field)).toContain(field);
		expect(await requestsFor(listingId)).toEqual([]);
	});

	it("refuses a stale NDA version with 409 naming the current one, and accepts the current one", async () => {
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const listingId = await listing(seller, "active", 3);

		const stale = await ask(buyer, listingId, { accept_nda: true, nda_version: 2 });
		expect(stale.status).toBe(409);
		const body = await problem(stale);
		expect(body.detail).toContain("NDA changed");
		expect(body.detail).toContain("3");
		expect(await requestsFor(listingId)).toEqual([]);

		expect((await ask(buyer, listingId, { accept_nda: true, nda_version: 3 })).status).toBe(201);
	});

	it.each(["draft", "archived"] as const)("answers 404 for a %s listing and writes nothing", async (status) => {
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const listingId = await listing(seller, status);
		const res = await ask(buyer, listingId);
		expect(res.status).toBe(404);
		await problem(res);
		expect(await requestsFor(listingId)).toEqual([]);
	});

	it("answers 404 for an unknown listing and 400 for a malformed id", async () => {
		const buyer = await tenant("buyer");
		expect((await ask(buyer, newId("lst"))).status).toBe(404);
		expect((await ask(buyer, "lst_nope")).status).toBe(400);
	});

	it.each(["under_offer", "sold"] as const)("answers 409 for a listing that is %s", async (status) => {
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const listingId = await listing(seller, status);
		const res = await ask(buyer, listingId);
		expect(res.status).toBe(409);
		expect((await problem(res)).detail).toContain("no longer taking access requests");
		expect(await requestsFor(listingId)).toEqual([]);
	});

	it("refuses a request for the caller's own tenant's listing", async () => {
		const buyer = await tenant("buyer");
		const listingId = await listing(buyer);
		const res = await ask(buyer, listingId);
		expect(res.status).toBe(409);
		expect((await problem(res)).detail).toContain("your own listing");
		expect(await requestsFor(listingId)).toEqual([]);
	});
});

describe("POST /api/v1/access-requests/:id/approve, /decline, /revoke", () => {
	it("lets the listing's seller approve a pending request, and a repeat changes nothing", async () => {
		const { seller, id, listingId, buyer } = await pendingRequest();
		const res = await decide(seller, id, "approve");
		expect(res.status).toBe(200);
		const approved = (await res.json()) as AccessRequest;
		expect(approved).toMatchObject({ id, status: "approved" });
		expect(approved.decided_at).not.toBeNull();

		const again = await decide(seller, id, "approve");
		expect(again.status).toBe(200);
		expect(await again.json()).toEqual(approved);
		expect(await requestsFor(listingId)).toEqual([{ status: "approved", buyer_user_id: buyer.user }]);
	});

	it("answers 404 to another seller and to the buyer, and changes nothing", async () => {
		const { buyer, id, listingId } = await pendingRequest();
		const other = await tenant("seller");
		for (const decision of ["approve", "decline", "revoke"] as const) {
			const byOther = await decide(other, id, decision);
			expect(byOther.status).toBe(404);
			await problem(byOther);
			expect((await decide(buyer, id, decision)).status).toBe(404);
		}
		expect(await requestsFor(listingId)).toEqual([{ status: "pending", buyer_user_id: buyer.user }]);
	});

	it("answers 404 for an unknown request and 400 for a malformed id", async () => {
		const seller = await tenant("seller");
		expect((await decide(seller, newId("acr"), "approve")).status).toBe(404);
		expect((await decide(seller, "acr_1", "approve")).status).toBe(400);
	});

	it("refuses to approve a declined request, and a repeated decline changes nothing", async () => {
		const { seller, id, listingId, buyer } = await pendingRequest();
		const declined = await decide(seller, id, "decline");
		expect(declined.status).toBe(200);
		const body = (await declined.json()) as AccessRequest;
		expect(body.status).toBe("declined");

		const approve = await decide(seller, id, "approve");
		expect(approve.status).toBe(409);
		await problem(approve);
		const again = await decide(seller, id, "decline");
		expect(again.status).toBe(200);
		expect(await again.json()).toEqual(body);
		expect(await requestsFor(listingId)).toEqual([{ status: "declined", buyer_user_id: buyer.user }]);
	});

	it("refuses to decline an approved request", async () => {
		const { seller, id, listingId, buyer } = await pendingRequest();
		expect((await decide(seller, id, "approve")).status).toBe(200);
		const res = await decide(seller, id, "decline");
		expect(res.status).toBe(409);
		expect((await problem(res)).detail).toContain("revoke");
		expect(await requestsFor(listingId)).toEqual([{ status: "approved", buyer_user_id: buyer.user }]);
	});

	it("revokes an approved request, after which it can be neither approved nor declined", async () => {
		const { seller, id, listingId, buyer } = await pendingRequest();
		const approved = (await (await decide(seller, id, "approve")).json()) as AccessRequest;
		const res = await decide(seller, id, "revoke");
		expect(res.status).toBe(200);
		const revoked = (await res.json()) as AccessRequest;
		expect(revoked.status).toBe("revoked");
		expect(revoked.updated_at >= approved.updated_at).toBe(true);

		expect((await decide(seller, id, "approve")).status).toBe(409);
		expect((await decide(seller, id, "decline")).status).toBe(409);
		const again = await decide(seller, id, "revoke");
		expect(again.status).toBe(200);
		expect(await again.json()).toEqual(revoked);
		expect(await requestsFor(listingId)).toEqual([{ status: "revoked", buyer_user_id: buyer.user }]);
	});

	it("revokes a declined request", async () => {
		const { seller, id } = await pendingRequest();
		expect((await decide(seller, id, "decline")).status).toBe(200);
		const res = await decide(seller, id, "revoke");
		expect(res.status).toBe(200);
		expect(((await res.json()) as AccessRequest).status).toBe("revoked");
	});

	it("refuses to revoke a pending request", async () => {
		const { seller, id, listingId, buyer } = await pendingRequest();
		const res = await decide(seller, id, "revoke");
		expect(res.status).toBe(409);
		expect((await problem(res)).detail).toContain("decline");
		expect(await requestsFor(listingId)).toEqual([{ status: "pending", buyer_user_id: buyer.user }]);
	});
});

describe("GET /api/v1/access-requests", () => {
	const list = async (caller: Caller, query = "") => {
		const res = await call("GET", `/api/v1/access-requests${query}`, caller);
		expect(res.status).toBe(200);
		return (await res.json()) as Page;
	};

	it("shows sellers the requests for their listings, buyers their own, and admins all", async () => {
		const sellerA = await tenant("seller");
		const sellerB = await tenant("seller");
		const buyer1 = await tenant("buyer");
		const buyer2 = await tenant("investor");
		const listingA = await listing(sellerA);
		const listingB = await listing(sellerB);
		const ids = new Map<string, string>();
		for (const [buyer, listingId] of [
			[buyer1, listingA],
			[buyer2, listingA],
			[buyer1, listingB],
		] as const) {
			const res = await ask(buyer, listingId);
			ids.set(`${buyer.tenant}/${listingId}`, ((await res.json()) as AccessRequest).id);
		}
		const idOf = (buyer: Caller, listingId: string) => ids.get(`${buyer.tenant}/${listingId}`);
		const seen = async (caller: Caller, query = "") => (await list(caller, query)).items.map((item) => item.id).sort();

		expect(await seen(sellerA)).toEqual([idOf(buyer1, listingA), idOf(buyer2, listingA)].sort());
		expect(await seen(sellerB)).toEqual([idOf(buyer1, listingB)]);
		expect(await seen(buyer1)).toEqual([idOf(buyer1, listingA), idOf(buyer1, listingB)].sort());
		expect(await seen(buyer2)).toEqual([idOf(buyer2, listingA)]);
		expect(await seen(await tenant("seller"))).toEqual([]);

		const admin = await tenant("admin");
		expect(await seen(admin, `?listing_id=${listingA}`)).toEqual(
			[idOf(buyer1, listingA), idOf(buyer2, listingA)].sort(),
		);
		// A seller's filter cannot widen the view to another seller's listing.
		expect(await seen(sellerA, `?listing_id=${listingB}`)).toEqual([]);
	});

	it("filters by status and listing", async () => {
		const { seller, id } = await pendingRequest();
		const { id: other, listingId: otherListing } = await (async () => {
			const buyer = await tenant("buyer");
			const listingId = await listing(seller);
			const res = await ask(buyer, listingId);
			return { id: ((await res.json()) as AccessRequest).id, listingId };
		})();
		expect((await decide(seller, id, "approve")).status).toBe(200);

		expect((await list(seller, "?status=approved")).items.map((item) => item.id)).toEqual([id]);
		expect((await list(seller, "?status=pending")).items.map((item) => item.id)).toEqual([other]);
		expect((await list(seller, `?listing_id=${otherListing}`)).items.map((item) => item.id)).toEqual([other]);
	});

	it("pages newest first without gaps or repeats", async () => {
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const base = Date.UTC(2026, 0, 1);
		const rows: { id: string; created_at: string }[] = [];
		const statements: { sql: string; values: (string | number | null)[] }[] = [];
		for (let i = 0; i < 7; i++) {
			const listingId = await listing(seller);
			// Two requests share a timestamp, so the id must break the tie.
			const createdAt = new Date(base + Math.min(i, 5) * 60_000).toISOString();
			const id = newId("acr");
			rows.push({ id, created_at: createdAt });
			statements.push({
				sql: `INSERT INTO access_requests (id, listing_id, buyer_tenant_id, seller_tenant_id, buyer_user_id, status,
				        message, nda_version, nda_accepted_at, created_at, updated_at)
				      VALUES (?, ?, ?, ?, ?, 'pending', '', 1, ?, ?, ?)`,
				values: [id, listingId, buyer.tenant, seller.tenant, buyer.user, createdAt, createdAt, createdAt],
			});
		}
		await run(statements);
		const expected = rows
			.sort((a, b) =>
				a.created_at === b.created_at ? b.id.localeCompare(a.id) : b.created_at.localeCompare(a.created_at),
			)
			.map((row) => row.id);

		for (const caller of [seller, buyer]) {
			const seen: string[] = [];
			let cursor: string | null = null;
			let pages = 0;
			do {
				const page: Page = await list(caller, `?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
				expect(page.items.length).toBeLessThanOrEqual(3);
				seen.push(...page.items.map((item) => item.id));
				cursor = page.next_cursor;
				pages++;
			} while (cursor && pages < 10);
			expect(pages).toBe(3);
			expect(seen).toEqual(expected);
		}
	});

	it.each([
		["limit=0", "limit"],
		["limit=101", "limit"],
		["status=maybe", "status"],
		["listing_id=lst_1", "listing_id"],
		["cursor=not-a-cursor", "cursor"],
		["buyer_tenant_id=buyer_x", "(body)"],
	])("answers %s with a 400 problem naming the field", async (query, field) => {
		const res = await call("GET", `/api/v1/access-requests?${query}`, await tenant("seller"));
		expect(res.status).toBe(400);
		expect((await problem(res)).errors?.map((error) => error.field)).toContain(field);
	});
});

describe("the access-request routes' contract", () => {
	/** Asserts `res` is an answer `route` declares, its JSON body of the declared schema; returns the body. */
	async function declared(route: ContractRoute, res: Response): Promise<unknown> {
		expect(Object.keys(route.responses), `${route.operationId} declares ${res.status}`).toContain(String(res.status));
		const schema = responseSchema(route, res.status);
		expect(schema, `${route.operationId} ${res.status} has a JSON schema`).not.toBeNull();
		const body = await res.json();
		const parsed = schema?.safeParse(body);
		expect(parsed?.error?.issues ?? [], `${route.operationId} ${res.status}`).toEqual([]);
		return body;
	}

	it("declares each route's policy as the access matrix has it", () => {
		for (const route of Object.values(accessRequestsRoutes)) {
			const rule = accessMatrix.find(
				(candidate) => candidate.method === route.method.toUpperCase() && candidate.path === routingPath(route),
			);
			expect(rule, `${route.method} ${route.path}`).toBeDefined();
			expect(policyOf(route).allow).toEqual(rule?.allow);
			expect(policyOf(route).note).toBe(rule?.note);
			expect(policyOf(route).servedBy).toBe("user");
		}
	});

	it("answers creating and asking again with bodies of the declared schemas", async () => {
		const route = accessRequestsRoutes.createAccessRequest;
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const listingId = await listing(seller, "active", 2);
		const created = await declared(route, await ask(buyer, listingId, { accept_nda: true, nda_version: 2 }));
		expect(created).toMatchObject({ status: "pending", message: null });
		await declared(route, await ask(buyer, listingId, { accept_nda: true, nda_version: 2 }));
		await declared(route, await ask(buyer, listingId, { accept_nda: false, nda_version: 2 }));
		await declared(route, await ask(buyer, newId("lst")));
		await declared(route, await ask(await tenant("investor"), listingId, { accept_nda: true, nda_version: 1 }));
	});

	it("answers a body that is not JSON with 415 and malformed JSON with 400, both problems, writing nothing", async () => {
		const route = accessRequestsRoutes.createAccessRequest;
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const listingId = await listing(seller);
		const send = async (type: string, body: string) => {
			const headers = new Headers({
				[HEADER]: await signTenantContext(context(buyer), bindings.TENANT_CONTEXT_SECRET),
				"Content-Type": type,
			});
			return worker.fetch(`https://techflunky.com/api/v1/listings/${listingId}/access-requests`, {
				method: "POST",
				headers,
				body,
			});
		};
		const text = await send("text/plain", JSON.stringify({ accept_nda: true, nda_version: 1 }));
		expect(text.status).toBe(415);
		await declared(route, text);
		const malformed = await send("application/json", "{ accept_nda: true");
		expect(malformed.status).toBe(400);
		await declared(route, malformed);
		expect(await requestsFor(listingId)).toEqual([]);
	});

	it("answers the decisions with bodies of the declared schemas", async () => {
		const { seller, buyer, id } = await pendingRequest();
		const { approveAccessRequest, declineAccessRequest, revokeAccessRequest } = accessRequestsRoutes;
		expect(await declared(approveAccessRequest, await decide(seller, id, "approve"))).toMatchObject({
			status: "approved",
		});
		await declared(approveAccessRequest, await decide(seller, id, "approve"));
		await declared(declineAccessRequest, await decide(seller, id, "decline"));
		expect(await declared(revokeAccessRequest, await decide(seller, id, "revoke"))).toMatchObject({
			status: "revoked",
		});
		await declared(declineAccessRequest, await decide(buyer, id, "decline"));
		await declared(revokeAccessRequest, await decide(seller, "acr_1", "revoke"));
	});

	it("answers listing with pages of the declared schema, and a bad query with a declared problem", async () => {
		const route = accessRequestsRoutes.listAccessRequests;
		const { seller, buyer } = await pendingRequest();
		for (const caller of [seller, buyer, await tenant("admin")]) {
			const page = await declared(route, await call("GET", "/api/v1/access-requests?limit=1", caller));
			expect((page as Page).items.length).toBeLessThanOrEqual(1);
		}
		await declared(route, await call("GET", "/api/v1/access-requests?limit=0", seller));
	});
});
