/**
 * The steps the payment machine (./machine.ts) is made of: holding checks, disputes, refunds,
 * release, and the small constructors of transitions and refusals. Pure, like the machine; only
 * the machine calls them.
 */

import { split } from "./fee.ts";
import {
	isTerminal,
	type Party,
	type PaymentEffect,
	type PaymentMove,
	type PaymentRefusal,
	type PaymentRefusalKind,
	type PaymentState,
	type PaymentTransition,
} from "./types.ts";

/** A dispute that still freezes the money. */
export function openDispute(state: PaymentState) {
	return state.dispute !== null && state.dispute.closed_at === null ? state.dispute : null;
}

/** `null` while the money is held; otherwise why nothing can be done with it. */
export function checkHeld(state: PaymentState): PaymentRefusal | null {
	if (state.status === "pending") return refuse("not_paid", "The payment has not been made yet.");
	if (isTerminal(state.status)) return closed(state);
	return null;
}

export function openingDispute(
	state: PaymentState,
	move: Extract<PaymentMove, { type: "dispute_opened" }>,
	now: number,
): PaymentTransition | PaymentRefusal {
	if (move.by === "stripe") {
		if (state.dispute?.by === "stripe") {
			// Stripe allows one dispute per charge.
			return state.dispute.id === move.dispute_id
				? already(state)
				: refuse("mismatch", "The charge has another dispute.");
		}
		const held = checkHeld(state);
		if (held) return held;
		const dispute = { by: "stripe" as const, id: move.dispute_id, opened_at: now, closed_at: null, outcome: null };
		// After release nothing is left to freeze; the dispute is recorded, and a loss reverses the transfer.
		const status = state.status === "released" ? "released" : "disputed";
		const next: PaymentState = { ...state, status, dispute };
		return advance(next, now, [notify(next)]);
	}
	if (move.by !== "buyer") return refuse("not_buyer", "Only the buyer can open a dispute.");
	const held = checkHeld(state);
	if (held) return held;
	// One dispute per payment: a buyer's second is a duplicate, and none follows the card issuer's.
	if (state.dispute !== null) {
		return state.dispute.by === "buyer" ? already(state) : refuse("disputed", "The card issuer has the dispute.");
	}
	if (state.status === "released") return refuse("released", "The payment has been released to the seller.");
	if (state.release_requested_at !== null) return refuse("releasing", "The payment is being released.");
	const dispute = { by: "buyer" as const, id: null, opened_at: now, closed_at: null, outcome: null };
	const next: PaymentState = { ...state, status: "disputed", dispute };
	return advance(next, now, [notify(next)]);
}

export function requestingRefund(
	state: PaymentState,
	by: Party,
	amount: number | undefined,
	now: number,
): PaymentTransition | PaymentRefusal {
	if (by !== "admin") return refuse("not_admin", "Only an admin can refund a payment.");
	const held = checkHeld(state);
	if (held) return held;
	if (openDispute(state)?.by === "stripe") return refuse("disputed", "A disputed charge cannot be refunded.");
	if (state.release_requested_at !== null && state.transfer_id === null) {
		return refuse("releasing", "The payment is being released; try again once it is.");
	}
	if (state.refund_awaiting_reversal_cents > 0 || state.reversed_cents < state.reversal_requested_cents) {
		return refuse("refund_pending", "A refund is still under way.");
	}
	const remaining = state.amount_cents - state.refund_requested_cents;
	if (amount === undefined && remaining === 0) return already(state);
	const cents = amount ?? remaining;
	if (!wholeCents(cents) || cents <= 0 || cents > remaining) {
		return refuse("invalid_amount", `A refund must be between 1 and ${remaining} cents.`);
	}
	if (state.status !== "released") return refundBeforeRelease(state, cents, now);
	// After release: reverse the seller's share first; the charge is refunded once that is confirmed.
	const next = reshare(state, state.refund_requested_cents + cents);
	const reversal = state.payout_cents - next.payout_cents;
	if (reversal === 0) return advance(next, now, [refund(next, cents, next.refund_requested_cents)]);
	const reversing = {
		...next,
		reversal_requested_cents: state.reversal_requested_cents + reversal,
		refund_awaiting_reversal_cents: cents,
	};
	return advance(reversing, now, [reverse(reversing, reversal)]);
}

export function chargeRefunded(state: PaymentState, total: number, now: number): PaymentTransition | PaymentRefusal {
	if (state.paid_at === null) return checkHeld(state) ?? closed(state);
	if (total === state.refunded_cents) return already(state);
	if (total < state.refunded_cents) return refuse("stale", "A later refund is recorded.");
	if (!wholeCents(total) || total > state.amount_cents) {
		return refuse("invalid_amount", "More was refunded than was paid.");
	}
	if (isTerminal(state.status)) return closed(state);
	let next: PaymentState = { ...state, refunded_cents: total };
	const effects: PaymentEffect[] = [];
	if (total > state.refund_requested_cents) {
		// Refunded outside this machine (the Stripe dashboard): the shares follow, the seller's first.
		if (state.release_requested_at !== null && state.transfer_id === null) {
			return refuse("releasing", "The payment is being released; the refund is recorded once it is.");
		}
		next = reshare(next, total);
		const reversal = state.status === "released" ? state.payout_cents - next.payout_cents : 0;
		if (reversal > 0) {
			next = { ...next, reversal_requested_cents: next.reversal_requested_cents + reversal };
			effects.push(reverse(next, reversal));
		}
	}
	if (total === state.amount_cents) {
		next = { ...next, status: "refunded", closed_at: now };
		effects.push(notify(next));
	}
	return advance(next, now, effects);
}

export function loseDispute(
	state: PaymentState,
	dispute: NonNullable<PaymentState["dispute"]>,
	now: number,
): PaymentTransition | PaymentRefusal {
	if (state.release_requested_at !== null && state.transfer_id === null) {
		return refuse("releasing", "The payment is being released; the dispute is recorded once it is.");
	}
	// The card issuer took the money back: the buyer has it all, so the seller's share is reversed.
	const reversal = state.transfer_cents - state.reversal_requested_cents;
	let next: PaymentState = {
		...reshare(state, state.amount_cents),
		status: "refunded",
		dispute,
		refunded_cents: state.amount_cents,
		refund_awaiting_reversal_cents: 0,
		closed_at: now,
	};
	const effects: PaymentEffect[] = [];
	if (reversal > 0) {
		next = { ...next, reversal_requested_cents: state.transfer_cents };
		effects.push(reverse(next, reversal));
	}
	effects.push(notify(next));
	return advance(next, now, effects);
}

export function requestRelease(state: PaymentState, now: number): PaymentTransition | PaymentRefusal {
	if (state.payout_cents === 0) return refuse("nothing_to_release", "Everything is being refunded.");
	const next = { ...state, release_requested_at: now, transfer_cents: state.payout_cents };
	const transfer: PaymentEffect = {
		type: "transfer",
		idempotencyKey: `${state.id}:transfer`,
		payment_id: state.id,
		seller_tenant_id: state.seller_tenant_id,
		amount_cents: state.payout_cents,
		currency: state.currency,
		transfer_group: state.id,
		source_transaction: state.charge_id,
		payment_intent_id: state.payment_intent_id,
	};
	return advance(next, now, [transfer, notify(next)]);
}

export function refundBeforeRelease(state: PaymentState, cents: number, now: number): PaymentTransition {
	const next = reshare(state, state.refund_requested_cents + cents);
	return advance(next, now, [refund(next, cents, next.refund_requested_cents)]);
}

/** The fee and payout once `refundRequested` of the amount goes back to the buyer. */
export function reshare(state: PaymentState, refundRequested: number): PaymentState {
	return { ...state, ...split(state.amount_cents - refundRequested), refund_requested_cents: refundRequested };
}

export function refund(state: PaymentState, cents: number, total: number): PaymentEffect {
	return {
		type: "refund",
		idempotencyKey: `${state.id}:refund:${total}`,
		payment_id: state.id,
		payment_intent_id: state.payment_intent_id,
		charge_id: state.charge_id,
		amount_cents: cents,
	};
}

export function reverse(state: PaymentState, cents: number): PaymentEffect {
	// Only a released payment is reversed, and release is confirmed with the transfer's id.
	if (state.transfer_id === null) throw new Error(`payment ${state.id} has no transfer to reverse`);
	return {
		type: "reverse_transfer",
		idempotencyKey: `${state.id}:reversal:${state.reversal_requested_cents}`,
		payment_id: state.id,
		transfer_id: state.transfer_id,
		amount_cents: cents,
	};
}

export function notify(state: PaymentState): PaymentEffect {
	return { type: "notify_room", offer_id: state.offer_id, payment_id: state.id, status: state.status };
}

export function close(state: PaymentState, status: "failed" | "expired", now: number): PaymentTransition {
	const next: PaymentState = { ...state, status, processing: false, closed_at: now };
	return advance(next, now, [notify(next)]);
}

export function advance(next: PaymentState, now: number, effects: PaymentEffect[]): PaymentTransition {
	return { ok: true, state: { ...next, version: next.version + 1, updated_at: now }, effects };
}

export const wholeCents = (value: number) => Number.isSafeInteger(value) && value >= 0;

export function refuse(kind: PaymentRefusalKind, detail: string): PaymentRefusal {
	return { ok: false, kind, detail };
}

export function already(state: PaymentState): PaymentRefusal {
	return refuse("already", `The payment is already ${state.status}; nothing changed.`);
}

export function closed(state: PaymentState): PaymentRefusal {
	return refuse("closed", `The payment is ${state.status}.`);
}
