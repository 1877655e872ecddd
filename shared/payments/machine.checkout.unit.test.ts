/** The payment machine, move by move: opening, the status order, checkout and release. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
	AMOUNT,
	completed,
	DAY,
	HOUR,
	handover,
	ID,
	kindOf,
	ok,
	opening,
	paid,
	pending,
	processingMove,
	run,
	T0,
	transferred,
	types,
} from "./machine.test.helpers.ts";
import {
	apply,
	INSPECTION_WINDOW_MS,
	isTerminal,
	NEXT,
	type PaymentStatus,
	paymentStatuses,
	STATUS_RANK,
	start,
} from "./machine.ts";

describe("start", () => {
	it("opens a pending payment at version 1 with the fee and payout fixed from the amount", () => {
		const state = pending();
		expect(state).toMatchObject({ status: "pending", version: 1, amount_cents: AMOUNT, processing: false });
		expect(state.fee_cents).toBe(80_000_01);
		expect(state.payout_cents).toBe(AMOUNT - 80_000_01);
		expect(state.refund_requested_cents + state.transfer_cents + state.refunded_cents).toBe(0);
	});

	it.each([0, -5])("refuses the amount %i", (amount) => {
		expect(() => start({ ...opening, amount_cents: amount }, T0)).toThrow(RangeError);
	});
});

describe("the status order", () => {
	it("lets every status change raise the rank, so no status comes back", () => {
		for (const from of paymentStatuses) {
			for (const to of NEXT[from]) expect(STATUS_RANK[to], `${from} → ${to}`).toBeGreaterThan(STATUS_RANK[from]);
		}
	});

	it("reaches every status from pending, and ends in refunded, failed or expired", () => {
		const seen = new Set<PaymentStatus>(["pending"]);
		for (const status of paymentStatuses) for (const to of NEXT[status]) seen.add(to);
		expect([...seen].sort()).toEqual([...paymentStatuses].sort());
		expect(paymentStatuses.filter(isTerminal).sort()).toEqual(["expired", "failed", "refunded"]);
	});
});

describe("checkout", () => {
	it("holds the money once checkout completes paid: listing sold, release due in 14 days", () => {
		const at = T0 + HOUR;
		const result = ok(apply(pending(), completed, at));
		expect(result.state).toMatchObject({
			status: "paid",
			version: 2,
			paid_at: at,
			release_at: at + 14 * DAY,
			payment_intent_id: "pi_1",
			charge_id: "ch_1",
			updated_at: at,
		});
		expect(result.effects).toEqual([
			{
				type: "mark_listing_sold",
				listing_id: opening.listing_id,
				seller_tenant_id: "seller_1",
				offer_id: opening.offer_id,
				payment_id: ID,
			},
			{ type: "schedule_release", payment_id: ID, at: at + INSPECTION_WINDOW_MS },
			{ type: "notify_room", offer_id: opening.offer_id, payment_id: ID, status: "paid" },
		]);
	});

	it("keeps a bank payment pending while it processes, then holds it when it succeeds", () => {
		const processing = ok(apply(pending(), processingMove, T0 + HOUR));
		expect(processing.state).toMatchObject({ status: "pending", processing: true, version: 2 });
		expect(types(processing.effects)).toEqual(["notify_room"]);
		expect(kindOf(apply(processing.state, processingMove, T0 + 2 * HOUR))).toBe("already");
		expect(kindOf(apply(processing.state, { type: "session_expired" }, T0 + DAY))).toBe("processing");
		const succeeded = ok(
			apply(processing.state, { type: "async_payment_succeeded", payment_intent_id: "pi_1" }, T0 + 3 * DAY),
		);
		expect(succeeded.state).toMatchObject({ status: "paid", processing: false, release_at: T0 + 17 * DAY });
		expect(types(succeeded.effects)).toEqual(["mark_listing_sold", "schedule_release", "notify_room"]);
	});

	it("fails a bank payment that does not arrive", () => {
		const processing = run(pending(), processingMove).state;
		const failed = ok(apply(processing, { type: "async_payment_failed" }, T0 + 2 * DAY));
		expect(failed.state).toMatchObject({ status: "failed", processing: false, closed_at: T0 + 2 * DAY });
		expect(types(failed.effects)).toEqual(["notify_room"]);
		expect(kindOf(apply(failed.state, { type: "async_payment_failed" }, T0 + 3 * DAY))).toBe("already");
		expect(kindOf(apply(failed.state, { type: "async_payment_succeeded", payment_intent_id: "pi_1" }, T0))).toBe(
			"closed",
		);
	});

	it("expires an open checkout, and treats a repeat as a duplicate", () => {
		const expired = ok(apply(pending(), { type: "session_expired" }, T0 + DAY));
		expect(expired.state).toMatchObject({ status: "expired", closed_at: T0 + DAY });
		expect(kindOf(apply(expired.state, { type: "session_expired" }, T0 + DAY))).toBe("already");
		expect(kindOf(apply(expired.state, completed, T0 + DAY))).toBe("closed");
	});

	it("takes the success that overtook the completion, and ignores the completion after it", () => {
		const early = run(pending(), { type: "async_payment_succeeded", payment_intent_id: "pi_1" }).state;
		expect(early.status).toBe("paid");
		expect(kindOf(apply(early, processingMove, T0 + DAY))).toBe("stale");
		expect(kindOf(apply(early, completed, T0 + DAY))).toBe("already");
		expect(kindOf(apply(early, { type: "async_payment_failed" }, T0 + DAY))).toBe("stale");
		expect(kindOf(apply(early, { type: "session_expired" }, T0 + DAY))).toBe("stale");
	});

	it("refuses an event for another payment intent", () => {
		const processing = run(pending(), processingMove).state;
		expect(kindOf(apply(processing, { ...completed, payment_intent_id: "pi_2" }, T0 + DAY))).toBe("mismatch");
		expect(kindOf(apply(paid(), { type: "async_payment_succeeded", payment_intent_id: "pi_2" }, T0))).toBe("mismatch");
	});
});

describe("release", () => {
	it("asks for one transfer of the payout on the buyer's handover, and is released when it is created", () => {
		const asked = ok(apply(paid(), handover, T0 + DAY));
		expect(asked.state).toMatchObject({
			status: "paid",
			release_requested_at: T0 + DAY,
			transfer_cents: AMOUNT - 80_000_01,
		});
		expect(asked.effects[0]).toEqual({
			type: "transfer",
			idempotencyKey: `${ID}:transfer`,
			payment_id: ID,
			seller_tenant_id: "seller_1",
			amount_cents: AMOUNT - 80_000_01,
			currency: "USD",
			transfer_group: ID,
			source_transaction: "ch_1",
			payment_intent_id: "pi_1",
		});
		expect(kindOf(apply(asked.state, handover, T0 + DAY))).toBe("already");
		const done = ok(apply(asked.state, transferred, T0 + DAY + 1));
		expect(done.state).toMatchObject({ status: "released", transfer_id: "tr_1", released_at: T0 + DAY + 1 });
		expect(types(done.effects)).toEqual(["notify_room"]);
		expect(kindOf(apply(done.state, transferred, T0 + 2 * DAY))).toBe("already");
		expect(kindOf(apply(done.state, { type: "transfer_created", transfer_id: "tr_2" }, T0 + 2 * DAY))).toBe("mismatch");
		expect(kindOf(apply(done.state, handover, T0 + 2 * DAY))).toBe("already");
	});

	it("releases when the inspection window ends, not a millisecond before", () => {
		const state = paid();
		const due = state.release_at ?? 0;
		expect(due).toBe((state.paid_at ?? 0) + 14 * DAY);
		expect(kindOf(apply(state, { type: "inspection_window_ended" }, due - 1))).toBe("not_due");
		expect(types(ok(apply(state, { type: "inspection_window_ended" }, due)).effects)).toEqual([
			"transfer",
			"notify_room",
		]);
	});

	it.each(["seller", "admin"] as const)("refuses a handover confirmed by the %s", (by) => {
		expect(kindOf(apply(paid(), { type: "handover_confirmed", by }, T0 + DAY))).toBe("not_buyer");
	});

	it("refuses a release before the money is held, and a transfer nobody asked for", () => {
		expect(kindOf(apply(pending(), handover, T0 + DAY))).toBe("not_paid");
		expect(kindOf(apply(pending(), { type: "inspection_window_ended" }, T0 + 30 * DAY))).toBe("not_paid");
		expect(kindOf(apply(paid(), transferred, T0 + DAY))).toBe("not_requested");
	});
});

describe("purity", () => {
	it("reads no clock: `now` is an argument", () => {
		const source = readFileSync(join(import.meta.dirname, "machine.ts"), "utf8");
		expect(source).not.toMatch(/Date\.now|new Date|performance\.now|Math\.random/);
	});
});
