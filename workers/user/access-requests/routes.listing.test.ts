/** Listing access requests (who sees which, filters, pages), and the routes' declared policies and bodies. */
import { describe, expect, it } from "vitest";
import { accessMatrix } from "../../../shared/access/matrix.ts";
import { type ContractRoute, policyOf, responseSchema, routingPath } from "../../../shared/contract/policy.ts";
import { accessRequestsRoutes } from "../../../shared/contract/routes/access-requests.ts";
import { newId } from "../../../shared/encoding.ts";
import { HEADER, signTenantContext } from "../../../shared/tenant-context.ts";
import { contextOf } from "../../../test/support/user-worker.ts";
import {
	type AccessRequest,
	ask,
	bindings,
	call,
	decide,
	listing,
	type Member,
	type Page,
	pendingRequest,
	problem,
	requestsFor,
	run,
	tenant,
	worker,
} from "./routes.test.helpers.ts";

describe("GET /api/v1/access-requests", () => {
	const list = async (caller: Member, query = "") => {
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
			ids.set(`${buyer.tenantId}/${listingId}`, ((await res.json()) as AccessRequest).id);
		}
		const idOf = (buyer: Member, listingId: string) => ids.get(`${buyer.tenantId}/${listingId}`);
		const seen = async (caller: Member, query = "") => (await list(caller, query)).items.map((item) => item.id).sort();

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
				values: [id, listingId, buyer.tenantId, seller.tenantId, buyer.userId, createdAt, createdAt, createdAt],
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
				[HEADER]: await signTenantContext(contextOf(buyer), bindings.TENANT_CONTEXT_SECRET),
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
