import { describe, expect, it } from "vitest";
import type { OfferStatus, Side } from "../../shared/offers/protocol.ts";
import { seededDraws } from "../../test/support/seeded-random.ts";
import {
	apply,
	isOpen,
	type Move,
	PROPOSAL_TTL_MS,
	type Refusal,
	type RefusalReason,
	refusalReasons,
	start,
	type ThreadState,
	type Transition,
	turnOf,
} from "./machine.ts";

const HOUR = 3600 * 1000;
const T0 = Date.UTC(2026, 2, 1, 12);
/** A moment well inside the open proposal's 72 hours. */
const NOW = T0 + 5 * HOUR;
const closedStatuses = ["accepted", "rejected", "withdrawn", "expired", "cancelled"] as const;
const answerTypes = ["counter", "accept", "reject"] as const;
type AnswerType = (typeof answerTypes)[number];

/** An open thread at version 4 in which the seller proposed last, so it is the buyer's turn. */
function thread(overrides: Partial<ThreadState> = {}): ThreadState {
	return Object.freeze({
		status: "countered",
		version: 4,
		amount_cents: 450_000_00,
		last_proposer: "seller",
		on_hold: false,
		expires_at: T0 + PROPOSAL_TTL_MS,
		updated_at: T0,
		...overrides,
	});
}

function closedThread(status: OfferStatus, overrides: Partial<ThreadState> = {}): ThreadState {
	return thread({ status, expires_at: null, ...overrides });
}

function answer(type: AnswerType, by: Side, version: number, amountCents = 480_000_00): Move {
	return type === "counter" ? { type, by, version, amount_cents: amountCents } : { type, by, version };
}

function transition(result: Transition | Refusal): Transition {
	if (!result.ok) throw new Error(`expected a transition, got the refusal ${result.reason}: ${result.detail}`);
	return result;
}

function reasonOf(result: Transition | Refusal): RefusalReason {
	if (result.ok) throw new Error(`expected a refusal, got the transition ${result.action}`);
	expect(result.detail).toMatch(/\S/);
	return result.reason;
}

describe("start", () => {
	it("opens a pending thread at version 1 with the buyer's proposal", () => {
		expect(start(500_000_00, T0)).toEqual({
			status: "pending",
			version: 1,
			amount_cents: 500_000_00,
			last_proposer: "buyer",
			on_hold: false,
			expires_at: T0 + 72 * HOUR,
			updated_at: T0,
		});
	});

	it("gives the seller the first turn", () => {
		expect(turnOf(start(500_000_00, T0))).toBe("seller");
	});
});

describe("isOpen", () => {
	it.each(["pending", "countered"] as const)("treats %s as open", (status) => {
		expect(isOpen(status)).toBe(true);
	});

	it.each(closedStatuses)("treats %s as closed", (status) => {
		expect(isOpen(status)).toBe(false);
	});
});

describe("turnOf", () => {
	it("gives the turn to the side that did not propose last", () => {
		expect(turnOf(thread({ last_proposer: "seller" }))).toBe("buyer");
		expect(turnOf(thread({ last_proposer: "buyer" }))).toBe("seller");
	});

	it("gives nobody the turn while the thread is on hold", () => {
		expect(turnOf(thread({ on_hold: true, expires_at: null }))).toBeNull();
	});

	it.each(closedStatuses)("gives nobody the turn once the thread is %s", (status) => {
		expect(turnOf(closedThread(status))).toBeNull();
	});
});

describe("counter", () => {
	it("records the new amount, the proposer and a fresh 72-hour clock", () => {
		const result = transition(apply(thread(), answer("counter", "buyer", 4, 470_000_00), NOW));
		expect(result).toEqual({
			ok: true,
			state: {
				status: "countered",
				version: 5,
				amount_cents: 470_000_00,
				last_proposer: "buyer",
				on_hold: false,
				expires_at: NOW + PROPOSAL_TTL_MS,
				updated_at: NOW,
			},
			event: "offer.countered",
			action: "countered",
		});
	});

	it("lets the seller answer the buyer's opening offer with a counter", () => {
		const result = transition(apply(start(500_000_00, T0), answer("counter", "seller", 1, 550_000_00), NOW));
		expect(result.state).toMatchObject({ status: "countered", last_proposer: "seller", amount_cents: 550_000_00 });
		expect(turnOf(result.state)).toBe("buyer");
	});

	it("accepts the largest safe integer amount", () => {
		const result = apply(thread(), answer("counter", "buyer", 4, Number.MAX_SAFE_INTEGER), NOW);
		expect(transition(result).state.amount_cents).toBe(Number.MAX_SAFE_INTEGER);
	});

	it.each([0, -1, -450_000_00, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
		"refuses the amount %s as invalid",
		(amount) => {
			expect(reasonOf(apply(thread(), answer("counter", "buyer", 4, amount), NOW))).toBe("invalid_amount");
		},
	);
});

describe("accept", () => {
	it("closes the thread as accepted at the latest amount and stops the clock", () => {
		const result = transition(apply(thread(), answer("accept", "buyer", 4), NOW));
		expect(result).toEqual({
			ok: true,
			state: { ...thread(), status: "accepted", version: 5, expires_at: null, updated_at: NOW },
			event: "offer.accepted",
			action: "accepted",
		});
	});

	it("lets the seller accept the buyer's opening offer", () => {
		expect(transition(apply(start(500_000_00, T0), answer("accept", "seller", 1), NOW)).state.status).toBe("accepted");
	});
});

describe("reject", () => {
	it("closes the thread as rejected and stops the clock", () => {
		const result = transition(apply(thread(), answer("reject", "buyer", 4), NOW));
		expect(result).toEqual({
			ok: true,
			state: { ...thread(), status: "rejected", version: 5, expires_at: null, updated_at: NOW },
			event: "offer.rejected",
			action: "rejected",
		});
	});
});

describe.each(answerTypes)("%s guards", (type) => {
	it("refuses a move by the side that proposed last", () => {
		expect(reasonOf(apply(thread({ last_proposer: "seller" }), answer(type, "seller", 4), NOW))).toBe("not_your_turn");
		expect(reasonOf(apply(start(500_000_00, T0), answer(type, "buyer", 1), NOW))).toBe("not_your_turn");
	});

	it.each([3, 5, 0])("refuses the stale version %s", (version) => {
		expect(reasonOf(apply(thread(), answer(type, "buyer", version), NOW))).toBe("stale_version");
	});

	it("refuses a move while the thread is on hold", () => {
		expect(reasonOf(apply(thread({ on_hold: true, expires_at: null }), answer(type, "buyer", 4), NOW))).toBe("on_hold");
	});

	it.each(closedStatuses)("refuses a move on a thread that is %s", (status) => {
		expect(reasonOf(apply(closedThread(status), answer(type, "buyer", 4), NOW))).toBe("closed");
	});

	it("refuses a move at the moment the proposal expires", () => {
		const state = thread();
		expect(reasonOf(apply(state, answer(type, "buyer", 4), T0 + PROPOSAL_TTL_MS))).toBe("expired");
		expect(reasonOf(apply(state, answer(type, "buyer", 4), T0 + PROPOSAL_TTL_MS + 10 * HOUR))).toBe("expired");
	});

	it("allows a move a millisecond before the proposal expires", () => {
		expect(apply(thread(), answer(type, "buyer", 4), T0 + PROPOSAL_TTL_MS - 1).ok).toBe(true);
	});
});

describe.each(answerTypes)("%s refusal order", (type) => {
	// Each row breaks its own rule and every later one; the earliest broken rule names the refusal.
	const late = T0 + PROPOSAL_TTL_MS;
	const rows: [RefusalReason, ThreadState, Move, number][] = [
		["closed", thread({ status: "rejected", on_hold: true, expires_at: T0 }), answer(type, "seller", 3, 0), late],
		["on_hold", thread({ on_hold: true, expires_at: T0 }), answer(type, "seller", 3, 0), late],
		["stale_version", thread(), answer(type, "seller", 3, 0), late],
		["not_your_turn", thread(), answer(type, "seller", 4, 0), late],
		["expired", thread(), answer(type, "buyer", 4, 0), late],
	];
	it.each(rows)("answers %s first", (reason, state, move, now) => {
		expect(reasonOf(apply(state, move, now))).toBe(reason);
	});
});

describe("withdraw", () => {
	it.each([
		["pending", thread({ status: "pending", last_proposer: "buyer" })],
		["countered", thread({ status: "countered", last_proposer: "seller" })],
	])("withdraws a %s offer on the buyer's word, whoever's turn it is", (_status, state) => {
		const result = transition(apply(state, { type: "withdraw", by: "buyer" }, NOW));
		expect(result).toEqual({
			ok: true,
			state: { ...state, status: "withdrawn", version: 5, expires_at: null, updated_at: NOW },
			event: "offer.withdrawn",
			action: "withdrawn",
		});
	});

	it("withdraws while the thread is on hold", () => {
		const result = apply(thread({ on_hold: true, expires_at: null }), { type: "withdraw", by: "buyer" }, NOW);
		expect(transition(result).state).toMatchObject({ status: "withdrawn", expires_at: null });
	});

	it("withdraws with the current version", () => {
		expect(apply(thread(), { type: "withdraw", by: "buyer", version: 4 }, NOW).ok).toBe(true);
	});

	it.each([3, 5])("refuses a withdrawal with the stale version %s", (version) => {
		expect(reasonOf(apply(thread(), { type: "withdraw", by: "buyer", version }, NOW))).toBe("stale_version");
	});

	it("refuses a withdrawal by the seller", () => {
		expect(reasonOf(apply(thread(), { type: "withdraw", by: "seller" }, NOW))).toBe("not_buyer");
	});

	it.each(closedStatuses)("refuses to withdraw a thread that is %s", (status) => {
		expect(reasonOf(apply(closedThread(status), { type: "withdraw", by: "buyer" }, NOW))).toBe("closed");
	});

	it("answers not_buyer before closed", () => {
		expect(reasonOf(apply(closedThread("rejected"), { type: "withdraw", by: "seller", version: 1 }, NOW))).toBe(
			"not_buyer",
		);
	});

	it("answers closed before stale_version", () => {
		expect(reasonOf(apply(closedThread("rejected"), { type: "withdraw", by: "buyer", version: 1 }, NOW))).toBe(
			"closed",
		);
	});
});

describe("expire", () => {
	it.each(["pending", "countered"] as const)("expires a %s proposal at the moment its time comes", (status) => {
		const state = thread({ status });
		const result = transition(apply(state, { type: "expire" }, T0 + PROPOSAL_TTL_MS));
		expect(result).toEqual({
			ok: true,
			state: { ...state, status: "expired", version: 5, expires_at: null, updated_at: T0 + PROPOSAL_TTL_MS },
			event: "offer.expired",
			action: "expired",
		});
	});

	it("refuses to expire a proposal a millisecond before its time", () => {
		expect(reasonOf(apply(thread(), { type: "expire" }, T0 + PROPOSAL_TTL_MS - 1))).toBe("not_due");
	});

	it("refuses to expire a thread on hold, however late", () => {
		// A held thread has no clock; the overdue expires_at makes the hold the only thing in the way.
		const state = thread({ on_hold: true, expires_at: T0 });
		expect(reasonOf(apply(state, { type: "expire" }, T0 + 10 * PROPOSAL_TTL_MS))).toBe("on_hold");
	});

	it.each(closedStatuses)("refuses to expire a thread that is %s", (status) => {
		expect(reasonOf(apply(closedThread(status), { type: "expire" }, T0 + 10 * PROPOSAL_TTL_MS))).toBe("closed");
	});

	it("answers closed before on_hold", () => {
		const state = closedThread("withdrawn", { on_hold: true, expires_at: T0 });
		expect(reasonOf(apply(state, { type: "expire" }, T0 + PROPOSAL_TTL_MS))).toBe("closed");
	});

	it("answers on_hold before not_due", () => {
		expect(reasonOf(apply(thread({ on_hold: true, expires_at: null }), { type: "expire" }, NOW))).toBe("on_hold");
	});
});

describe("hold", () => {
	it.each(["pending", "countered"] as const)("puts a %s thread on hold and stops its clock", (status) => {
		const state = thread({ status });
		const result = transition(apply(state, { type: "hold" }, NOW));
		expect(result).toEqual({
			ok: true,
			state: { ...state, on_hold: true, version: 5, expires_at: null, updated_at: NOW },
			event: "offer.held",
			action: "held",
		});
	});

	it("refuses to hold a thread that is already on hold", () => {
		expect(reasonOf(apply(thread({ on_hold: true, expires_at: null }), { type: "hold" }, NOW))).toBe("on_hold");
	});

	it.each(closedStatuses)("refuses to hold a thread that is %s", (status) => {
		expect(reasonOf(apply(closedThread(status), { type: "hold" }, NOW))).toBe("closed");
	});

	it("answers closed before on_hold", () => {
		expect(reasonOf(apply(closedThread("withdrawn", { on_hold: true }), { type: "hold" }, NOW))).toBe("closed");
	});
});

describe("release", () => {
	it("releases a held thread with a fresh 72-hour clock", () => {
		const state = thread({ on_hold: true, expires_at: null });
		const result = transition(apply(state, { type: "release" }, NOW));
		expect(result).toEqual({
			ok: true,
			state: { ...state, on_hold: false, version: 5, expires_at: NOW + PROPOSAL_TTL_MS, updated_at: NOW },
			event: "offer.released",
			action: "released",
		});
	});

	it("gives the turn back to the side that had it before the hold", () => {
		const held = transition(apply(thread({ last_proposer: "seller" }), { type: "hold" }, NOW)).state;
		expect(turnOf(held)).toBeNull();
		expect(turnOf(transition(apply(held, { type: "release" }, NOW + HOUR)).state)).toBe("buyer");
	});

	it("refuses to release a thread that is not on hold", () => {
		expect(reasonOf(apply(thread(), { type: "release" }, NOW))).toBe("not_held");
	});

	it.each(closedStatuses)("refuses to release a thread that is %s", (status) => {
		expect(reasonOf(apply(closedThread(status), { type: "release" }, NOW))).toBe("closed");
	});

	it("refuses to release a thread that was withdrawn while on hold", () => {
		expect(reasonOf(apply(closedThread("withdrawn", { on_hold: true }), { type: "release" }, NOW))).toBe("closed");
	});
});

describe("cancel", () => {
	it("cancels an accepted offer on the seller's word", () => {
		const state = closedThread("accepted");
		const result = transition(apply(state, { type: "cancel", by: "seller" }, NOW));
		expect(result).toEqual({
			ok: true,
			state: { ...state, status: "cancelled", version: 5, expires_at: null, updated_at: NOW },
			event: "offer.cancelled",
			action: "cancelled",
		});
	});

	it("refuses a cancellation by the buyer", () => {
		expect(reasonOf(apply(closedThread("accepted"), { type: "cancel", by: "buyer" }, NOW))).toBe("not_seller");
	});

	it.each(["pending", "countered"] as const)("refuses to cancel a %s thread", (status) => {
		expect(reasonOf(apply(thread({ status }), { type: "cancel", by: "seller" }, NOW))).toBe("not_accepted");
	});

	it.each(["rejected", "withdrawn", "expired", "cancelled"] as const)(
		"refuses to cancel a thread that is %s",
		(status) => {
			expect(reasonOf(apply(closedThread(status), { type: "cancel", by: "seller" }, NOW))).toBe("closed");
		},
	);

	it("answers not_seller before not_accepted and closed", () => {
		expect(reasonOf(apply(thread(), { type: "cancel", by: "buyer" }, NOW))).toBe("not_seller");
		expect(reasonOf(apply(closedThread("rejected"), { type: "cancel", by: "buyer" }, NOW))).toBe("not_seller");
	});
});

describe("every move", () => {
	const held = thread({ on_hold: true, expires_at: null });
	const cases: [string, ThreadState, Move, number][] = [
		["counter", thread(), answer("counter", "buyer", 4), NOW],
		["accept", thread(), answer("accept", "buyer", 4), NOW],
		["reject", thread(), answer("reject", "buyer", 4), NOW],
		["withdraw", thread(), { type: "withdraw", by: "buyer", version: 4 }, NOW],
		["expire", thread(), { type: "expire" }, T0 + PROPOSAL_TTL_MS],
		["hold", thread(), { type: "hold" }, NOW],
		["release", held, { type: "release" }, NOW],
		["cancel", closedThread("accepted"), { type: "cancel", by: "seller" }, NOW],
		["a refused counter", thread(), answer("counter", "seller", 4), NOW],
		["a refused withdraw", thread(), { type: "withdraw", by: "buyer", version: 1 }, NOW],
		["a refused release", thread(), { type: "release" }, NOW],
	];

	it.each(cases)("leaves its input untouched: %s", (_name, state, move, now) => {
		const before = structuredClone(state);
		const frozenMove = Object.freeze({ ...move });
		apply(state, frozenMove, now);
		expect(state).toEqual(before);
		expect(frozenMove).toEqual(move);
	});

	it.each(cases.slice(0, 8))("returns a new state object with the next version: %s", (_name, state, move, now) => {
		const result = transition(apply(state, move, now));
		expect(result.state).not.toBe(state);
		expect(result.state.version).toBe(state.version + 1);
		expect(result.state.updated_at).toBe(now);
	});
});

describe("a closed thread", () => {
	const moves: Move[] = [
		answer("counter", "buyer", 4),
		answer("counter", "seller", 4),
		answer("accept", "buyer", 4),
		answer("reject", "buyer", 4),
		{ type: "withdraw", by: "buyer" },
		{ type: "expire" },
		{ type: "hold" },
		{ type: "release" },
		{ type: "cancel", by: "seller" },
	];
	const pairs = closedStatuses.flatMap((status) =>
		moves
			.filter((move) => !(status === "accepted" && move.type === "cancel"))
			.map((move): [OfferStatus, string, Move] => [status, move.type, move]),
	);

	it.each(pairs)("absorbs: a thread that is %s refuses %s as closed", (status, _type, move) => {
		expect(reasonOf(apply(closedThread(status), move, T0 + 10 * PROPOSAL_TTL_MS))).toBe("closed");
	});
});

// ---------------------------------------------------------------------------------------------
// Property tests: random move sequences, checked against the invariants the room relies on.

/** mulberry32: a tiny seeded PRNG, good enough to drive test cases reproducibly. */
describe("a lapsed proposal whose alarm is late", () => {
	const lapsedAt = T0 + PROPOSAL_TTL_MS;

	it("refuses a withdrawal as expired, so the thread ends expired rather than withdrawn", () => {
		expect(reasonOf(apply(thread(), { type: "withdraw", by: "buyer" }, lapsedAt))).toBe("expired");
		expect(transition(apply(thread(), { type: "withdraw", by: "buyer" }, lapsedAt - 1)).state.status).toBe("withdrawn");
	});

	it("refuses to hold it, so a hold can never revive it", () => {
		expect(reasonOf(apply(thread(), { type: "hold" }, lapsedAt))).toBe("expired");
		expect(transition(apply(thread(), { type: "hold" }, lapsedAt - 1)).state.on_hold).toBe(true);
	});

	it("still lets the buyer withdraw a held thread, which has no expiry", () => {
		const held = thread({ on_hold: true, expires_at: null });
		expect(transition(apply(held, { type: "withdraw", by: "buyer" }, lapsedAt + HOUR)).state.status).toBe("withdrawn");
	});
});

/** Set MACHINE_SEED to replay a failing run; every failure message names the seed. */
const BASE_SEED = Number(process.env.MACHINE_SEED ?? 0x0ffe5eed) >>> 0;
const SEQUENCES = 2500;
const MAX_MOVES = 40;

interface Step {
	prev: ThreadState;
	/** A deep copy of `prev` taken before `apply`, to catch mutation. */
	before: ThreadState;
	move: Move;
	now: number;
	result: Transition | Refusal;
	/** The state after the step: the transition's, or `prev` after a refusal. */
	next: ThreadState;
}

interface Trace {
	index: number;
	seed: number;
	steps: Step[];
}

function generate(index: number): Trace {
	const { seed, random, int, chance, pick } = seededDraws(BASE_SEED, index);

	let now = T0 + int(1000 * HOUR);
	let state = start(1 + int(1_000_000_00), now);
	const steps: Step[] = [];
	const length = 1 + int(MAX_MOVES);

	const version = (): number => {
		if (chance(0.82)) return state.version;
		return chance(0.6) ? state.version - 1 - int(3) : state.version + 1 + int(2);
	};
	const amount = (): number =>
		chance(0.88) ? 1 + int(1_000_000_00) : pick([0, -1, -500, 0.5, 12.25, Number.NaN, 2 ** 53, Infinity]);
	const side = (): Side => {
		const turn = turnOf(state);
		return turn !== null && chance(0.65) ? turn : pick(["buyer", "seller"] as const);
	};
	const advanceClock = (): void => {
		const roll = random();
		if (roll < 0.06 && state.expires_at !== null) now = Math.max(now, state.expires_at);
		else if (roll < 0.1 && state.expires_at !== null) now = Math.max(now, state.expires_at - 1);
		else if (roll < 0.16) now += PROPOSAL_TTL_MS + int(24 * HOUR);
		else now += int(8 * HOUR);
	};

	let lastRefusal: RefusalReason | null = null;
	for (let i = 0; i < length; i++) {
		advanceClock();
		let move: Move;
		const roll = random();
		if (lastRefusal === "expired" && chance(0.7)) move = { type: "expire" };
		else if (roll < 0.3) move = { type: "counter", by: side(), amount_cents: amount(), version: version() };
		else if (roll < 0.38) move = { type: "accept", by: side(), version: version() };
		else if (roll < 0.42) move = { type: "reject", by: side(), version: version() };
		else if (roll < 0.46)
			move = chance(0.4) ? { type: "withdraw", by: side() } : { type: "withdraw", by: side(), version: version() };
		else if (roll < 0.6) move = { type: "expire" };
		else if (roll < 0.72) move = { type: "hold" };
		else if (roll < 0.86) move = { type: "release" };
		else move = { type: "cancel", by: side() };

		const prev = state;
		const before = structuredClone(prev);
		const result = apply(prev, move, now);
		state = result.ok ? result.state : prev;
		lastRefusal = result.ok ? null : result.reason;
		steps.push({ prev, before, move, now, result, next: state });
	}
	return { index, seed, steps };
}

const traces = Array.from({ length: SEQUENCES }, (_, index) => generate(index));

/** Runs `check` on every step; a failure names the base seed, the sequence, its seed and the step. */
function everyStep(check: (step: Step, trace: Trace) => string | null): void {
	for (const trace of traces) {
		for (const [i, step] of trace.steps.entries()) {
			const problem = check(step, trace);
			if (problem !== null) {
				throw new Error(
					`${problem}\nMACHINE_SEED=${BASE_SEED}, sequence ${trace.index} (seed ${trace.seed}), step ${i}\n` +
						JSON.stringify({ prev: step.before, move: step.move, now: step.now, result: step.result }, null, 2),
				);
			}
		}
	}
}

const actionOfMove: Record<Move["type"], Transition["action"]> = {
	counter: "countered",
	accept: "accepted",
	reject: "rejected",
	withdraw: "withdrawn",
	expire: "expired",
	hold: "held",
	release: "released",
	cancel: "cancelled",
};

describe(`random move sequences (MACHINE_SEED=${BASE_SEED}, ${SEQUENCES} sequences of up to ${MAX_MOVES} moves)`, () => {
	it("reaches every transition and every refusal reason", () => {
		const seen = new Set<string>();
		for (const trace of traces) {
			for (const { result } of trace.steps) seen.add(result.ok ? `ok ${result.action}` : `refused ${result.reason}`);
		}
		const everything = [
			...Object.values(actionOfMove).map((action) => `ok ${action}`),
			...refusalReasons.map((reason) => `refused ${reason}`),
		];
		expect([...seen].sort()).toEqual(everything.sort());
	});

	it("advances the version by exactly one on every transition and never on a refusal", () => {
		everyStep(({ prev, next, result }) => {
			if (result.ok && next.version !== prev.version + 1) return `version went ${prev.version} → ${next.version}`;
			if (!result.ok && next !== prev) return "a refusal changed the state";
			return null;
		});
	});

	it("stamps every transition with the move's event, action and time", () => {
		everyStep(({ move, now, result }) => {
			if (!result.ok) return null;
			const action = actionOfMove[move.type];
			if (result.action !== action || result.event !== `offer.${action}`) {
				return `${move.type} produced ${result.event} / ${result.action}`;
			}
			return result.state.updated_at === now ? null : "updated_at is not the move's time";
		});
	});

	it("lets at most one accept succeed in a sequence", () => {
		for (const trace of traces) {
			const accepts = trace.steps.filter((step) => step.result.ok && step.move.type === "accept").length;
			if (accepts > 1) throw new Error(`${accepts} accepts in sequence ${trace.index} (seed ${trace.seed})`);
		}
	});

	it("never lets the last proposer counter, accept or reject", () => {
		everyStep(({ prev, move, result }) => {
			const answers = move.type === "counter" || move.type === "accept" || move.type === "reject";
			return result.ok && answers && move.by === prev.last_proposer ? `${move.by} answered their own proposal` : null;
		});
	});

	it("keeps closed threads closed, except a seller's cancel of an acceptance", () => {
		everyStep(({ prev, next, result }) => {
			if (isOpen(prev.status) || !result.ok) return null;
			return prev.status === "accepted" && next.status === "cancelled" ? null : `${prev.status} became ${next.status}`;
		});
	});

	it("runs the clock exactly while the thread is open and not on hold", () => {
		everyStep(({ next }) => {
			const running = isOpen(next.status) && !next.on_hold;
			return (next.expires_at !== null) === running
				? null
				: `expires_at ${next.expires_at} with status ${next.status}, on_hold ${next.on_hold}`;
		});
	});

	it("changes the amount only by a counter, to the countered amount", () => {
		everyStep(({ prev, move, next, result }) => {
			if (!result.ok) return null;
			if (move.type === "counter") return next.amount_cents === move.amount_cents ? null : "counter lost its amount";
			return next.amount_cents === prev.amount_cents ? null : `${move.type} changed the amount`;
		});
	});

	it("succeeds only with a positive safe integer amount", () => {
		everyStep(({ move, result }) => {
			if (!result.ok || move.type !== "counter") return null;
			return Number.isSafeInteger(move.amount_cents) && move.amount_cents > 0 ? null : `countered ${move.amount_cents}`;
		});
	});

	it("never lets a move through on a stale version", () => {
		everyStep(({ prev, move, result }) => {
			const version = "version" in move ? move.version : undefined;
			return result.ok && version !== undefined && version !== prev.version ? `${move.type} at stale ${version}` : null;
		});
	});

	it("lets nothing but withdraw and release through while on hold", () => {
		everyStep(({ prev, move, result }) =>
			result.ok && prev.on_hold && move.type !== "withdraw" && move.type !== "release"
				? `${move.type} went through on hold`
				: null,
		);
	});

	it("lets nothing but expire through once the proposal has lapsed", () => {
		everyStep(({ prev, move, now, result }) =>
			result.ok && move.type !== "expire" && prev.expires_at !== null && now >= prev.expires_at
				? `${move.type} after expiry`
				: null,
		);
	});

	it("refuses with a listed reason and a public detail, leaving the input untouched", () => {
		everyStep(({ prev, before, result }) => {
			if (JSON.stringify(prev) !== JSON.stringify(before)) return "apply mutated its input";
			if (result.ok) return null;
			if (!(refusalReasons as readonly string[]).includes(result.reason)) return `unknown reason ${result.reason}`;
			return /\S/.test(result.detail) ? null : "empty detail";
		});
	});
});
