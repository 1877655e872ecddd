import { describe, expect, it } from "vitest";
import { checkAccess } from "../../../shared/access/matrix.ts";
import { hexId, listingInsert } from "../../../test/support/listings.ts";
import { type Caller, newCaller, runStatements } from "../../../test/support/user-worker.ts";
import { bindings, call, callerOf } from "../listings/routes.test.helpers.ts";

const GUEST = newCaller("guest");

interface Page {
	items: { id: string }[];
	next_cursor: string | null;
}

let serial = 0;
async function listingOf(seller: Caller, status: "draft" | "active" | "under_offer" = "active"): Promise<string> {
	serial += 1;
	const id = hexId("lst", 0xfea000 + serial);
	await runStatements(bindings.DB, [
		listingInsert({ id, seller_tenant_id: seller.tenantId ?? "", title: `Featurable ${serial}`, status }),
	]);
	return id;
}

const feature = (caller: Caller, id: string) =>
	call(caller, `/api/v1/admin/listings/${id}/featured`, { method: "PUT" });
const unfeature = (caller: Caller, id: string) =>
	call(caller, `/api/v1/admin/listings/${id}/featured`, { method: "DELETE" });
const featuredIds = async () =>
	((await (await call(GUEST, "/api/v1/listings?featured=true&limit=100")).json()) as Page).items.map((item) => item.id);

/** The audit records written for `listingId`, by action. */
async function audits(listingId: string): Promise<string[]> {
	const { results } = await bindings.DB.prepare(
		`SELECT json_extract(body, '$.action') AS action FROM outbox
		 WHERE json_extract(body, '$.kind') = 'audit.record' AND json_extract(body, '$.detail.listing_id') = ?
		 ORDER BY created_at, rowid`,
	)
		.bind(listingId)
		.all<{ action: string }>();
	return results.map((row) => row.action);
}

describe("featuring listings", () => {
	it("lets an admin feature an active listing, which browse then lists under featured=true", async () => {
		const [admin, seller] = await Promise.all([callerOf("admin"), callerOf("seller")]);
		const [chosen, other] = [await listingOf(seller), await listingOf(seller)];
		const res = await feature(admin, chosen);
		expect(res.status).toBe(200);
		const body = (await res.json()) as { listing_id: string; featured_at: string };
		expect(body.listing_id).toBe(chosen);
		expect(Date.parse(body.featured_at)).not.toBeNaN();
		const featured = await featuredIds();
		expect(featured).toContain(chosen);
		expect(featured).not.toContain(other);
		expect(await audits(chosen)).toEqual(["admin.listing_featured"]);
	});

	it("keeps the first featured_at when featured again, and audits it once", async () => {
		const admin = await callerOf("admin");
		const id = await listingOf(await callerOf("seller"));
		const first = (await (await feature(admin, id)).json()) as { featured_at: string };
		const again = await feature(admin, id);
		expect(again.status).toBe(200);
		expect(((await again.json()) as { featured_at: string }).featured_at).toBe(first.featured_at);
		expect(await audits(id)).toEqual(["admin.listing_featured"]);
	});

	it("refuses to feature a listing that is not active (409) and answers an unknown one 404", async () => {
		const admin = await callerOf("admin");
		const seller = await callerOf("seller");
		const draft = await listingOf(seller, "draft");
		const res = await feature(admin, draft);
		expect(res.status).toBe(409);
		expect(((await res.json()) as { detail: string }).detail).toBe(
			"Only an active listing can be featured; this one is draft.",
		);
		expect(await featuredIds()).not.toContain(draft);
		expect((await feature(admin, hexId("lst", 0xdead))).status).toBe(404);
		expect((await unfeature(admin, hexId("lst", 0xdead))).status).toBe(404);
		expect((await feature(admin, "lst_nope")).status).toBe(400);
		expect(await audits(draft)).toEqual([]);
	});

	it("lists a featured listing only while it is active", async () => {
		const admin = await callerOf("admin");
		const id = await listingOf(await callerOf("seller"));
		await feature(admin, id);
		await bindings.DB.prepare("UPDATE listings SET status = 'under_offer' WHERE id = ?").bind(id).run();
		expect(await featuredIds()).not.toContain(id);
		// Featuring it again now is the 409 of any listing that is not active, not "already featured".
		expect((await feature(admin, id)).status).toBe(409);
	});

	it("stops featuring a listing (204, audited), and answers a repeat 204 without a second record", async () => {
		const admin = await callerOf("admin");
		const id = await listingOf(await callerOf("seller"));
		await feature(admin, id);
		expect((await unfeature(admin, id)).status).toBe(204);
		expect(await featuredIds()).not.toContain(id);
		expect((await unfeature(admin, id)).status).toBe(204);
		expect(await audits(id)).toEqual(["admin.listing_featured", "admin.listing_unfeatured"]);
	});

	it.each(["seller", "buyer", "investor"] as const)("refuses a %s (403), changing nothing", async (role) => {
		const id = await listingOf(await callerOf("seller"));
		const caller = await callerOf(role);
		expect((await feature(caller, id)).status).toBe(403);
		expect((await unfeature(caller, id)).status).toBe(403);
		expect(await featuredIds()).not.toContain(id);
		expect(checkAccess(role, "PUT", `/api/v1/admin/listings/${id}/featured`)).toBe("forbidden");
		expect(checkAccess(role, "DELETE", `/api/v1/admin/listings/${id}/featured`)).toBe("forbidden");
	});

	it("refuses a guest at the edge (the access table) and here", async () => {
		const id = await listingOf(await callerOf("seller"));
		expect(checkAccess("guest", "PUT", `/api/v1/admin/listings/${id}/featured`)).toBe("unauthenticated");
		expect((await feature(GUEST, id)).status).toBe(403);
	});

	it("leaves every other browse answer byte for byte as it was", async () => {
		const admin = await callerOf("admin");
		const seller = await callerOf("seller");
		const ids = [await listingOf(seller), await listingOf(seller)];
		const before = await (await call(GUEST, "/api/v1/listings?limit=100")).text();
		const listing = await (await call(GUEST, `/api/v1/listings/${ids[0]}`)).text();
		await feature(admin, ids[0] ?? "");
		expect(await (await call(GUEST, "/api/v1/listings?limit=100")).text()).toBe(before);
		expect(await (await call(GUEST, `/api/v1/listings/${ids[0]}`)).text()).toBe(listing);
	});

	it("takes only featured=true", async () => {
		const res = await call(GUEST, "/api/v1/listings?featured=false");
		expect(res.status).toBe(400);
		expect(((await res.json()) as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual([
			"featured",
		]);
	});
});
