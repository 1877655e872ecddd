/**
 * The one error vocabulary of offer threads. Domain code (the state machine, the NegotiationRoom)
 * refuses a move with a typed `Refusal` — a kind and a detail safe to show either party — which
 * crosses RPC as a plain value; it never picks an HTTP status. `refusalProblem` is the only place
 * a kind becomes a status: the REST handlers throw the `Problem` it returns, and the room derives
 * its WebSocket error frame from that same `Problem` (`errorFrame`), so a refusal answered over
 * REST and over the socket always carries the same status and detail.
 *
 * No runtime imports besides ../http/problem.ts, so the web app and scripts can load it.
 */

import { type Problem, problemBody } from "../http/problem.ts";
import type { ErrorFrame } from "../offers/protocol.ts";
import type { PaymentRefusal } from "../payments/types.ts";

export const refusalKinds = [
	// The state machine's reasons (durable-objects/negotiation-room/machine.ts).
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
	// The room's own: no thread, or the caller is not one of its parties.
	"not_found",
	/** An admin may follow a thread but not move it or chat in it. */
	"admin_read_only",
	/** A move that does not fit the protocol (an RPC caller's frame that fails the frame schema). */
	"invalid_move",
	/** Another acceptance took the listing first. */
	"listing_unavailable",
] as const;
export type RefusalKind = (typeof refusalKinds)[number];

export interface Refusal {
	kind: RefusalKind;
	/** Short, and safe to show to either party. */
	detail: string;
}

/** A refused domain call, as it crosses RPC. */
export interface Refused {
	ok: false;
	refusal: Refusal;
}

/** The refusal as an HTTP problem (and, through `errorFrame`, as a WebSocket error frame). */
export function refusalProblem(refusal: Refusal): Problem {
	const { detail } = refusal;
	switch (refusal.kind) {
		case "invalid_amount":
		case "invalid_move":
			return { reason: "bad_request", detail };
		case "not_buyer":
		case "not_seller":
		case "admin_read_only":
			return { reason: "forbidden", detail };
		// A thread the caller may not see does not exist for it (docs/architecture.md, Tenants, roles
		// and access): the generic 404.
		case "not_found":
			return { reason: "not_found" };
		case "stale_version":
		case "not_your_turn":
		case "closed":
		case "on_hold":
		case "expired":
		case "not_due":
		case "not_accepted":
		case "not_held":
		case "listing_unavailable":
			return { reason: "conflict", detail };
		default: {
			const unreachable: never = refusal.kind;
			throw new Error(`unhandled refusal ${String(unreachable)}`);
		}
	}
}

/**
 * A payment move the machine (shared/payments/machine.ts) refused, as an HTTP problem: the one
 * place a payment refusal kind becomes a status. `already` and `stale` are harmless (the move's
 * outcome is recorded, or a later one is); the routes answer the payment as it is before asking
 * this, so here they are a plain conflict.
 */
export function paymentRefusalProblem(refusal: Pick<PaymentRefusal, "kind" | "detail">): Problem {
	const { detail } = refusal;
	switch (refusal.kind) {
		case "invalid_amount":
			return { reason: "bad_request", detail };
		case "not_buyer":
		case "not_admin":
			return { reason: "forbidden", detail };
		case "already":
		case "stale":
		case "closed":
		case "not_paid":
		case "processing":
		case "disputed":
		case "releasing":
		case "released":
		case "not_due":
		case "mismatch":
		case "no_dispute":
		case "not_requested":
		case "refund_pending":
		case "nothing_to_release":
			return { reason: "conflict", detail };
		default: {
			const unreachable: never = refusal.kind;
			throw new Error(`unhandled payment refusal ${String(unreachable)}`);
		}
	}
}

/** The WebSocket error frame of a problem: its status and detail, exactly as REST answers them. */
export function errorFrame(problem: Problem): ErrorFrame {
	const { status, detail } = problemBody(problem);
	return { type: "error", status, detail };
}
