import { describe, expect, it } from "vitest";
import type { OfferView } from "../../../../shared/offers/protocol.ts";
import { dollars, moment, parseDollars } from "./money.ts";
import { logOf, movesFor, presence, situation, turnOf } from "./thread.ts";

const offer = (changes: Partial<OfferView> = {}): OfferView => ({
	id: `off_${"a".repeat(32)}`,
	listing_id: `lst_${"b".repeat(32)}`,
	buyer_tenant_id: "buyer_1",
	seller_tenant_id: "seller_1",
	amount_cents: 2_500_000,
	currency: "USD",
	status: "pending",
	version: 1,
	last_proposer: "buyer",
	on_hold: false,
	expires_at: "2026-12-04T00:00:00.000Z",
	created_at: "2026-12-01T00:00:00.000Z",
	updated_at: "2026-12-01T00:00:00.000Z",
	...changes,
});

describe("the moves the room offers", () => {
	it("lets only the side that did not propose last answer, and the buyer withdraw", () => {
		expect(movesFor(offer(), "seller")).toEqual({
			counter: true,
			accept: true,
			reject: true,
			withdraw: false,
			checkout: false,
		});
		expect(movesFor(offer(), "buyer")).toEqual({
			counter: false,
			accept: false,
			reject: false,
			withdraw: true,
			checkout: false,
		});
		const countered = offer({ status: "countered", last_proposer: "seller", version: 2 });
		expect(movesFor(countered, "buyer").accept).toBe(true);
		expect(movesFor(countered, "seller").accept).toBe(false);
	});

	it("offers no answer on hold or once closed, and nothing at all to an admin", () => {
		expect(turnOf(offer({ on_hold: true }))).toBeNull();
		expect(movesFor(offer({ on_hold: true }), "seller").accept).toBe(false);
		expect(movesFor(offer({ on_hold: true }), "buyer").withdraw).toBe(true);
		expect(Object.values(movesFor(offer({ status: "rejected" }), "buyer")).some(Boolean)).toBe(false);
		expect(Object.values(movesFor(offer(), null)).some(Boolean)).toBe(false);
	});

	it("offers the buyer checkout of an accepted offer until the money is taken", () => {
		const accepted = offer({ status: "accepted", expires_at: null });
		expect(movesFor(accepted, "buyer").checkout).toBe(true);
		expect(movesFor(accepted, "seller").checkout).toBe(false);
		expect(movesFor({ ...accepted, payment: { id: "pay_1", status: "expired" } }, "buyer").checkout).toBe(true);
		expect(movesFor({ ...accepted, payment: { id: "pay_1", status: "paid" } }, "buyer").checkout).toBe(false);
	});
});

describe("what the room says", () => {
	it("says whose move it is from the viewer's side", () => {
		expect(situation(offer(), "seller")).toBe("Your move: accept, counter or reject the buyer's $25,000.");
		expect(situation(offer(), "buyer")).toBe("Waiting for the seller to answer your $25,000.");
		expect(situation(offer(), null)).toBe("Waiting for the seller to answer the buyer's $25,000.");
		const paid = offer({ status: "accepted", payment: { id: "pay_1", status: "paid" } });
		expect(situation(paid, "seller")).toBe("Deal at $25,000: paid, money held in escrow.");
	});

	it("tells history and chat in order, naming the viewer as you", () => {
		const view = offer({ status: "countered", version: 2, last_proposer: "seller", amount_cents: 2_750_050 });
		const lines = logOf(
			view,
			[
				{
					version: 1,
					action: "created",
					actor_tenant_id: "buyer_1",
					amount_cents: 2_500_000,
					message: null,
					at: "2026-12-01T00:00:00.000Z",
				},
				{
					version: 2,
					action: "countered",
					actor_tenant_id: "seller_1",
					amount_cents: 2_750_050,
					message: "Firm",
					at: "2026-12-01T00:02:00.000Z",
				},
			],
			[{ from_tenant_id: "buyer_1", text: "Hello", at: "2026-12-01T00:01:00.000Z" }],
			"buyer",
		);
		expect(lines.map((line) => [line.actor, line.text, line.quote])).toEqual([
			["You", "offered $25,000", null],
			["You", "said", "Hello"],
			["The seller", "countered with $27,500.50", "Firm"],
		]);
	});

	it("says who is online from the room's tenants", () => {
		expect(presence(offer({ online: ["seller_1"] }), "buyer")).toEqual([
			{ side: "buyer", label: "You", online: false },
			{ side: "seller", label: "The seller", online: true },
		]);
	});
});

describe("money in dollars", () => {
	it("reads what people type into cents and refuses what is no amount", () => {
		expect(parseDollars("25000")).toEqual({ ok: true, cents: 2_500_000 });
		expect(parseDollars(" $27,500.5 ")).toEqual({ ok: true, cents: 2_750_050 });
		expect(parseDollars("0.07")).toEqual({ ok: true, cents: 7 });
		for (const bad of ["", "abc", "-5", "1.234", "0", "1e6"]) expect(parseDollars(bad).ok).toBe(false);
		expect(parseDollars("2000000000000").ok).toBe(false);
	});

	it("shows cents only when an amount has them, and times in UTC", () => {
		expect(dollars(2_500_000)).toBe("$25,000");
		expect(dollars(2_750_050)).toBe("$27,500.50");
		expect(moment("2026-12-01T15:04:00.000Z")).toBe("Dec 1, 2026, 3:04 PM UTC");
	});
});
