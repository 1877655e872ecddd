/**
 * The payment machine's moves as RPC input: every `apply` is parsed here first, so a caller
 * (a route, the consumer, a test) cannot hand the machine a shape it was not written for. The
 * buyer's dispute may carry its reason, which the object keeps beside the machine's state.
 */
import { z } from "zod";
import type { PaymentMove } from "../../shared/payments/types.ts";

const party = z.enum(["buyer", "seller", "admin"]);
const id = z.string().min(1).max(255);
const cents = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const paymentMoveSchema = z.union([
	z
		.object({
			type: z.literal("checkout_completed"),
			payment_status: z.enum(["paid", "unpaid"]),
			payment_intent_id: id,
			charge_id: id.optional(),
		})
		.strict(),
	z.object({ type: z.literal("async_payment_succeeded"), payment_intent_id: id, charge_id: id.optional() }).strict(),
	z.object({ type: z.literal("async_payment_failed") }).strict(),
	z.object({ type: z.literal("session_expired") }).strict(),
	z.object({ type: z.literal("handover_confirmed"), by: party }).strict(),
	z.object({ type: z.literal("inspection_window_ended") }).strict(),
	z.object({ type: z.literal("transfer_created"), transfer_id: id }).strict(),
	z.object({ type: z.literal("transfer_reversed"), transfer_id: id, amount_reversed: cents }).strict(),
	z.object({ type: z.literal("dispute_opened"), by: z.literal("stripe"), dispute_id: id }).strict(),
	z
		.object({ type: z.literal("dispute_opened"), by: party, reason: z.string().trim().min(1).max(2000).optional() })
		.strict(),
	z.object({ type: z.literal("dispute_closed"), dispute_id: id, outcome: z.enum(["won", "lost"]) }).strict(),
	z.object({ type: z.literal("dispute_decided"), by: party, decision: z.enum(["release", "refund"]) }).strict(),
	z.object({ type: z.literal("refund_requested"), by: party, amount_cents: cents.optional() }).strict(),
	z.object({ type: z.literal("charge_refunded"), amount_refunded: cents }).strict(),
]);

export type ParsedMove = z.output<typeof paymentMoveSchema>;

/** The move as the machine takes it (the dispute's reason is the object's, not the machine's). */
export function machineMove(move: ParsedMove): PaymentMove {
	if (move.type === "dispute_opened" && "reason" in move) {
		const { reason: _reason, ...rest } = move;
		return rest;
	}
	return move as PaymentMove;
}
