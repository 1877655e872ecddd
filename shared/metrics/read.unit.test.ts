import { describe, expect, it } from "vitest";
import { BUCKET_COUNT } from "./histogram.ts";
import {
	MAX_POINTS,
	type MetricsRows,
	metricsReport,
	minuteRange,
	type SumRow,
	stepMinutes,
	summarize,
} from "./read.ts";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const M0 = T0 / MINUTE;

/** A summed row: `buckets` maps a bucket index to its count. */
function sums(requests: number, errors: number, limited: number, buckets: Record<number, number>): SumRow {
	const row: SumRow = { requests, errors, limited };
	for (let i = 0; i < BUCKET_COUNT; i++) row[`h${String(i).padStart(2, "0")}`] = buckets[i] ?? 0;
	return row;
}

const noRows: MetricsRows = { overall: null, byTenant: [], series: [], tenantSeries: [], security: [] };

describe("summarize", () => {
	it("reads requests, errors, the error rate, limits and percentiles from summed columns", () => {
		// 100 requests: 50 in [10, 25) ms, 45 in [100, 150) ms, 5 in [1000, 2500) ms.
		const summary = summarize(sums(100, 4, 2, { 2: 50, 6: 45, 13: 5 }));
		expect(summary).toMatchObject({ requests: 100, errors: 4, error_rate: 0.04, limited: 2 });
		expect(summary.p50_ms).toBe(25);
		expect(summary.p95_ms).toBe(150);
		expect(summary.p99_ms).toBe(2200);
	});

	it("answers zeros, no error rate and null percentiles for no rows", () => {
		const summary = summarize({ requests: null, errors: null, limited: null });
		expect(summary).toMatchObject({ requests: 0, errors: 0, error_rate: 0, limited: 0 });
		expect([summary.p50_ms, summary.p95_ms, summary.p99_ms]).toEqual([null, null, null]);
		expect(Object.values(summary.security_events).every((count) => count === 0)).toBe(true);
	});
});

describe("the window", () => {
	it("covers the whole minutes that overlap [from, to)", () => {
		expect(minuteRange({ fromMs: T0 + 30_000, toMs: T0 + 5 * MINUTE + 1 })).toEqual({ first: M0, end: M0 + 6 });
		expect(minuteRange({ fromMs: T0, toMs: T0 + 5 * MINUTE })).toEqual({ first: M0, end: M0 + 5 });
	});

	it("picks the smallest step that keeps the series within 120 points", () => {
		expect(stepMinutes(M0, M0 + 60)).toBe(1);
		expect(stepMinutes(M0, M0 + 120)).toBe(1);
		expect(stepMinutes(M0, M0 + 121)).toBe(2);
		expect(stepMinutes(M0, M0 + 24 * 60)).toBe(15);
		expect(stepMinutes(M0, M0 + 31 * 24 * 60)).toBe(720);
	});
});

describe("metricsReport", () => {
	const window = { fromMs: T0, toMs: T0 + 10 * MINUTE, tenantId: null };

	it("gives every step of the window, zeros where nothing was counted", () => {
		const report = metricsReport(window, {
			...noRows,
			overall: sums(3, 1, 0, { 4: 3 }),
			series: [{ bucket: M0 + 2, ...sums(3, 1, 0, { 4: 3 }) }],
		});
		expect(report.step_seconds).toBe(60);
		expect(report.series).toHaveLength(10);
		expect(report.series[0]).toEqual({
			t: new Date(T0).toISOString(),
			requests: 0,
			errors: 0,
			error_rate: 0,
			p50_ms: null,
			p95_ms: null,
			p99_ms: null,
		});
		expect(report.series[2]).toMatchObject({ t: new Date(T0 + 2 * MINUTE).toISOString(), requests: 3, errors: 1 });
		expect(report.series[2]?.p50_ms).toBe(62.5);
		expect(report.series.length).toBeLessThanOrEqual(MAX_POINTS);
	});

	it("adds security events overall and per tenant, ignoring kinds it does not know", () => {
		const report = metricsReport(window, {
			...noRows,
			overall: sums(5, 0, 1, { 1: 5 }),
			byTenant: [
				{ tenant_id: "anonymous", ...sums(4, 0, 1, { 1: 4 }) },
				{ tenant_id: "seller_1", ...sums(1, 0, 0, { 1: 1 }) },
			],
			security: [
				{ tenant_id: "anonymous", kind: "sign_in_failed", count: 3 },
				{ tenant_id: "anonymous", kind: "rate_limited", count: 1 },
				{ tenant_id: "seller_1", kind: "cross_tenant_denied", count: 2 },
				{ tenant_id: "seller_1", kind: "unheard_of", count: 9 },
			],
		});
		expect(report.overall.security_events).toEqual({
			sign_in_failed: 3,
			token_rejected: 0,
			cross_tenant_denied: 2,
			rate_limited: 1,
			webhook_rejected: 0,
			csrf_rejected: 0,
		});
		expect(report.by_tenant.map((row) => [row.tenant_id, row.requests, row.security_events.sign_in_failed])).toEqual([
			["anonymous", 4, 3],
			["seller_1", 1, 0],
		]);
		expect(report.by_tenant[1]?.security_events.cross_tenant_denied).toBe(2);
	});

	it("gives the busiest tenants' requests on the series' steps, busiest first", () => {
		const report = metricsReport(window, {
			...noRows,
			byTenant: [
				{ tenant_id: "seller_2", ...sums(7, 0, 0, { 0: 7 }) },
				{ tenant_id: "seller_1", ...sums(2, 0, 0, { 0: 2 }) },
			],
			tenantSeries: [
				{ tenant_id: "seller_1", bucket: M0, requests: 2 },
				{ tenant_id: "seller_2", bucket: M0 + 9, requests: 7 },
			],
		});
		expect(report.tenant_series.map((series) => series.tenant_id)).toEqual(["seller_2", "seller_1"]);
		expect(report.tenant_series[0]?.points).toHaveLength(10);
		expect(report.tenant_series[0]?.points[9]).toEqual({ t: new Date(T0 + 9 * MINUTE).toISOString(), requests: 7 });
		expect(report.tenant_series[1]?.points[0]?.requests).toBe(2);
		expect(report.tenant_series[1]?.points.slice(1).every((point) => point.requests === 0)).toBe(true);
	});

	it("aligns a long window's steps to multiples of the step", () => {
		const report = metricsReport(
			{ fromMs: T0 + 7 * MINUTE, toMs: T0 + 7 * MINUTE + 24 * 60 * MINUTE, tenantId: null },
			noRows,
		);
		expect(report.step_seconds).toBe(15 * 60);
		expect(report.series[0]?.t).toBe(new Date(T0).toISOString());
		expect(report.series.length).toBeLessThanOrEqual(MAX_POINTS);
		expect(report.from).toBe(new Date(T0 + 7 * MINUTE).toISOString());
	});
});
