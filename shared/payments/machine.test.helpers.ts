/**
 * Fixtures shared by the payment machine's tests (machine.*.unit.test.ts): one opening, the
 * common moves, and runners that apply moves and assert they went through or were refused.
 * Named `*.test.helpers.ts` so no test glob runs it. Node's unit project imports it, and
 * tsconfig.json (workerd types) checks it too, as it checks all of shared/: no Node APIs here.
 */
import { expect } from "vitest";
import {
	apply,
	type PaymentEffect,
	type PaymentMove,
	type PaymentRefusal,
	type PaymentRefusalKind,
	type PaymentState,
	type PaymentTransition,
	start,
} from "./machine.ts";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const T0 = Date.UTC(2026, 5, 1, 9);
export const ID = `pay_${"a".repeat(32)}`;
export const AMOUNT = 1_000_000_07; // $1,000,000.07: 8% is 80,000.0056 → 8,000,001 cents
export const opening = {
	id: ID,
	offer_id: `off_${"b".repeat(32)}`,
	listing_id: `lst_${"c".repeat(32)}`,
	buyer_tenant_id: "buyer_1",
	seller_tenant_id: "seller_1",
	amount_cents: AMOUNT,
	currency: "USD",
	checkout_session_id: "cs_test_1",
};

/**
 * One kind of move. The moves below are typed as their kind, not as any `PaymentMove`: a test
 * spreads them (`{ ...completed, payment_intent_id: "pi_2" }`), which only the kind allows.
 */
type MoveOf<T extends PaymentMove["type"]> = Extract<PaymentMove, { type: T }>;

export const completed: MoveOf<"checkout_completed"> = {
	type: "checkout_completed",
	payment_status: "paid",
	payment_intent_id: "pi_1",
	charge_id: "ch_1",
};
export const processingMove: MoveOf<"checkout_completed"> = {
	type: "checkout_completed",
	payment_status: "unpaid",
	payment_intent_id: "pi_1",
};
export const handover: MoveOf<"handover_confirmed"> = { type: "handover_confirmed", by: "buyer" };
export const transferred: MoveOf<"transfer_created"> = { type: "transfer_created", transfer_id: "tr_1" };

export function ok(result: PaymentTransition | PaymentRefusal): PaymentTransition {
	if (!result.ok) throw new Error(`expected a transition, got ${result.kind}: ${result.detail}`);
	return result;
}

export function kindOf(result: PaymentTransition | PaymentRefusal): PaymentRefusalKind {
	if (result.ok) throw new Error(`expected a refusal, got a transition to ${result.state.status}`);
	expect(result.detail).toMatch(/\S/);
	return result.kind;
}

/** Applies moves one an hour apart from `state`; every one must go through. */
export function run(state: PaymentState, ...moves: PaymentMove[]): { state: PaymentState; effects: PaymentEffect[] } {
	const effects: PaymentEffect[] = [];
	let current = state;
	for (const move of moves) {
		const result = ok(apply(current, move, current.updated_at + HOUR));
		current = result.state;
		effects.push(...result.effects);
	}
	return { state: current, effects };
}

export const pending = () => start(opening, T0);
export const paid = () => run(pending(), completed).state;
export const released = () => run(paid(), handover, transferred).state;
export const types = (effects: PaymentEffect[]) => effects.map((effect) => effect.type);
