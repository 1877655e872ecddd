/**
 * The escrowed payment's state machine (docs/domain.md, Payments): what each verified Stripe
 * webhook and each person's request does to one payment, and which money movements that asks for.
 * Pure — a state, a move and `now` in; a new state and its effects, or a typed refusal, out — so a
 * Durable Object can persist the state and its effects in one transaction and run the effects
 * after (Stripe calls with the idempotency keys given here, the listing's `sell`, the room's frame).
 *
 * Money moves at most once: the one transfer carries the key `<payment id>:transfer`; refunds and
 * reversals carry keys derived from the running totals they bring the payment to, so a re-run
 * effect is deduplicated by Stripe and a new one never collides. Release is two-phase: the
 * handover or the end of the 14-day inspection window asks for the transfer (an effect), and only
 * `transfer_created` makes the payment `released`; until then refunds wait (`releasing`). After
 * release a refund first reverses the seller's share of the transfer, then refunds the charge.
 *
 * Webhooks arrive late, twice and out of order: a duplicate is refused as `already`, an event
 * older than the state as `stale`, and neither changes anything. Statuses only move forward along
 * `NEXT` (ranked by `STATUS_RANK`). Partial refunds before release are allowed: the fee is then 8%
 * of what the buyer keeps paying and the transfer carries the rest, so at every step
 * `fee + payout + refund_requested = amount`.
 */

import { split } from "./fee.ts";
import {
	INSPECTION_WINDOW_MS,
	isTerminal,
	type Party,
	type PaymentEffect,
	type PaymentMove,
	type PaymentOpening,
	type PaymentRefusal,
	type PaymentRefusalKind,
	type PaymentState,
	type PaymentTransition,
} from "./types.ts";

export * from "./types.ts";

/** A new payment: its checkout is open; the fee and payout are fixed from the amount. */
export function start(opening: PaymentOpening, now: number): PaymentState {
	if (opening.amount_cents <= 0) throw new RangeError("a payment's amount must be positive");
	return {
		...opening,
		...split(opening.amount_cents),
		status: "pending",
		version: 1,
		refund_requested_cents: 0,
		refunded_cents: 0,
		transfer_cents: 0,
		reversal_requested_cents: 0,
		reversed_cents: 0,
		refund_awaiting_reversal_cents: 0,
		payment_intent_id: null,
		charge_id: null,
		transfer_id: null,
		processing: false,
		dispute: null,
		created_at: now,
		paid_at: null,
		release_at: null,
		release_requested_at: null,
		released_at: null,
		closed_at: null,
		updated_at: now,
	};
}

/** A dispute that still freezes the money. */
export function openDispute(state: PaymentState) {
	return state.dispute !== null && state.dispute.closed_at === null ? state.dispute : null;
}

export function apply(state: PaymentState, move: PaymentMove, now: number): PaymentTransition | PaymentRefusal {
	switch (move.type) {
		case "checkout_completed":
		case "async_payment_succeeded": {
			if (state.payment_intent_id !== null && move.payment_intent_id !== state.payment_intent_id) {
				return refuse("mismatch", "The event is for another payment intent.");
			}
			if (state.paid_at !== null) {
				const unpaid = move.type === "checkout_completed" && move.payment_status === "unpaid";
				return unpaid ? refuse("stale", "The payment has already succeeded.") : already(state);
			}
			if (state.status !== "pending") return closed(state);
			if (move.type === "checkout_completed" && move.payment_status === "unpaid") {
				if (state.processing) return already(state);
				const next = { ...state, processing: true, payment_intent_id: move.payment_intent_id };
				return advance(next, now, [notify(next)]);
			}
			const next: PaymentState = {
				...state,
				status: "paid",
				processing: false,
				payment_intent_id: move.payment_intent_id,
				charge_id: move.charge_id ?? state.charge_id,
				paid_at: now,
				release_at: now + INSPECTION_WINDOW_MS,
			};
			return advance(next, now, [
				{
					type: "mark_listing_sold",
					listing_id: state.listing_id,
					seller_tenant_id: state.seller_tenant_id,
					offer_id: state.offer_id,
					payment_id: state.id,
				},
				{ type: "schedule_release", payment_id: state.id, at: now + INSPECTION_WINDOW_MS },
				notify(next),
			]);
		}
		case "async_payment_failed":
			if (state.status === "failed") return already(state);
			if (state.paid_at !== null) return refuse("stale", "The payment has already succeeded.");
			if (state.status !== "pending") return closed(state);
			return close(state, "failed", now);
		case "session_expired":
			if (state.status === "expired") return already(state);
			if (state.paid_at !== null) return refuse("stale", "The payment has already succeeded.");
			if (state.status !== "pending") return closed(state);
			if (state.processing) return refuse("processing", "A bank payment is still being processed.");
			return close(state, "expired", now);
		case "handover_confirmed":
		case "inspection_window_ended": {
			if (move.type === "handover_confirmed" && move.by !== "buyer") {
				return refuse("not_buyer", "Only the buyer can confirm the handover.");
			}
			const held = checkHeld(state);
			if (held) return held;
			if (state.release_requested_at !== null) return already(state);
			if (openDispute(state)) return refuse("disputed", "A dispute freezes the release.");
			if (move.type === "inspection_window_ended" && now < (state.release_at ?? Number.POSITIVE_INFINITY)) {
				return refuse("not_due", "The inspection window has not ended yet.");
			}
			return requestRelease(state, now);
		}
		case "transfer_created": {
			if (state.transfer_id === move.transfer_id) return already(state);
			if (state.transfer_id !== null) return refuse("mismatch", "The payment has another transfer.");
			if (state.release_requested_at === null) return refuse("not_requested", "No transfer was asked for.");
			const next: PaymentState = { ...state, status: "released", transfer_id: move.transfer_id, released_at: now };
			return advance(next, now, [notify(next)]);
		}
		case "transfer_reversed": {
			if (state.transfer_id === null || move.transfer_id !== state.transfer_id) {
				return refuse("mismatch", "The event is for another transfer.");
			}
			if (move.amount_reversed === state.reversed_cents) return already(state);
			if (move.amount_reversed < state.reversed_cents) return refuse("stale", "A later reversal is recorded.");
			if (!wholeCents(move.amount_reversed) || move.amount_reversed > state.transfer_cents) {
				return refuse("invalid_amount", "More was reversed than was transferred.");
			}
			const next = { ...state, reversed_cents: move.amount_reversed };
			const waiting = next.refund_awaiting_reversal_cents;
			if (waiting === 0 || next.reversed_cents < next.reversal_requested_cents) return advance(next, now, []);
			// The seller's share is back: the buyer's refund can go out now.
			const refunded = { ...next, refund_awaiting_reversal_cents: 0 };
			return advance(refunded, now, [refund(refunded, waiting, refunded.refund_requested_cents)]);
		}
		case "dispute_opened":
			return openingDispute(state, move, now);
		case "dispute_closed": {
			const dispute = state.dispute;
			if (dispute === null || dispute.by !== "stripe") return refuse("no_dispute", "There is no Stripe dispute.");
			if (dispute.id !== move.dispute_id) return refuse("mismatch", "The event is for another dispute.");
			if (dispute.closed_at !== null) return already(state);
			const closedDispute = { ...dispute, closed_at: now, outcome: move.outcome };
			if (move.outcome === "lost") return loseDispute(state, closedDispute, now);
			const next = { ...state, dispute: closedDispute };
			if (next.status !== "disputed" || next.release_requested_at !== null || next.payout_cents === 0) {
				return advance(next, now, [notify(next)]);
			}
			return requestRelease(next, now);
		}
		case "dispute_decided": {
			if (move.by !== "admin") return refuse("not_admin", "Only an admin decides a dispute.");
			const held = checkHeld(state);
			if (held) return held;
			const dispute = state.dispute;
			if (dispute === null) return refuse("no_dispute", "There is no dispute to decide.");
			if (dispute.by === "stripe") return refuse("disputed", "The card issuer decides a Stripe dispute.");
			if (dispute.closed_at !== null) return already(state);
			const next = { ...state, dispute: { ...dispute, closed_at: now, outcome: move.decision } };
			if (move.decision === "release") {
				if (next.payout_cents === 0) return refuse("nothing_to_release", "Everything is being refunded.");
				return requestRelease(next, now);
			}
			const remaining = next.amount_cents - next.refund_requested_cents;
			return remaining === 0 ? advance(next, now, [notify(next)]) : refundBeforeRelease(next, remaining, now);
		}
		case "refund_requested":
			return requestingRefund(state, move.by, move.amount_cents, now);
		case "charge_refunded":
			return chargeRefunded(state, move.amount_refunded, now);
	}
}

/** `null` while the money is held; otherwise why nothing can be done with it. */
function checkHeld(state: PaymentState): PaymentRefusal | null {
	if (state.status === "pending") return refuse("not_paid", "The payment has not been made yet.");
	if (isTerminal(state.status)) return closed(state);
	return null;
}

function openingDispute(
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

function requestingRefund(
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

function chargeRefunded(state: PaymentState, total: number, now: number): PaymentTransition | PaymentRefusal {
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

function loseDispute(
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

function requestRelease(state: PaymentState, now: number): PaymentTransition | PaymentRefusal {
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

function refundBeforeRelease(state: PaymentState, cents: number, now: number): PaymentTransition {
	const next = reshare(state, state.refund_requested_cents + cents);
	return advance(next, now, [refund(next, cents, next.refund_requested_cents)]);
}

/** The fee and payout once `refundRequested` of the amount goes back to the buyer. */
function reshare(state: PaymentState, refundRequested: number): PaymentState {
	return { ...state, ...split(state.amount_cents - refundRequested), refund_requested_cents: refundRequested };
}

function refund(state: PaymentState, cents: number, total: number): PaymentEffect {
	return {
		type: "refund",
		idempotencyKey: `${state.id}:refund:${total}`,
		payment_id: state.id,
		payment_intent_id: state.payment_intent_id,
		charge_id: state.charge_id,
		amount_cents: cents,
	};
}

function reverse(state: PaymentState, cents: number): PaymentEffect {
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

function notify(state: PaymentState): PaymentEffect {
	return { type: "notify_room", offer_id: state.offer_id, payment_id: state.id, status: state.status };
}

function close(state: PaymentState, status: "failed" | "expired", now: number): PaymentTransition {
	const next: PaymentState = { ...state, status, processing: false, closed_at: now };
	return advance(next, now, [notify(next)]);
}

function advance(next: PaymentState, now: number, effects: PaymentEffect[]): PaymentTransition {
	return { ok: true, state: { ...next, version: next.version + 1, updated_at: now }, effects };
}

const wholeCents = (value: number) => Number.isSafeInteger(value) && value >= 0;

function refuse(kind: PaymentRefusalKind, detail: string): PaymentRefusal {
	return { ok: false, kind, detail };
}

function already(state: PaymentState): PaymentRefusal {
	return refuse("already", `The payment is already ${state.status}; nothing changed.`);
}

function closed(state: PaymentState): PaymentRefusal {
	return refuse("closed", `The payment is ${state.status}.`);
}
