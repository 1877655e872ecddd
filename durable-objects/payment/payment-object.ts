/**
 * PaymentObject: one Durable Object per payment (`getByName(paymentId)`), the single owner of the
 * escrowed payment's state. Every move — a verified Stripe event through the payments consumer, a
 * person's request through the user Worker, the release alarm — goes through `apply`, which runs
 * the pure machine (shared/payments/machine.ts) and stores the new state, the effects it asks for
 * and the `payment.*` outbox message in one `transactionSync`; then the effects run (./effects.ts).
 *
 * Effects are stored before they run, so a crash, a Stripe outage or a refused call loses none: a
 * failed effect waits with backoff and the one alarm runs it again. Stripe calls carry the
 * machine's idempotency keys, and one drain runs at a time, so the transfer is made once however
 * often it is retried. The alarm also ends the 14-day inspection window (`inspection_window_ended`)
 * and resends outbox messages whose send failed. The trade-off: a move returns after its effects
 * have been tried (a confirmed handover answers `released` when the transfer went through at once),
 * so a slow Stripe makes the caller wait, never the money move twice.
 */
import { DurableObject } from "cloudflare:workers";
import { apply as applyMove, openDispute, start } from "../../shared/payments/machine.ts";
import type { PaymentMove, PaymentOpening, PaymentRefusal } from "../../shared/payments/types.ts";
import { migrate } from "../sqlite.ts";
import { runEffect } from "./effects.ts";
import { migrations } from "./migrations.ts";
import { machineMove, paymentMoveSchema } from "./moves.ts";
import {
	addEffect,
	effectDone,
	effectFailed,
	enqueue,
	flush,
	hasUnsent,
	insertPayment,
	nextEffectAt,
	type PaymentRow,
	pendingEffects,
	RESEND_AFTER_MS,
	readPayment,
	retryable,
	setDisputeReason,
	setStripeFee,
	updateState,
} from "./store.ts";
import { changeEvent, eventTypeOf, type PaymentView, viewOf } from "./view.ts";

export type { PaymentView } from "./view.ts";

export interface OpenPaymentInput {
	opening: PaymentOpening;
	checkout_url: string;
	stripe_account_id: string;
	now: number;
}

export type ApplyResult =
	| { ok: true; view: PaymentView; changed: boolean }
	| { ok: false; refusal: PaymentRefusal; view: PaymentView | null };

/** A failed effect waits 5 s, 10 s, 20 s, … up to an hour before it is tried again. */
export function effectBackoffMs(attempts: number): number {
	return Math.min(5_000 * 2 ** Math.max(attempts - 1, 0), 3_600_000);
}

/** Rounds of follow-up effects one drain runs before it leaves the rest to the alarm. */
const MAX_ROUNDS = 8;

export class PaymentObject extends DurableObject<DispatchEnv> {
	#running: Promise<void> | null = null;
	#again = false;

	constructor(ctx: DurableObjectState, env: DispatchEnv) {
		super(ctx, env);
		migrate(ctx.storage, migrations);
	}

	/** Opens the payment when its checkout is made; a second open returns the existing view unchanged. */
	async open(input: OpenPaymentInput): Promise<PaymentView> {
		const existing = this.#row();
		if (existing) return viewOf(existing);
		const state = start(input.opening, input.now);
		insertPayment(this.#sql, {
			state,
			checkout_url: input.checkout_url,
			stripe_account_id: input.stripe_account_id,
			dispute_reason: null,
			stripe_fee_cents: null,
			charge_id: null,
		});
		await this.#schedule(input.now);
		return viewOf(this.#rowOrThrow());
	}

	view(): PaymentView | null {
		const row = this.#row();
		return row ? viewOf(row) : null;
	}

	/** A move from a webhook, a person or a test; `already` and `stale` refusals are harmless. */
	async apply(move: PaymentMove, now: number): Promise<ApplyResult> {
		const parsed = paymentMoveSchema.safeParse(move);
		if (!parsed.success) throw new TypeError(`not a payment move: ${parsed.error.issues[0]?.message ?? "invalid"}`);
		const row = this.#row();
		if (!row) {
			return { ok: false, refusal: { ok: false, kind: "not_paid", detail: "No such payment." }, view: null };
		}
		const reason = parsed.data.type === "dispute_opened" && "reason" in parsed.data ? parsed.data.reason : undefined;
		const refusal = this.#transition(machineMove(parsed.data), now, reason);
		if (refusal) return { ok: false, refusal, view: viewOf(this.#rowOrThrow()) };
		await this.#drain(now);
		return { ok: true, view: viewOf(this.#rowOrThrow()), changed: true };
	}

	override async alarm(): Promise<void> {
		const now = Date.now();
		const row = this.#row();
		if (row && this.#releaseDueAt(row) !== null && (row.state.release_at ?? Number.POSITIVE_INFINITY) <= now) {
			const refusal = this.#transition({ type: "inspection_window_ended" }, now);
			if (refusal && refusal.kind !== "already" && refusal.kind !== "not_due") {
				console.warn("release at the end of the window refused", row.state.id, refusal.kind);
			}
		}
		// The alarm was set for the earliest waiting effect: running the others early is harmless.
		await this.#drain(now, Number.POSITIVE_INFINITY);
	}

	// --- internals -------------------------------------------------------------------------

	get #sql(): SqlStorage {
		return this.ctx.storage.sql;
	}

	#row(): PaymentRow | null {
		return readPayment(this.#sql);
	}

	#rowOrThrow(): PaymentRow {
		const row = this.#row();
		if (!row) throw new Error("payment not opened");
		return row;
	}

	/** Applies `move` and stores its state, effects and event in one transaction; the refusal, if any. */
	#transition(move: PaymentMove, now: number, reason?: string): PaymentRefusal | null {
		const row = this.#rowOrThrow();
		const outcome = applyMove(row.state, move, now);
		if (!outcome.ok) return outcome;
		const before = row.state;
		const after = outcome.state;
		this.ctx.storage.transactionSync(() => {
			updateState(this.#sql, after);
			if (reason !== undefined && before.dispute === null && after.dispute !== null)
				setDisputeReason(this.#sql, reason);
			for (const effect of outcome.effects) addEffect(this.#sql, effect, now);
			if (before.paid_at === null && after.paid_at !== null) {
				addEffect(this.#sql, { type: "record_charge", payment_id: after.id }, now);
			}
			enqueue(this.#sql, changeEvent(eventTypeOf(before, after), this.#rowOrThrow(), now), now);
		});
		return null;
	}

	/** Runs the due effects, one drain at a time; a caller arriving mid-drain waits for a further round. */
	async #drain(now: number, dueBy = now): Promise<void> {
		if (this.#running) {
			this.#again = true;
			return this.#running;
		}
		this.#running = (async () => {
			try {
				let rounds = 0;
				do {
					this.#again = false;
					await this.#runDue(Math.max(dueBy, Date.now()));
					rounds += 1;
				} while (rounds < MAX_ROUNDS && (this.#again || pendingEffects(this.#sql, Date.now()).length > 0));
				await flush(this.#sql, this.env.PAYMENT_EVENTS, Date.now());
				await this.#schedule(Date.now());
			} finally {
				this.#running = null;
			}
		})();
		return this.#running;
	}

	async #runDue(dueBy: number): Promise<void> {
		for (const pending of pendingEffects(this.#sql, dueBy)) {
			const row = this.#rowOrThrow();
			const at = Date.now();
			try {
				const outcome = await runEffect(this.env, row, pending.effect, at);
				this.ctx.storage.transactionSync(() => {
					effectDone(this.#sql, pending.seq, at);
					if (outcome.stripeFee !== undefined) {
						setStripeFee(this.#sql, outcome.stripeFee.cents, outcome.stripeFee.chargeId);
						enqueue(this.#sql, changeEvent("payment.fee_recorded", this.#rowOrThrow(), at), at);
					}
				});
				if (outcome.move) {
					const refusal = this.#transition(outcome.move, at);
					if (refusal && refusal.kind !== "already") console.warn("effect follow-up refused", row.state.id, refusal);
				}
			} catch (cause) {
				const attempts = pending.attempts + 1;
				console.warn("payment effect failed; retrying later", row.state.id, pending.effect.type, attempts, cause);
				const retry = retryable(pending.effect, cause, attempts);
				effectFailed(this.#sql, pending.seq, at + effectBackoffMs(attempts), String(cause), retry);
			}
		}
	}

	/** When the inspection window would release the money, if nothing has asked for it yet. */
	#releaseDueAt(row: PaymentRow): number | null {
		const s = row.state;
		if (s.status !== "paid" || s.release_requested_at !== null || openDispute(s) || s.release_at === null) return null;
		return s.release_at;
	}

	/** One alarm: the earliest waiting effect, the end of the window, or an unsent message. */
	async #schedule(now: number): Promise<void> {
		const row = this.#row();
		const candidates: number[] = [];
		const effectAt = nextEffectAt(this.#sql);
		if (effectAt !== null) candidates.push(effectAt);
		const releaseAt = row ? this.#releaseDueAt(row) : null;
		if (releaseAt !== null) candidates.push(releaseAt);
		if (hasUnsent(this.#sql)) candidates.push(now + RESEND_AFTER_MS);
		if (candidates.length === 0) await this.ctx.storage.deleteAlarm();
		else await this.ctx.storage.setAlarm(Math.min(...candidates));
	}
}
