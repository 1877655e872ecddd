import { describe, expect, it } from "vitest";
import { ACTION_COSTS, D1_SECONDS_PER_STATEMENT, DEMO_MIX, EDGE_LIMITER_SHARDS, LIMITS, SCALES } from "./model.ts";
import { figure, scaleMarkdown } from "./report.ts";
import { actionsPerSecond, simulate, totals } from "./simulate.ts";

describe("the scale model", () => {
	it("counts the e-mails that moves and payments cause as e-mail actions", () => {
		const rates = actionsPerSecond({ negotiation_move: 2, payment: 1, email: 0.5 }, 10);
		expect(rates.negotiation_move).toBe(20);
		expect(rates.email).toBe(0.5 * 10 + 20 * ACTION_COSTS.negotiation_move.emails + 10 * ACTION_COSTS.payment.emails);
	});

	it("multiplies every operation by the factor", () => {
		const one = totals(DEMO_MIX, 1);
		const hundred = totals(DEMO_MIX, 100);
		expect(hundred.d1Statements).toBeCloseTo(one.d1Statements * 100, 9);
		expect(hundred.queueMessages["offer-events"]).toBeCloseTo(one.queueMessages["offer-events"] * 100, 9);
		expect(hundred.mailerSendCalls).toBeCloseTo(one.mailerSendCalls * 100, 9);
	});

	it("adds up one action's own costs", () => {
		const t = totals({ signed_in_write: 1 }, 1);
		expect(t.d1Statements).toBe(ACTION_COSTS.signed_in_write.d1Statements);
		expect(t.queueMessages["backoffice-jobs"]).toBe(1);
		expect(t.queueMessages["offer-events"]).toBe(0);
		expect(t.mailerSendCalls).toBe(0);
	});

	it("spreads anonymous admission over the EdgeLimiter shards", () => {
		const [row] = simulate({ public_read: EDGE_LIMITER_SHARDS * 1_000 }, [1]);
		const shard = row?.uses.find((use) => use.limit.id === "edge_limiter_shard");
		expect(shard?.share).toBeCloseTo(1, 9);
		expect(row?.broken.map((use) => use.limit.id)).toContain("edge_limiter_shard");
	});

	it("reaches a limit at its capacity over its load at 1×", () => {
		// 1,175 point statements a second fill the D1 primary exactly (D1_SECONDS_PER_STATEMENT).
		const perRead = ACTION_COSTS.public_read.d1Statements;
		const [row] = simulate({ public_read: 1 / D1_SECONDS_PER_STATEMENT / perRead / 50 }, [1, 50]);
		const d1 = row?.uses.find((use) => use.limit.id === "d1_primary");
		expect(d1?.reachedAt).toBeCloseTo(50, 6);
	});

	it("names the limit with the largest share first, at every scale of the demo mix", () => {
		const rows = simulate(DEMO_MIX, SCALES);
		expect(rows.map((row) => row.factor)).toEqual([...SCALES]);
		for (const row of rows) {
			expect(row.uses).toHaveLength(LIMITS.length);
			expect(row.first.share).toBe(Math.max(...row.uses.map((use) => use.share)));
			expect(row.broken.every((use) => use.share >= 1)).toBe(true);
		}
		// Today's traffic is under every limit's throughput; 1,000× is past the D1 primary's.
		const throughput = (id: string, factor: number) =>
			rows.find((row) => row.factor === factor)?.uses.find((use) => use.limit.id === id)?.share ?? 0;
		expect(throughput("d1_primary", 1)).toBeLessThan(1);
		expect(throughput("d1_primary", 1_000)).toBeGreaterThan(1);
	});

	it("rounds figures for reading", () => {
		expect(figure(71.1968)).toBe("71.2");
		expect(figure(13_125.4)).toBe("13,100");
		expect(figure(0)).toBe("0");
		expect(figure(Number.POSITIVE_INFINITY)).toBe("never");
	});

	it("writes the table the scale page includes, with a row per limit and its source", () => {
		const markdown = scaleMarkdown();
		for (const limit of LIMITS) expect(markdown).toContain(`| ${limit.label} |`);
		expect(markdown).toContain("| per second | 1× | 10× | 100× | 1000× |");
		expect(markdown).toContain("https://developers.cloudflare.com/d1/platform/limits/");
	});
});
