/**
 * The scale chapter's arithmetic (pure): a traffic mix times a factor, turned into operations per
 * second with the per-action costs of ./model.ts (the e-mails an action causes counted as e-mail
 * actions of their own), and each limit's load as a share of its capacity. Everything is linear
 * in the factor, so the factor at which a limit is reached is its capacity over its load at 1×.
 */
import {
	ACTION_COSTS,
	type ActionCost,
	type ActionName,
	D1_SECONDS_PER_SEARCH,
	D1_SECONDS_PER_STATEMENT,
	DAILY_DUTY,
	EDGE_LIMITER_SHARDS,
	LIMITS,
	type Limit,
	type QueueName,
} from "./model.ts";

export type Mix = Partial<Record<ActionName, number>>;

/** Operations per second of every kind the model counts. */
export interface Totals {
	actions: Record<ActionName, number>;
	workerInvocations: number;
	durableObjectRequests: number;
	edgeLimiterRequests: number;
	durableObjectWrites: number;
	d1Statements: number;
	d1Searches: number;
	queueMessages: Record<QueueName, number>;
	stripeCalls: number;
	mailerSendCalls: number;
	d1BytesStored: number;
}

const ACTIONS = Object.keys(ACTION_COSTS) as ActionName[];

/** Actions per second: the mix times `factor`, plus the e-mails those actions cause. */
export function actionsPerSecond(mix: Mix, factor: number, costs = ACTION_COSTS): Record<ActionName, number> {
	const rates = Object.fromEntries(ACTIONS.map((name) => [name, (mix[name] ?? 0) * factor])) as Record<
		ActionName,
		number
	>;
	rates.email += ACTIONS.reduce((sum, name) => (name === "email" ? sum : sum + rates[name] * costs[name].emails), 0);
	return rates;
}

export function totals(mix: Mix, factor: number, costs = ACTION_COSTS): Totals {
	const actions = actionsPerSecond(mix, factor, costs);
	const sum = (field: (cost: ActionCost) => number) =>
		ACTIONS.reduce((total, name) => total + actions[name] * field(costs[name]), 0);
	const queue = (name: QueueName) => sum((cost) => cost.queueMessages[name] ?? 0);
	return {
		actions,
		workerInvocations: sum((cost) => cost.workerInvocations),
		durableObjectRequests: sum((cost) => cost.durableObjectRequests),
		edgeLimiterRequests: sum((cost) => cost.edgeLimiterRequests),
		durableObjectWrites: sum((cost) => cost.durableObjectWrites),
		d1Statements: sum((cost) => cost.d1Statements),
		d1Searches: sum((cost) => cost.d1Searches),
		queueMessages: {
			"offer-events": queue("offer-events"),
			"payment-events": queue("payment-events"),
			"backoffice-jobs": queue("backoffice-jobs"),
		},
		stripeCalls: sum((cost) => cost.stripeCalls),
		mailerSendCalls: sum((cost) => cost.mailerSendCalls),
		d1BytesStored: sum((cost) => cost.d1BytesStored),
	};
}

/** How much of `limit` the traffic of `t` uses, in the limit's own unit. */
export function loadOn(limit: Limit, t: Totals): number {
	switch (limit.id) {
		case "d1_primary":
			return t.d1Statements * D1_SECONDS_PER_STATEMENT + t.d1Searches * D1_SECONDS_PER_SEARCH;
		case "edge_limiter_shard":
			// Spread evenly over the shards; one network's traffic is held to its own bucket anyway.
			return t.edgeLimiterRequests / EDGE_LIMITER_SHARDS;
		case "queue_offer_events":
			return t.queueMessages["offer-events"];
		case "queue_payment_events":
			return t.queueMessages["payment-events"];
		case "queue_backoffice_jobs":
			return t.queueMessages["backoffice-jobs"];
		case "stripe_live":
			return t.stripeCalls;
		case "d1_size_year":
			return t.d1BytesStored * 86_400 * 365 * DAILY_DUTY;
		default:
			throw new Error(`no load model for limit ${limit.id}`);
	}
}

export interface LimitUse {
	limit: Limit;
	load: number;
	/** load ÷ capacity: 1 is the limit. */
	share: number;
	/** The factor (over the mix given) at which this limit is reached. */
	reachedAt: number;
}

export interface ScaleRow {
	factor: number;
	totals: Totals;
	uses: LimitUse[];
	/** The limit with the largest share, and whether it is past its capacity. */
	first: LimitUse;
	broken: LimitUse[];
}

export function simulate(mix: Mix, factors: readonly number[], limits = LIMITS, costs = ACTION_COSTS): ScaleRow[] {
	const base = totals(mix, 1, costs);
	return factors.map((factor) => {
		const t = totals(mix, factor, costs);
		const uses = limits.map((limit) => {
			const load = loadOn(limit, t);
			const atOne = loadOn(limit, base);
			return {
				limit,
				load,
				share: load / limit.capacity,
				reachedAt: atOne === 0 ? Number.POSITIVE_INFINITY : limit.capacity / atOne,
			};
		});
		const first = uses.reduce((top, use) => (use.share > top.share ? use : top));
		return { factor, totals: t, uses, first, broken: uses.filter((use) => use.share >= 1) };
	});
}
