/**
 * The offer thread's state machine (docs/domain.md, Offer threads): who may counter, accept, reject
 * or withdraw, and what expiry, holds and cancellation do to a thread. Pure — a state, a move and
 * `now` in, a new state or a refusal out — so REST and WebSocket drive one set of rules through the
 * NegotiationRoom, and the rules are tested without a runtime. It knows sides, not tenants: the
 * room maps the caller to a side, persists the new state, and passes a refusal on as a typed value.
 */

import type { OfferEvent } from "../../queues/offer-events.ts";
import type { RefusalKind } from "../../shared/contract/outcomes.ts";
import type { HistoryEntry, OfferStatus, Side } from "../../shared/offers/protocol.ts";

/** A pending proposal lapses after 72 hours without an answer. */
export const PROPOSAL_TTL_MS = 72 * 3600 * 1000;

export interface ThreadState {
	status: OfferStatus;
	/** Starts at 1 and grows by one on every accepted move (optimistic concurrency). */
	version: number;
	/** The latest proposal. */
	amount_cents: number;
	/** Who made the latest proposal; the other side may counter, accept or reject. */
	last_proposer: Side;
	/** Another thread's accepted offer holds the listing. */
	on_hold: boolean;
	/** Milliseconds; non-null exactly when the thread is open and not on hold. */
	expires_at: number | null;
	updated_at: number;
}

export type Move =
	| { type: "counter"; by: Side; amount_cents: number; version: number }
	| { type: "accept"; by: Side; version: number }
	| { type: "reject"; by: Side; version: number }
	| { type: "withdraw"; by: Side; version?: number }
	| { type: "expire" }
	| { type: "hold" }
	| { type: "release" }
	| { type: "cancel"; by: Side };

export const refusalReasons = [
	"stale_version",
	"not_your_turn",
	"closed",
	"on_hold",
	"expired",
	"not_buyer",
	"not_seller",
	"not_due",
	"not_accepted",
	"not_held",
	"invalid_amount",
] as const satisfies readonly RefusalKind[];
/** A subset of the one refusal vocabulary (../../shared/contract/outcomes.ts), which maps each to a status. */
export type RefusalReason = (typeof refusalReasons)[number];

/** `detail` is short and safe to show to either party. */
export interface Refusal {
	ok: false;
	reason: RefusalReason;
	detail: string;
}

export interface Transition {
	ok: true;
	state: ThreadState;
	event: OfferEvent["type"];
	action: HistoryEntry["action"];
}

type Verb = Exclude<HistoryEntry["action"], "created">;

export function start(amountCents: number, now: number): ThreadState {
	return {
		status: "pending",
		version: 1,
		amount_cents: amountCents,
		last_proposer: "buyer",
		on_hold: false,
		expires_at: now + PROPOSAL_TTL_MS,
		updated_at: now,
	};
}

export function isOpen(status: OfferStatus): boolean {
	return status === "pending" || status === "countered";
}

/** The side that may counter, accept or reject now; `null` when nobody may. */
export function turnOf(state: ThreadState): Side | null {
	if (!isOpen(state.status) || state.on_hold) return null;
	return state.last_proposer === "buyer" ? "seller" : "buyer";
}

export function apply(state: ThreadState, move: Move, now: number): Transition | Refusal {
	switch (move.type) {
		case "counter": {
			const refusal = checkAnswer(state, move, now);
			if (refusal) return refusal;
			if (!Number.isSafeInteger(move.amount_cents) || move.amount_cents <= 0) {
				return refuse("invalid_amount", "The amount must be a positive whole number of cents.");
			}
			return advance(state, now, "countered", {
				status: "countered",
				amount_cents: move.amount_cents,
				last_proposer: move.by,
				expires_at: now + PROPOSAL_TTL_MS,
			});
		}
		case "accept":
			return checkAnswer(state, move, now) ?? advance(state, now, "accepted", { status: "accepted", expires_at: null });
		case "reject":
			return checkAnswer(state, move, now) ?? advance(state, now, "rejected", { status: "rejected", expires_at: null });
		case "withdraw":
			if (move.by !== "buyer") return refuse("not_buyer", "Only the buyer can withdraw an offer.");
			if (!isOpen(state.status)) return closed(state);
			if (move.version !== undefined && move.version !== state.version) return stale(state, move.version);
			// A proposal that has lapsed is expired, whoever gets there first, the alarm or the buyer.
			if (lapsed(state, now)) return refuse("expired", "The proposal has expired.");
			return advance(state, now, "withdrawn", { status: "withdrawn", expires_at: null });
		case "expire":
			if (!isOpen(state.status)) return closed(state);
			if (state.on_hold) return onHold();
			if (state.expires_at === null || now < state.expires_at) {
				return refuse("not_due", "The proposal has not expired yet.");
			}
			return advance(state, now, "expired", { status: "expired", expires_at: null });
		case "hold":
			if (!isOpen(state.status)) return closed(state);
			if (state.on_hold) return onHold();
			// Holding must not revive a proposal whose alarm is merely late.
			if (lapsed(state, now)) return refuse("expired", "The proposal has expired.");
			return advance(state, now, "held", { on_hold: true, expires_at: null });
		case "release":
			if (!isOpen(state.status)) return closed(state);
			if (!state.on_hold) return refuse("not_held", "The offer is not on hold.");
			return advance(state, now, "released", { on_hold: false, expires_at: now + PROPOSAL_TTL_MS });
		case "cancel":
			if (move.by !== "seller") return refuse("not_seller", "Only the seller can cancel an accepted offer.");
			// Every other closed status absorbs; an open thread has nothing accepted to cancel.
			if (state.status !== "accepted") {
				return isOpen(state.status)
					? refuse("not_accepted", "Only an accepted offer can be cancelled.")
					: closed(state);
			}
			return advance(state, now, "cancelled", { status: "cancelled" });
	}
}

/** The checks shared by counter, accept and reject, in the order the contract pins. */
function checkAnswer(state: ThreadState, move: { by: Side; version: number }, now: number): Refusal | null {
	if (!isOpen(state.status)) return closed(state);
	if (state.on_hold) return onHold();
	if (move.version !== state.version) return stale(state, move.version);
	if (move.by === state.last_proposer) {
		return refuse("not_your_turn", "You made the latest proposal; it is the other side's turn.");
	}
	if (lapsed(state, now)) return refuse("expired", "The proposal has expired.");
	return null;
}

/** An open, unheld proposal past its expiry that the alarm has not expired yet. */
function lapsed(state: ThreadState, now: number): boolean {
	return !state.on_hold && state.expires_at !== null && now >= state.expires_at;
}

function advance(state: ThreadState, now: number, verb: Verb, changes: Partial<ThreadState>): Transition {
	return {
		ok: true,
		state: { ...state, ...changes, version: state.version + 1, updated_at: now },
		event: `offer.${verb}`,
		action: verb,
	};
}

function refuse(reason: RefusalReason, detail: string): Refusal {
	return { ok: false, reason, detail };
}

function closed(state: ThreadState): Refusal {
	return refuse("closed", `The offer is already ${state.status}.`);
}

function onHold(): Refusal {
	return refuse("on_hold", "The listing is on hold for another accepted offer.");
}

function stale(state: ThreadState, version: number): Refusal {
	return refuse("stale_version", `Version ${version} is stale; the offer is at version ${state.version}.`);
}
