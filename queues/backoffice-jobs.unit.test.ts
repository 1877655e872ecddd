import { describe, expect, it } from "vitest";
import { type ListingEventJob, listingEventJobSchema, sendBackofficeJobs } from "./backoffice-jobs.ts";

const listingEvent: ListingEventJob = {
	id: `evt_${"a".repeat(32)}`,
	kind: "listing.event",
	type: "listing.published",
	occurred_at: "2026-01-02T03:04:05.000Z",
	listing_id: `lst_${"b".repeat(32)}`,
	seller_tenant_id: "seller_1",
	actor_tenant_id: null,
};

describe("listingEventJobSchema", () => {
	it("accepts a listing event with or without an actor", () => {
		expect(listingEventJobSchema.parse(listingEvent)).toEqual(listingEvent);
		expect(listingEventJobSchema.parse({ ...listingEvent, actor_tenant_id: "admin_1" }).actor_tenant_id).toBe(
			"admin_1",
		);
	});

	it("accepts the lifecycle's events with the offer and payment they name, and events written before them", () => {
		const offer_id = `off_${"c".repeat(32)}`;
		const payment_id = `pay_${"d".repeat(32)}`;
		const sold = { ...listingEvent, type: "listing.sold", offer_id, payment_id };
		expect(listingEventJobSchema.parse(sold)).toEqual(sold);
		for (const type of ["listing.under_offer", "listing.reopened"] as const) {
			expect(listingEventJobSchema.parse({ ...listingEvent, type, offer_id }).type).toBe(type);
		}
		for (const type of ["listing.created", "listing.updated", "listing.published", "listing.archived"] as const) {
			expect(listingEventJobSchema.parse({ ...listingEvent, type })).toEqual({ ...listingEvent, type });
		}
		expect(listingEventJobSchema.safeParse({ ...sold, offer_id: "off_1" }).success).toBe(false);
		expect(listingEventJobSchema.safeParse({ ...sold, payment_id: "pay_1" }).success).toBe(false);
	});

	it("rejects an unknown type, a malformed listing id and an extra field", () => {
		expect(listingEventJobSchema.safeParse({ ...listingEvent, type: "listing.deleted" }).success).toBe(false);
		expect(listingEventJobSchema.safeParse({ ...listingEvent, listing_id: "lst_XYZ" }).success).toBe(false);
		expect(listingEventJobSchema.safeParse({ ...listingEvent, title: "smuggled" }).success).toBe(false);
	});
});

describe("sendBackofficeJobs", () => {
	it("sends listing events as JSON messages", async () => {
		const sent: unknown[] = [];
		await sendBackofficeJobs({ sendBatch: async (messages) => sent.push(...messages) }, [listingEvent]);
		expect(sent).toEqual([{ body: listingEvent, contentType: "json" }]);
	});

	it("throws before sending anything when a job fails its schema", () => {
		const sent: unknown[] = [];
		const bad = { ...listingEvent, seller_tenant_id: "nobody" } as ListingEventJob;
		// Synchronously: the schema parse runs before the first send.
		expect(() => sendBackofficeJobs({ sendBatch: async (messages) => sent.push(...messages) }, [bad])).toThrow(
			/tenant id/,
		);
		expect(sent).toEqual([]);
	});
});
