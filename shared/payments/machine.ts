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
	advance,
	already,
	chargeRefunded,
	checkHeld,
	close,
	closed,
	loseDispute,
	notify,
	openDispute,
	openingDispute,
	refund,
	refundBeforeRelease,
	refuse,
	requestingRefund,
	requestRelease,
	wholeCents,
} from "./transitions.ts";

export { openDispute };

import {
	INSPECTION_WINDOW_MS,
	type PaymentMove,
	type PaymentOpening,
	type PaymentRefusal,
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
