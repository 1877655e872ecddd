/** The payment machine, move by move: disputes (the buyer's and chargebacks) and refunds. */
import { describe, expect, it } from "vitest";
import { platformFee } from "./fee.ts";
import {
	AMOUNT,
	DAY,
	handover,
	ID,
	kindOf,
	ok,
	paid,
	pending,
	released,
	run,
	T0,
	transferred,
	types,
} from "./machine.test.helpers.ts";
import { apply, type PaymentMove } from "./machine.ts";

describe("disputes", () => {
	const buyerDispute: PaymentMove = { type: "dispute_opened", by: "buyer" };
	const chargeback: PaymentMove = { type: "dispute_opened", by: "stripe", dispute_id: "dp_1" };

	it("freezes release while the buyer's dispute is open", () => {
		const disputed = ok(apply(paid(), buyerDispute, T0 + DAY));
		expect(disputed.state).toMatchObject({ status: "disputed", dispute: { by: "buyer", closed_at: null } });
		expect(kindOf(apply(disputed.state, handover, T0 + DAY))).toBe("disputed");
		expect(kindOf(apply(disputed.state, { type: "inspection_window_ended" }, T0 + 30 * DAY))).toBe("disputed");
		expect(kindOf(apply(disputed.state, buyerDispute, T0 + DAY))).toBe("already");
	});

	it("releases or refunds on an admin's decision", () => {
		const disputed = run(paid(), buyerDispute).state;
		const release = ok(apply(disputed, { type: "dispute_decided", by: "admin", decision: "release" }, T0 + 2 * DAY));
		expect(types(release.effects)).toEqual(["transfer", "notify_room"]);
		expect(ok(apply(release.state, transferred, T0 + 3 * DAY)).state.status).toBe("released");

		const refund = ok(apply(disputed, { type: "dispute_decided", by: "admin", decision: "refund" }, T0 + 2 * DAY));
		expect(refund.effects).toEqual([
			{
				type: "refund",
				idempotencyKey: `${ID}:refund:${AMOUNT}`,
				payment_id: ID,
				payment_intent_id: "pi_1",
				charge_id: "ch_1",
				amount_cents: AMOUNT,
			},
		]);
		const refunded = ok(apply(refund.state, { type: "charge_refunded", amount_refunded: AMOUNT }, T0 + 3 * DAY));
		expect(refunded.state).toMatchObject({ status: "refunded", refunded_cents: AMOUNT, fee_cents: 0, payout_cents: 0 });
		expect(kindOf(apply(refund.state, { type: "dispute_decided", by: "admin", decision: "release" }, T0))).toBe(
			"already",
		);
	});

	it("refuses a decision by anyone but an admin, on a chargeback, or without a dispute", () => {
		const disputed = run(paid(), buyerDispute).state;
		expect(kindOf(apply(disputed, { type: "dispute_decided", by: "seller", decision: "release" }, T0))).toBe(
			"not_admin",
		);
		expect(kindOf(apply(paid(), { type: "dispute_decided", by: "admin", decision: "release" }, T0))).toBe("no_dispute");
		const charged = run(paid(), chargeback).state;
		expect(kindOf(apply(charged, { type: "dispute_decided", by: "admin", decision: "refund" }, T0))).toBe("disputed");
	});

	it("lets the buyer dispute only before release", () => {
		const asked = run(paid(), handover).state;
		expect(kindOf(apply(asked, buyerDispute, T0 + DAY))).toBe("releasing");
		expect(kindOf(apply(released(), buyerDispute, T0 + DAY))).toBe("released");
		expect(kindOf(apply(paid(), { type: "dispute_opened", by: "seller" }, T0 + DAY))).toBe("not_buyer");
		expect(kindOf(apply(pending(), buyerDispute, T0 + DAY))).toBe("not_paid");
	});

	it("releases after a won chargeback and gives the buyer everything back after a lost one", () => {
		const charged = run(paid(), chargeback).state;
		expect(charged).toMatchObject({ status: "disputed", dispute: { by: "stripe", id: "dp_1" } });
		expect(kindOf(apply(charged, chargeback, T0 + DAY))).toBe("already");
		expect(kindOf(apply(charged, { ...chargeback, dispute_id: "dp_2" }, T0 + DAY))).toBe("mismatch");
		expect(kindOf(apply(charged, { type: "refund_requested", by: "admin" }, T0 + DAY))).toBe("disputed");

		const won = ok(apply(charged, { type: "dispute_closed", dispute_id: "dp_1", outcome: "won" }, T0 + 9 * DAY));
		expect(types(won.effects)).toEqual(["transfer", "notify_room"]);
		const lost = ok(apply(charged, { type: "dispute_closed", dispute_id: "dp_1", outcome: "lost" }, T0 + 9 * DAY));
		expect(lost.state).toMatchObject({ status: "refunded", refunded_cents: AMOUNT, payout_cents: 0, fee_cents: 0 });
		expect(types(lost.effects)).toEqual(["notify_room"]);
		expect(kindOf(apply(lost.state, { type: "dispute_closed", dispute_id: "dp_1", outcome: "lost" }, T0))).toBe(
			"already",
		);
	});

	it("records a chargeback after release, and reverses the whole transfer if it is lost", () => {
		const charged = ok(apply(released(), chargeback, T0 + 20 * DAY));
		expect(charged.state).toMatchObject({ status: "released", dispute: { by: "stripe", closed_at: null } });
		const lost = ok(
			apply(charged.state, { type: "dispute_closed", dispute_id: "dp_1", outcome: "lost" }, T0 + 40 * DAY),
		);
		expect(lost.state.status).toBe("refunded");
		expect(lost.effects[0]).toEqual({
			type: "reverse_transfer",
			idempotencyKey: `${ID}:reversal:${AMOUNT - 80_000_01}`,
			payment_id: ID,
			transfer_id: "tr_1",
			amount_cents: AMOUNT - 80_000_01,
		});
	});

	it("waits for the transfer before recording a lost chargeback during release", () => {
		const asked = run(paid(), handover).state;
		const charged = ok(apply(asked, chargeback, T0 + DAY)).state;
		expect(charged.status).toBe("disputed");
		const lose: PaymentMove = { type: "dispute_closed", dispute_id: "dp_1", outcome: "lost" };
		expect(kindOf(apply(charged, lose, T0 + 2 * DAY))).toBe("releasing");
		const done = run(charged, transferred).state;
		expect(done.status).toBe("released");
		expect(types(ok(apply(done, lose, T0 + 3 * DAY)).effects)).toEqual(["reverse_transfer", "notify_room"]);
	});

	it("refuses to close a dispute that is not there", () => {
		expect(kindOf(apply(paid(), { type: "dispute_closed", dispute_id: "dp_1", outcome: "won" }, T0))).toBe(
			"no_dispute",
		);
	});
});

describe("refunds", () => {
	it("refunds the charge in full before release, and is refunded when Stripe confirms it", () => {
		const asked = ok(apply(paid(), { type: "refund_requested", by: "admin" }, T0 + DAY));
		expect(asked.state).toMatchObject({
			status: "paid",
			refund_requested_cents: AMOUNT,
			fee_cents: 0,
			payout_cents: 0,
		});
		expect(types(asked.effects)).toEqual(["refund"]);
		expect(kindOf(apply(asked.state, { type: "refund_requested", by: "admin" }, T0 + DAY))).toBe("already");
		expect(kindOf(apply(asked.state, handover, T0 + DAY))).toBe("nothing_to_release");
		const done = ok(apply(asked.state, { type: "charge_refunded", amount_refunded: AMOUNT }, T0 + 2 * DAY));
		expect(done.state).toMatchObject({ status: "refunded", refunded_cents: AMOUNT, closed_at: T0 + 2 * DAY });
		expect(kindOf(apply(done.state, { type: "charge_refunded", amount_refunded: AMOUNT }, T0 + 3 * DAY))).toBe(
			"already",
		);
		expect(kindOf(apply(done.state, handover, T0 + 3 * DAY))).toBe("closed");
	});

	it("takes the fee on what the buyer keeps paying after a partial refund, and releases the rest", () => {
		const partial = ok(apply(paid(), { type: "refund_requested", by: "admin", amount_cents: 100_000_00 }, T0 + DAY));
		const net = AMOUNT - 100_000_00;
		expect(partial.state).toMatchObject({
			refund_requested_cents: 100_000_00,
			fee_cents: platformFee(net),
			payout_cents: net - platformFee(net),
		});
		expect(partial.effects[0]).toMatchObject({ idempotencyKey: `${ID}:refund:10000000`, amount_cents: 100_000_00 });
		const confirmed = run(partial.state, { type: "charge_refunded", amount_refunded: 100_000_00 }).state;
		expect(confirmed.status).toBe("paid");
		const release = ok(apply(confirmed, handover, T0 + 2 * DAY));
		expect(release.effects[0]).toMatchObject({ type: "transfer", amount_cents: net - platformFee(net) });
	});

	it("reverses the seller's share first after release, then refunds the charge", () => {
		const before = released();
		const asked = ok(apply(before, { type: "refund_requested", by: "admin" }, T0 + 20 * DAY));
		expect(asked.effects).toEqual([
			{
				type: "reverse_transfer",
				idempotencyKey: `${ID}:reversal:${before.payout_cents}`,
				payment_id: ID,
				transfer_id: "tr_1",
				amount_cents: before.payout_cents,
			},
		]);
		expect(asked.state.refund_awaiting_reversal_cents).toBe(AMOUNT);
		expect(kindOf(apply(asked.state, { type: "refund_requested", by: "admin", amount_cents: 1 }, T0))).toBe(
			"refund_pending",
		);
		const reversal: PaymentMove = {
			type: "transfer_reversed",
			transfer_id: "tr_1",
			amount_reversed: before.payout_cents,
		};
		const reversed = ok(apply(asked.state, reversal, T0 + 21 * DAY));
		expect(types(reversed.effects)).toEqual(["refund"]);
		expect(reversed.effects[0]).toMatchObject({ amount_cents: AMOUNT, idempotencyKey: `${ID}:refund:${AMOUNT}` });
		expect(kindOf(apply(reversed.state, reversal, T0 + 22 * DAY))).toBe("already");
		const done = ok(apply(reversed.state, { type: "charge_refunded", amount_refunded: AMOUNT }, T0 + 22 * DAY));
		expect(done.state.status).toBe("refunded");
	});

	it("refunds partly after release by reversing only the seller's part of it", () => {
		const before = released();
		const asked = ok(apply(before, { type: "refund_requested", by: "admin", amount_cents: 50_000_00 }, T0 + 20 * DAY));
		const net = AMOUNT - 50_000_00;
		expect(asked.state.payout_cents).toBe(net - platformFee(net));
		expect(asked.effects[0]).toMatchObject({
			type: "reverse_transfer",
			amount_cents: before.payout_cents - (net - platformFee(net)),
		});
	});

	it("waits while the transfer is in flight", () => {
		const asked = run(paid(), handover).state;
		expect(kindOf(apply(asked, { type: "refund_requested", by: "admin" }, T0 + DAY))).toBe("releasing");
		expect(kindOf(apply(asked, { type: "charge_refunded", amount_refunded: 5 }, T0 + DAY))).toBe("releasing");
	});

	it.each([0, -1, 1.5, AMOUNT + 1])("refuses a refund of %s cents", (amount) => {
		expect(kindOf(apply(paid(), { type: "refund_requested", by: "admin", amount_cents: amount }, T0))).toBe(
			"invalid_amount",
		);
	});

	it("refuses a refund asked for by anyone but an admin, or before the money is held", () => {
		expect(kindOf(apply(paid(), { type: "refund_requested", by: "buyer" }, T0))).toBe("not_admin");
		expect(kindOf(apply(pending(), { type: "refund_requested", by: "admin" }, T0))).toBe("not_paid");
	});

	it("follows a refund made outside the platform, older totals aside", () => {
		const refunded = ok(apply(paid(), { type: "charge_refunded", amount_refunded: 300_00 }, T0 + DAY));
		expect(refunded.state).toMatchObject({ refunded_cents: 300_00, refund_requested_cents: 300_00 });
		expect(refunded.state.fee_cents).toBe(platformFee(AMOUNT - 300_00));
		expect(kindOf(apply(refunded.state, { type: "charge_refunded", amount_refunded: 100_00 }, T0 + DAY))).toBe("stale");
		expect(kindOf(apply(refunded.state, { type: "charge_refunded", amount_refunded: AMOUNT + 1 }, T0))).toBe(
			"invalid_amount",
		);
		const afterRelease = ok(apply(released(), { type: "charge_refunded", amount_refunded: 300_00 }, T0 + 20 * DAY));
		expect(types(afterRelease.effects)).toEqual(["reverse_transfer"]);
	});
});
