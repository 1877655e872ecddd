import { describe, expect, it } from "vitest";
import { bridgeBindings, type CronTrigger, cronTriggers, dueAt, localCronsEnabled } from "./local-cron.ts";

const CONSUMERS = "techflunky-consumers";
/** workers/consumers/scheduled.ts's EVERY_MINUTE and DAILY (it needs the Workers types, this runs in Node). */
const EVERY_MINUTE = "* * * * *";
const DAILY = "17 3 * * *";

describe("cronTriggers", () => {
	it("reads the consumers Worker's crons from its Wrangler config, and none from the others", () => {
		const configs = [
			"wrangler.toml",
			"workers/user/wrangler.toml",
			"workers/consumers/wrangler.toml",
			"site/wrangler.toml",
		];
		expect(cronTriggers(configs)).toEqual([
			{ worker: CONSUMERS, cron: EVERY_MINUTE },
			{ worker: CONSUMERS, cron: DAILY },
		]);
	});

	it("takes each config's name and crons, skipping configs without crons", () => {
		const configs: Record<string, { name?: string; triggers?: { crons?: string[] } }> = {
			a: { name: "alpha", triggers: { crons: ["*/5 * * * *"] } },
			b: { name: "beta" },
			c: { name: "gamma", triggers: { crons: [] } },
		};
		expect(cronTriggers(["a", "b", "c"], (path) => configs[path] ?? {})).toEqual([
			{ worker: "alpha", cron: "*/5 * * * *" },
		]);
	});

	it("refuses crons without a Worker name, and a pattern croner cannot read", () => {
		expect(() => cronTriggers(["x"], () => ({ triggers: { crons: ["* * * * *"] } }))).toThrow(/no Worker name/);
		expect(() => cronTriggers(["x"], () => ({ name: "w", triggers: { crons: ["not a cron"] } }))).toThrow();
	});
});

describe("dueAt", () => {
	const triggers: CronTrigger[] = [
		{ worker: CONSUMERS, cron: EVERY_MINUTE },
		{ worker: CONSUMERS, cron: DAILY },
		{ worker: "other", cron: "0 */6 * * *" },
	];
	const due = (iso: string) => dueAt(triggers, new Date(iso)).map((t) => `${t.worker} ${t.cron}`);

	it("fires the every-minute cron at any minute, seconds ignored", () => {
		expect(due("2026-12-01T10:41:00.000Z")).toEqual([`${CONSUMERS} ${EVERY_MINUTE}`]);
		expect(due("2026-12-01T10:41:59.999Z")).toEqual([`${CONSUMERS} ${EVERY_MINUTE}`]);
	});

	it("fires the daily cron at 03:17 UTC only", () => {
		expect(due("2026-12-01T03:17:30.000Z")).toEqual([`${CONSUMERS} ${EVERY_MINUTE}`, `${CONSUMERS} ${DAILY}`]);
		expect(due("2026-12-01T03:18:00.000Z")).toEqual([`${CONSUMERS} ${EVERY_MINUTE}`]);
		// 03:17 in UTC+1 is 02:17 UTC: not the daily run.
		expect(due("2026-12-01T03:17:00.000+01:00")).toEqual([`${CONSUMERS} ${EVERY_MINUTE}`]);
	});

	it("reads step patterns in UTC", () => {
		expect(due("2026-12-01T18:00:00.000Z")).toContain("other 0 */6 * * *");
		expect(due("2026-12-01T19:00:00.000Z")).not.toContain("other 0 */6 * * *");
	});
});

describe("localCronsEnabled", () => {
	it("is on unless TECHFLUNKY_CRONS is off", () => {
		expect(localCronsEnabled({})).toBe(true);
		expect(localCronsEnabled({ TECHFLUNKY_CRONS: "on" })).toBe(true);
		for (const off of ["off", "OFF", " off "]) expect(localCronsEnabled({ TECHFLUNKY_CRONS: off })).toBe(false);
	});
});

describe("bridgeBindings", () => {
	it("binds each Worker with crons once", () => {
		expect(
			bridgeBindings([
				{ worker: CONSUMERS, cron: EVERY_MINUTE },
				{ worker: CONSUMERS, cron: DAILY },
				{ worker: "other", cron: "0 * * * *" },
			]),
		).toEqual({ T0: CONSUMERS, T1: "other" });
	});
});
