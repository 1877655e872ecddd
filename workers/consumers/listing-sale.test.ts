/**
 * The listing's `sell` as the payments consumer will make it (the payment machine's
 * `mark_listing_sold` effect): `platformListings(db).move` against real D1, guarded by the listing
 * being under offer to the paying offer, with its `listing.sold` event in the same batch.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { listingEventJobSchema } from "../../queues/backoffice-jobs.ts";
import { type MoveTarget, platformListings } from "../../shared/data/listings.ts";
import { newId } from "../../shared/encoding.ts";
import type { ListingMove } from "../../shared/listings/lifecycle.ts";
import { listingInsert, tenantInsert } from "../../test/support/listings.ts";

const bindings = env as unknown as ConsumersEnv;
const db = bindings.DB;

/** A listing that `offerId`'s acceptance holds. */
async function heldListing(offerId: string): Promise<MoveTarget> {
	const seller = newId("seller");
	const id = newId("lst");
	const tenant = tenantInsert(seller, "seller");
	const listing = listingInsert({ id, seller_tenant_id: seller, title: "A SaaS for sale", status: "under_offer" });
	await db.batch([
		db.prepare(tenant.sql).bind(...tenant.values),
		db.prepare(listing.sql).bind(...listing.values),
		db.prepare("UPDATE listings SET claimed_by_offer_id = ? WHERE id = ?").bind(offerId, id),
	]);
	return { id, seller_tenant_id: seller, status: "under_offer", claimed_by_offer_id: offerId };
}

/** Runs a platform move as the payments consumer will: the batch, then whether the guarded UPDATE won. */
async function move(listing: MoveTarget, listingMove: ListingMove, now: number) {
	const change = platformListings(db).move(listing, listingMove, now, null);
	if (!change.ok) return change.kind;
	const [update] = await db.batch(change.statements);
	return (update?.meta.changes ?? 0) === 1 ? "moved" : "changed";
}

async function stateOf(id: string) {
	return db.prepare("SELECT status, claimed_by_offer_id FROM listings WHERE id = ?").bind(id).first();
}

async function events(id: string) {
	const { results } = await db
		.prepare("SELECT body FROM outbox WHERE body LIKE ? ORDER BY created_at, rowid")
		.bind(`%${id}%`)
		.all<{ body: string }>();
	return results.map((row) => listingEventJobSchema.parse(JSON.parse(row.body)));
}

describe("selling a listing for a payment", () => {
	it("sells the listing to the offer holding it and announces the sale once", async () => {
		const offerId = newId("off");
		const paymentId = newId("pay");
		const listing = await heldListing(offerId);
		const now = Date.now();
		const sell = { type: "sell", offer_id: offerId, payment_id: paymentId } as const;
		expect(await move(listing, sell, now)).toBe("moved");
		expect(await stateOf(listing.id)).toEqual({ status: "sold", claimed_by_offer_id: offerId });
		// A redelivered effect, computed from the same stale state, changes and announces nothing.
		expect(await move(listing, sell, now + 1)).toBe("changed");
		// Computed from the state as it now is, it is the lifecycle's duplicate.
		expect(await move({ ...listing, status: "sold" }, sell, now + 2)).toBe("already");
		expect(await events(listing.id)).toEqual([
			expect.objectContaining({
				type: "listing.sold",
				listing_id: listing.id,
				seller_tenant_id: listing.seller_tenant_id,
				actor_tenant_id: null,
				offer_id: offerId,
				payment_id: paymentId,
				occurred_at: new Date(now).toISOString(),
			}),
		]);
	});

	it("refuses a payment for an offer that no longer holds the listing", async () => {
		const listing = await heldListing(newId("off"));
		const stray = { type: "sell", offer_id: newId("off"), payment_id: newId("pay") } as const;
		expect(await move(listing, stray, Date.now())).toBe("listing_unavailable");
		// Even with a state that claims otherwise, the guard on the holding offer misses.
		const forged = { ...listing, claimed_by_offer_id: stray.offer_id };
		expect(await move(forged, stray, Date.now())).toBe("changed");
		expect(await stateOf(listing.id)).toMatchObject({ status: "under_offer" });
		expect(await events(listing.id)).toEqual([]);
	});

	it("leaves another seller's listing alone, whatever the state says", async () => {
		const offerId = newId("off");
		const listing = await heldListing(offerId);
		const sell = { type: "sell", offer_id: offerId, payment_id: newId("pay") } as const;
		expect(await move({ ...listing, seller_tenant_id: newId("seller") }, sell, Date.now())).toBe("changed");
		expect(await stateOf(listing.id)).toMatchObject({ status: "under_offer" });
		expect(await events(listing.id)).toEqual([]);
	});
});
