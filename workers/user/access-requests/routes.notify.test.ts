/**
 * The access-request events the routes write to the outbox for the notification e-mails
 * (workers/consumers/access-mail.ts): one `access_request.event` per change — a new request
 * (pending), a decision — and none for a repeated ask or a repeated decision, which change nothing.
 */
import { describe, expect, it } from "vitest";
import { ask, bindings, decide, listing, tenant } from "./routes.test.helpers.ts";

async function eventsFor(listingId: string): Promise<{ status: string; seller_tenant_id: string }[]> {
	const { results } = await bindings.DB.prepare(
		`SELECT body FROM outbox WHERE queue = 'backoffice-jobs'
		 AND body ->> 'kind' = 'access_request.event' AND body ->> 'listing_id' = ? ORDER BY created_at, rowid`,
	)
		.bind(listingId)
		.all<{ body: string }>();
	return results.map((row) => JSON.parse(row.body));
}

describe("access-request notification events", () => {
	it("announces a new request and each decision once", async () => {
		const seller = await tenant("seller");
		const buyer = await tenant("buyer");
		const listingId = await listing(seller);
		const first = await ask(buyer, listingId);
		expect(first.status).toBe(201);
		const { id } = (await first.json()) as { id: string };
		expect((await ask(buyer, listingId)).status).toBe(200);
		expect(await eventsFor(listingId)).toEqual([
			expect.objectContaining({ status: "pending", seller_tenant_id: seller.tenantId, access_request_id: id }),
		]);

		expect((await decide(seller, id, "approve")).status).toBe(200);
		expect((await decide(seller, id, "approve")).status).toBe(200);
		expect((await eventsFor(listingId)).map((event) => event.status)).toEqual(["pending", "approved"]);
	});
});
