import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { OfferEvent } from "../../queues/offer-events.ts";
import { offerTimeline } from "../../shared/data/timeline.ts";
import { offerEvents } from "./offer-events.ts";

const bindings = env as unknown as ConsumersEnv;
const hex = () => crypto.randomUUID().replaceAll("-", "");
const recordedAt = new Date("2026-03-02T08:00:00.000Z");
const consumer = offerEvents(bindings, () => recordedAt);

function thread() {
	const base = {
		offer_id: `off_${hex()}`,
		listing_id: `lst_${hex()}`,
		buyer_tenant_id: "buyer_1",
		seller_tenant_id: "seller_1",
		currency: "EUR",
	};
	return (type: OfferEvent["type"], version: number, amount_cents: number, actor: string | null): OfferEvent => ({
		...base,
		id: `evt_${hex()}`,
		type,
		version,
		amount_cents,
		actor_tenant_id: actor,
		occurred_at: new Date(Date.UTC(2026, 2, 1, 12, version)).toISOString(),
	});
}

describe("offerTimeline", () => {
	it("returns the thread's events in version order and its deal", async () => {
		const make = thread();
		const events = [
			make("offer.created", 1, 100_000, "buyer_1"),
			make("offer.countered", 2, 90_000, "seller_1"),
			make("offer.held", 3, 90_000, null),
			make("offer.released", 4, 90_000, null),
			make("offer.accepted", 5, 90_000, "buyer_1"),
		];
		for (const index of [4, 1, 3, 0, 2]) {
			const event = events[index] as OfferEvent;
			await consumer.handle(event, { messageId: `msg-${event.id}` });
		}
		const { events: timeline, deal } = await offerTimeline(bindings.DB, events[0]?.offer_id ?? "");
		expect(timeline).toEqual(
			events.map((event) => ({
				event_id: event.id,
				type: event.type,
				version: event.version,
				amount_cents: event.amount_cents,
				currency: "EUR",
				actor_tenant_id: event.actor_tenant_id,
				occurred_at: event.occurred_at,
				recorded_at: recordedAt.toISOString(),
			})),
		);
		expect(deal).toEqual({
			offer_id: events[0]?.offer_id,
			listing_id: events[0]?.listing_id,
			buyer_tenant_id: "buyer_1",
			seller_tenant_id: "seller_1",
			status: "accepted",
			on_hold: false,
			amount_cents: 90_000,
			currency: "EUR",
			version: 5,
			events: 5,
			opened_at: events[0]?.occurred_at,
			closed_at: events[4]?.occurred_at,
			accepted_at: events[4]?.occurred_at,
			final_amount_cents: 90_000,
			updated_at: events[4]?.occurred_at,
		});
	});

	it("shows a held thread's on_hold as true", async () => {
		const make = thread();
		const created = make("offer.created", 1, 100_000, "buyer_1");
		await consumer.handle(created, { messageId: "msg-created" });
		await consumer.handle(make("offer.held", 2, 100_000, null), { messageId: "msg-held" });
		const { deal } = await offerTimeline(bindings.DB, created.offer_id);
		expect(deal).toMatchObject({ status: "pending", on_hold: true });
	});

	it("returns no events, no deal and no payments for an offer nothing was recorded for", async () => {
		expect(await offerTimeline(bindings.DB, `off_${hex()}`)).toEqual({ events: [], deal: null, payments: [] });
	});
});
