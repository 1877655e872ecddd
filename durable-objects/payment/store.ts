/**
 * The PaymentObject's rows (schema in ./migrations.ts): the payment (the machine's state as JSON
 * beside the object's own fields), its effects queue and its outbox of `payment-events` messages.
 * Module functions over the object's `SqlStorage`; nothing here opens a transaction — the class
 * wraps a transition, its effects and its outbox row in one `transactionSync`.
 */
import type { PaymentChange } from "../../queues/payment-events.ts";
import type { PaymentEffect, PaymentState } from "../../shared/payments/types.ts";
import { query } from "../sqlite.ts";

/** The machine's effects, and one of the object's own: read Stripe's fee once the charge is paid. */
export type StoredEffect = PaymentEffect | { type: "record_charge"; payment_id: string };

export interface PaymentRow {
	state: PaymentState;
	checkout_url: string;
	stripe_account_id: string;
	dispute_reason: string | null;
	stripe_fee_cents: number | null;
	/** The charge Stripe's fee was read from, when the machine's state does not name it. */
	charge_id: string | null;
}

export interface EffectRow {
	seq: number;
	effect: StoredEffect;
	attempts: number;
	next_at: number;
}

/** How long an unsent outbox row waits before the alarm resends it. */
export const RESEND_AFTER_MS = 30_000;

export function readPayment(sql: SqlStorage): PaymentRow | null {
	const [row] = query(sql)<{
		state: string;
		checkout_url: string;
		stripe_account_id: string;
		dispute_reason: string | null;
		stripe_fee_cents: number | null;
		charge_id: string | null;
	}>`SELECT state, checkout_url, stripe_account_id, dispute_reason, stripe_fee_cents, charge_id FROM payment WHERE id = 1`;
	if (!row) return null;
	return { ...row, state: JSON.parse(row.state) as PaymentState };
}

export function insertPayment(sql: SqlStorage, row: PaymentRow): void {
	query(
		sql,
	)`INSERT INTO payment (id, payment_id, state, checkout_url, stripe_account_id, dispute_reason, stripe_fee_cents)
		VALUES (1, ${row.state.id}, ${JSON.stringify(row.state)}, ${row.checkout_url}, ${row.stripe_account_id}, NULL, NULL)`;
}

export function updateState(sql: SqlStorage, state: PaymentState): void {
	query(sql)`UPDATE payment SET state = ${JSON.stringify(state)} WHERE id = 1`;
}

export function setDisputeReason(sql: SqlStorage, reason: string): void {
	query(sql)`UPDATE payment SET dispute_reason = ${reason} WHERE id = 1`;
}

export function setStripeFee(sql: SqlStorage, cents: number, chargeId: string): void {
	query(sql)`UPDATE payment SET stripe_fee_cents = ${cents}, charge_id = ${chargeId} WHERE id = 1`;
}

export function addEffect(sql: SqlStorage, effect: StoredEffect, now: number): void {
	query(sql)`INSERT INTO effects (type, body, next_at) VALUES (${effect.type}, ${JSON.stringify(effect)}, ${now})`;
}

/** Effects not yet done, in the order they were asked for; `dueBy` limits them to those due by then. */
export function pendingEffects(sql: SqlStorage, dueBy = Number.POSITIVE_INFINITY): EffectRow[] {
	return query(sql)<{ seq: number; body: string; attempts: number; next_at: number }>`
		SELECT seq, body, attempts, next_at FROM effects WHERE done_at IS NULL ORDER BY seq`
		.filter((row) => row.next_at <= dueBy)
		.map((row) => ({
			seq: row.seq,
			effect: JSON.parse(row.body) as StoredEffect,
			attempts: row.attempts,
			next_at: row.next_at,
		}));
}

export function effectDone(sql: SqlStorage, seq: number, now: number): void {
	query(sql)`UPDATE effects SET done_at = ${now}, attempts = attempts + 1, last_error = NULL WHERE seq = ${seq}`;
}

export function effectFailed(sql: SqlStorage, seq: number, nextAt: number, error: string, effect?: StoredEffect): void {
	const body = effect === undefined ? null : JSON.stringify(effect);
	query(sql)`UPDATE effects SET attempts = attempts + 1, next_at = ${nextAt}, last_error = ${error.slice(0, 500)},
		body = COALESCE(${body}, body) WHERE seq = ${seq}`;
}

/**
 * The effect to retry after `cause`. Stripe saves an error answer under its idempotency key and
 * replays it, so after a refusal that proves nothing was made (an invalid request: the seller
 * cannot receive transfers yet, the funds are not there) the retry needs a fresh key; after
 * anything that leaves the outcome unknown (network, 5xx, rate limit) it keeps the same key, so
 * Stripe answers with what the first attempt made, if it made anything.
 */
export function retryable(effect: StoredEffect, cause: unknown, attempts: number): StoredEffect | undefined {
	if (!("idempotencyKey" in effect)) return undefined;
	const error = cause as { type?: unknown; statusCode?: unknown; code?: unknown } | null;
	const refused =
		error !== null &&
		typeof error === "object" &&
		error.type === "StripeInvalidRequestError" &&
		typeof error.statusCode === "number" &&
		error.statusCode >= 400 &&
		error.statusCode < 500 &&
		error.statusCode !== 409 &&
		error.statusCode !== 429 &&
		error.code !== "idempotency_key_in_use";
	if (!refused) return undefined;
	const base = effect.idempotencyKey.replace(/~\d+$/, "");
	return { ...effect, idempotencyKey: `${base}~${attempts}` };
}

export function nextEffectAt(sql: SqlStorage): number | null {
	const [row] = query(sql)<{ at: number | null }>`SELECT min(next_at) AS at FROM effects WHERE done_at IS NULL`;
	return row?.at ?? null;
}

/** Records `event` for sending; call it inside the change's transaction. */
export function enqueue(sql: SqlStorage, event: PaymentChange, now: number): void {
	query(sql)`INSERT INTO outbox (event_id, queue, body, created_at, sent_at)
		VALUES (${event.id}, 'payment-events', ${JSON.stringify(event)}, ${now}, NULL)`;
}

/** Sends what is unsent, oldest first, and marks it sent; a failed send is logged and left for the alarm. */
export async function flush(sql: SqlStorage, queue: Queue, now: number): Promise<void> {
	const read = query(sql);
	const unsent = read<{ event_id: string; body: string }>`
		SELECT event_id, body FROM outbox WHERE sent_at IS NULL ORDER BY created_at, event_id LIMIT 100`;
	if (unsent.length === 0) return;
	try {
		await queue.sendBatch(
			unsent.map((row) => ({ body: JSON.parse(row.body) as PaymentChange, contentType: "json" as const })),
		);
	} catch (cause) {
		console.error("payment-events send failed; the alarm will resend", cause);
		return;
	}
	for (const row of unsent) read`UPDATE outbox SET sent_at = ${now} WHERE event_id = ${row.event_id}`;
}

export function hasUnsent(sql: SqlStorage): boolean {
	const [pending] = query(sql)<{ n: number }>`SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL`;
	return (pending?.n ?? 0) > 0;
}
