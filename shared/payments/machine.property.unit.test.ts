/** Property tests: long random sequences of webhooks and requests, duplicated and out of order. */
import { describe, expect, it } from "vitest";
import { seededDraws } from "../../test/support/seeded-random.ts";
import { platformFee } from "./fee.ts";
import { HOUR, ID, opening, T0 } from "./machine.test.helpers.ts";
import {
	apply,
	INSPECTION_WINDOW_MS,
	isTerminal,
	NEXT,
	type PaymentEffect,
	type PaymentMove,
	type PaymentRefusal,
	type PaymentState,
	type PaymentTransition,
	paymentRefusalKinds,
	paymentStatuses,
	STATUS_RANK,
	start,
} from "./machine.ts";

/** Set PAYMENT_SEED to replay a failing run; every failure names the seed. */
const BASE_SEED = Number(process.env.PAYMENT_SEED ?? 0x9a7e5) >>> 0;
const SEQUENCES = 2000;
const MAX_MOVES = 60;

interface Step {
	prev: PaymentState;
	before: PaymentState;
	move: PaymentMove;
	now: number;
	result: PaymentTransition | PaymentRefusal;
	next: PaymentState;
}

interface Trace {
	index: number;
	seed: number;
	steps: Step[];
}

function generate(index: number): Trace {
	const { seed, random, int, chance, pick } = seededDraws(BASE_SEED, index);
	const party = () => (chance(0.8) ? null : pick(["buyer", "seller", "admin"] as const));

	const amount = 1 + int(chance(0.5) ? 1_000 : 1_000_000_000_00);
	let now = T0 + int(1000 * HOUR);
	let state = start({ ...opening, amount_cents: amount }, now);
	const applied: PaymentMove[] = [];
	const steps: Step[] = [];
	const length = 1 + int(MAX_MOVES);

	const total = (base: number) => {
		const roll = random();
		if (roll < 0.6) return base;
		if (roll < 0.85) return int(state.amount_cents + 1);
		if (roll < 0.95) return Math.max(0, base - 1 - int(10));
		return state.amount_cents + 1 + int(10);
	};

	const moveOf = (roll: number): PaymentMove => {
		if (roll < 0.1) {
			const payment_intent_id = chance(0.95) ? "pi_1" : "pi_2";
			return chance(0.6)
				? { type: "checkout_completed", payment_status: "paid", payment_intent_id, charge_id: "ch_1" }
				: { type: "checkout_completed", payment_status: "unpaid", payment_intent_id };
		}
		if (roll < 0.15) return { type: "async_payment_succeeded", payment_intent_id: "pi_1", charge_id: "ch_1" };
		if (roll < 0.18) return { type: "async_payment_failed" };
		if (roll < 0.21) return { type: "session_expired" };
		if (roll < 0.28) return { type: "handover_confirmed", by: party() ?? "buyer" };
		if (roll < 0.35) return { type: "inspection_window_ended" };
		if (roll < 0.43) return { type: "transfer_created", transfer_id: chance(0.9) ? "tr_1" : "tr_2" };
		if (roll < 0.48) {
			return { type: "transfer_reversed", transfer_id: "tr_1", amount_reversed: total(state.reversal_requested_cents) };
		}
		if (roll < 0.55) {
			return chance(0.5)
				? { type: "dispute_opened", by: party() ?? "buyer" }
				: { type: "dispute_opened", by: "stripe", dispute_id: chance(0.9) ? "dp_1" : "dp_2" };
		}
		if (roll < 0.6) return { type: "dispute_closed", dispute_id: "dp_1", outcome: chance(0.5) ? "won" : "lost" };
		if (roll < 0.65) {
			return { type: "dispute_decided", by: party() ?? "admin", decision: chance(0.5) ? "release" : "refund" };
		}
		if (roll < 0.78) {
			const remaining = state.amount_cents - state.refund_requested_cents;
			const amountRoll = random();
			const amount_cents =
				amountRoll < 0.35
					? undefined
					: amountRoll < 0.85
						? 1 + int(Math.max(1, remaining))
						: pick([0, -1, 0.5, remaining + 1]);
			return amount_cents === undefined
				? { type: "refund_requested", by: party() ?? "admin" }
				: { type: "refund_requested", by: party() ?? "admin", amount_cents };
		}
		return { type: "charge_refunded", amount_refunded: total(state.refund_requested_cents) };
	};

	for (let i = 0; i < length; i++) {
		const clock = random();
		if (clock < 0.08 && state.release_at !== null) now = Math.max(now, state.release_at - int(2));
		else if (clock < 0.12) now += INSPECTION_WINDOW_MS;
		else now += int(12 * HOUR);
		// Now and then an earlier event comes again: a redelivery, or one that was overtaken.
		const move = applied.length > 0 && chance(0.12) ? pick(applied) : moveOf(random());
		const prev = state;
		const before = structuredClone(prev);
		const result = apply(prev, move, now);
		if (result.ok) {
			state = result.state;
			applied.push(move);
		}
		steps.push({ prev, before, move, now, result, next: state });
	}
	return { index, seed, steps };
}

const traces = Array.from({ length: SEQUENCES }, (_, index) => generate(index));

function fail(problem: string, trace: Trace, i: number, step: Step): never {
	throw new Error(
		`${problem}\nPAYMENT_SEED=${BASE_SEED}, sequence ${trace.index} (seed ${trace.seed}), step ${i}\n` +
			JSON.stringify({ prev: step.before, move: step.move, now: step.now, result: step.result }, null, 2),
	);
}

function everyStep(check: (step: Step, trace: Trace, i: number) => string | null): void {
	for (const trace of traces) {
		for (const [i, step] of trace.steps.entries()) {
			const problem = check(step, trace, i);
			if (problem !== null) fail(problem, trace, i, step);
		}
	}
}

const effectsOf = (trace: Trace) => trace.steps.flatMap((step) => (step.result.ok ? step.result.effects : []));
const sum = (effects: PaymentEffect[], type: PaymentEffect["type"]) =>
	effects.reduce(
		(total, effect) => total + (effect.type === type && "amount_cents" in effect ? effect.amount_cents : 0),
		0,
	);

describe(`random move sequences (PAYMENT_SEED=${BASE_SEED}, ${SEQUENCES} sequences of up to ${MAX_MOVES} moves)`, () => {
	it("reaches every status and every refusal kind", () => {
		const seen = new Set<string>();
		for (const trace of traces) {
			for (const { result } of trace.steps)
				seen.add(result.ok ? `status ${result.state.status}` : `refused ${result.kind}`);
		}
		const everything = [
			...paymentStatuses.map((status) => `status ${status}`),
			...paymentRefusalKinds.map((kind) => `refused ${kind}`),
		];
		expect([...seen].sort()).toEqual(everything.sort());
	});

	it("never moves a status backwards: every change is an edge of NEXT, up the rank", () => {
		everyStep(({ prev, next }) => {
			if (prev.status === next.status) return null;
			return NEXT[prev.status].includes(next.status) && STATUS_RANK[next.status] > STATUS_RANK[prev.status]
				? null
				: `${prev.status} → ${next.status}`;
		});
	});

	it("advances the version by one and stamps `now` on every transition; a refusal changes nothing", () => {
		everyStep(({ prev, before, next, result, now }) => {
			if (JSON.stringify(prev) !== JSON.stringify(before)) return "apply mutated its input";
			if (!result.ok) {
				if (next !== prev) return "a refusal changed the state";
				if (!(paymentRefusalKinds as readonly string[]).includes(result.kind)) return `unknown kind ${result.kind}`;
				return /\S/.test(result.detail) ? null : "empty detail";
			}
			if (next.version !== prev.version + 1) return `version ${prev.version} → ${next.version}`;
			return next.updated_at === now ? null : "updated_at is not the move's time";
		});
	});

	it("keeps fee + payout + refunds equal to the amount, the fee 8% of what is kept, and refunds within it", () => {
		everyStep(({ next: s }) => {
			if (s.fee_cents + s.payout_cents + s.refund_requested_cents !== s.amount_cents) return "the shares do not add up";
			if (s.fee_cents !== platformFee(s.amount_cents - s.refund_requested_cents))
				return "the fee is not 8% of the rest";
			if (s.refunded_cents > s.refund_requested_cents || s.refund_requested_cents > s.amount_cents) {
				return `refunded ${s.refunded_cents} of requested ${s.refund_requested_cents} of ${s.amount_cents}`;
			}
			if (s.transfer_cents > 0 && s.transfer_cents - s.reversal_requested_cents !== s.payout_cents) {
				return "the seller keeps more or less than the payout";
			}
			return s.reversed_cents <= s.transfer_cents ? null : "more reversed than transferred";
		});
	});

	it("moves money at most once: one transfer ever, refunds and reversals within what there is", () => {
		for (const trace of traces) {
			const effects = effectsOf(trace);
			const transfers = effects.filter((effect) => effect.type === "transfer");
			const last = trace.steps.at(-1)?.next;
			if (!last) continue;
			const problem =
				transfers.length > 1
					? `${transfers.length} transfers`
					: transfers.some((effect) => effect.idempotencyKey !== `${ID}:transfer`)
						? "a transfer without the payment's key"
						: sum(effects, "refund") > last.refund_requested_cents
							? "more refunded than requested"
							: sum(effects, "reverse_transfer") !== last.reversal_requested_cents
								? "reversals do not match their requests"
								: sum(effects, "transfer") < sum(effects, "reverse_transfer")
									? "more reversed than transferred"
									: null;
			const keys = effects.flatMap((effect) => ("idempotencyKey" in effect ? [effect.idempotencyKey] : []));
			if (problem ?? (new Set(keys).size !== keys.length ? "an idempotency key used twice" : null)) {
				const step = trace.steps.at(-1) as Step;
				fail(problem ?? "an idempotency key used twice", trace, trace.steps.length - 1, step);
			}
		}
	});

	it("never asks for a transfer during a dispute, after a full refund, or of nothing", () => {
		everyStep(({ next, result }) => {
			if (!result.ok) return null;
			for (const effect of result.effects) {
				if (effect.type !== "transfer") continue;
				const open = next.dispute !== null && next.dispute.closed_at === null;
				if (open) return "a transfer while the dispute is open";
				if (next.refund_requested_cents >= next.amount_cents || isTerminal(next.status))
					return "a transfer after a refund";
				if (effect.amount_cents <= 0 || effect.amount_cents !== next.payout_cents)
					return "a transfer of the wrong amount";
			}
			return null;
		});
	});

	it("refunds after release only once every reversal asked for is confirmed", () => {
		everyStep(({ next, result }) => {
			if (!result.ok || next.transfer_id === null) return null;
			const refunds = result.effects.filter((effect) => effect.type === "refund");
			return refunds.length > 0 && next.reversed_cents < next.reversal_requested_cents
				? `a refund with ${next.reversed_cents} of ${next.reversal_requested_cents} reversed`
				: null;
		});
	});

	it("marks the listing sold exactly when the money is first held, with the release 14 days later", () => {
		everyStep(({ prev, next, result }) => {
			if (!result.ok) return null;
			const sold = result.effects.filter((effect) => effect.type === "mark_listing_sold").length;
			const first = prev.paid_at === null && next.paid_at !== null;
			if (sold !== (first ? 1 : 0)) return `${sold} mark_listing_sold effects`;
			if (first && next.release_at !== (next.paid_at ?? 0) + INSPECTION_WINDOW_MS)
				return "release_at is not paid_at + 14 days";
			const scheduled = result.effects.find((effect) => effect.type === "schedule_release");
			return !scheduled || (scheduled.type === "schedule_release" && scheduled.at === next.release_at)
				? null
				: "the release is scheduled at the wrong time";
		});
	});

	it("answers a move repeated at once as `already`, changing nothing (refund requests aside)", () => {
		everyStep(({ move, next, result, now }) => {
			if (!result.ok || move.type === "refund_requested") return null;
			const again = apply(next, move, now);
			return !again.ok && again.kind === "already"
				? null
				: `a repeated ${move.type} was ${again.ok ? "applied" : again.kind}`;
		});
	});

	it("refuses every earlier move replayed against a later state (refund requests aside)", () => {
		for (const trace of traces) {
			const end = trace.steps.at(-1);
			if (!end) continue;
			for (const [i, step] of trace.steps.entries()) {
				if (!step.result.ok || step.move.type === "refund_requested") continue;
				const replay = apply(end.next, step.move, end.now + 1);
				if (replay.ok) fail(`replaying step ${i} (${step.move.type}) at the end was applied`, trace, i, step);
			}
		}
	});
});
