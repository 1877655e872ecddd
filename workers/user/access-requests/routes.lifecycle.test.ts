/** An access request's life: asking under the listing's NDA, and the seller's approve, decline and revoke. */
import { describe, expect, it } from "vitest";
import { newId } from "../../../shared/encoding.ts";
import {
	type AccessRequest,
	ask,
	decide,
	listing,
	pendingRequest,
	problem,
	requestsFor,
	tenant,
} from "./routes.test.helpers.ts";

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
			buyer_tenant_id: buyer.tenantId,
			seller_tenant_id: seller.tenantId,
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
		expect(await requestsFor(listingId)).toEqual([{ status: "pending", buyer_user_id: buyer.userId }]);
	});

	it("lets an investor ask for access", async () => {
		const seller = await tenant("seller");
		const investor = await tenant("investor");
		const listingId = await listing(seller);
		const res = await ask(investor, listingId);
		expect(res.status).toBe(201);
		expect(((await res.json()) as AccessRequest).buyer_tenant_id).toBe(investor.tenantId);
	});

	it("answers a repeat after a decision with the decided request, unchanged", async () => {
		const { seller, buyer, listingId, id } = await pendingRequest();
		expect((await decide(seller, id, "decline")).status).toBe(200);
		const res = await ask(buyer, listingId);
		expect(res.status).toBe(200);
		expect(((await res.json()) as AccessRequest).status).toBe("declined");
		expect(await requestsFor(listingId)).toEqual([{ status: "declined", buyer_user_id: buyer.userId }]);
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
		expect(await requestsFor(listingId)).toEqual([{ status: "approved", buyer_user_id: buyer.userId }]);
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
		expect(await requestsFor(listingId)).toEqual([{ status: "pending", buyer_user_id: buyer.userId }]);
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
		expect(await requestsFor(listingId)).toEqual([{ status: "declined", buyer_user_id: buyer.userId }]);
	});

	it("refuses to decline an approved request", async () => {
		const { seller, id, listingId, buyer } = await pendingRequest();
		expect((await decide(seller, id, "approve")).status).toBe(200);
		const res = await decide(seller, id, "decline");
		expect(res.status).toBe(409);
		expect((await problem(res)).detail).toContain("revoke");
		expect(await requestsFor(listingId)).toEqual([{ status: "approved", buyer_user_id: buyer.userId }]);
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
		expect(await requestsFor(listingId)).toEqual([{ status: "revoked", buyer_user_id: buyer.userId }]);
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
		expect(await requestsFor(listingId)).toEqual([{ status: "pending", buyer_user_id: buyer.userId }]);
	});
});
