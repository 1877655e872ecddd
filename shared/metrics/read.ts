/**
 * The read side of the request metrics (`GET /api/v1/admin/metrics`): sums of D1
 * `metrics_minutes` and `security_minutes` over a window, overall, per tenant and over time.
 * Histogram columns are summed in SQL (`SUM(h00)…`) and the percentiles read from the sums with
 * `percentile` (./histogram.ts), so they are as precise as the buckets are. The five reads (one
 * D1 batch) are ./query.ts; the maths on their rows here is pure and tested on given rows.
 *
 * The window covers the whole minutes that overlap `[from, to)`. The series has one point per
 * `step_seconds` (the smallest of 1, 2, 5, 10, 15, 30 minutes, 1, 2, 3, 6, 12 hours or a day that
 * keeps it within `MAX_POINTS`), aligned to multiples of the step since the epoch, every step
 * present (zero when nothing was counted); `by_tenant` holds the `TOP_TENANTS` busiest tenants,
 * `tenant_series` the requests over time of the `SERIES_TENANTS` busiest.
 */
import { type SecurityEventKind, securityEventKinds } from "../../queues/metrics.ts";
import { BUCKET_COUNT, percentile } from "./histogram.ts";

export const MAX_POINTS = 120;
export const TOP_TENANTS = 50;
export const SERIES_TENANTS = 5;
const STEP_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440] as const;

export const H = Array.from({ length: BUCKET_COUNT }, (_, i) => `h${String(i).padStart(2, "0")}`);

/** A row of summed counts, as D1 answers it (`SUM` of no rows is NULL). */
export interface SumRow {
	requests: number | null;
	errors: number | null;
	limited: number | null;
	[bucket: `h${string}`]: number | null;
}

export interface MetricsRows {
	overall: SumRow | null;
	byTenant: (SumRow & { tenant_id: string })[];
	series: (SumRow & { bucket: number })[];
	tenantSeries: { tenant_id: string; bucket: number; requests: number }[];
	security: { tenant_id: string; kind: string; count: number }[];
}

export type SecurityCounts = Record<SecurityEventKind, number>;

export interface MetricsSummary {
	requests: number;
	errors: number;
	/** errors / requests; 0 without requests. */
	error_rate: number;
	limited: number;
	/** `null` without requests; 5000 means "≥ 5000 ms". */
	p50_ms: number | null;
	p95_ms: number | null;
	p99_ms: number | null;
	security_events: SecurityCounts;
}

export interface MetricsPoint {
	t: string;
	requests: number;
	errors: number;
	error_rate: number;
	p50_ms: number | null;
	p95_ms: number | null;
	p99_ms: number | null;
}

export interface MetricsReport {
	from: string;
	to: string;
	tenant: string | null;
	step_seconds: number;
	overall: MetricsSummary;
	by_tenant: (MetricsSummary & { tenant_id: string })[];
	series: MetricsPoint[];
	tenant_series: { tenant_id: string; points: { t: string; requests: number }[] }[];
}

export interface MetricsWindow {
	fromMs: number;
	toMs: number;
	/** One tenant's figures only (a tenant id or `anonymous`). */
	tenantId: string | null;
}

/** The minutes `[first, end)` that overlap `[fromMs, toMs)`. */
export function minuteRange(window: Pick<MetricsWindow, "fromMs" | "toMs">): { first: number; end: number } {
	return { first: Math.floor(window.fromMs / 60_000), end: Math.ceil(window.toMs / 60_000) };
}

const bucketsOf = (first: number, end: number, step: number) =>
	Math.floor((end - 1) / step) - Math.floor(first / step) + 1;

/** The smallest step (in minutes) that keeps the aligned series within `MAX_POINTS`. */
export function stepMinutes(first: number, end: number): number {
	for (const step of STEP_MINUTES) if (bucketsOf(first, end, step) <= MAX_POINTS) return step;
	return STEP_MINUTES.at(-1) as number;
}

const emptySecurity = (): SecurityCounts =>
	Object.fromEntries(securityEventKinds.map((kind) => [kind, 0])) as SecurityCounts;
const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
const iso = (minute: number) => new Date(minute * 60_000).toISOString();

function latency(row: SumRow | null) {
	const counts = H.map((h) => Number(row?.[h as `h${string}`] ?? 0));
	return {
		p50_ms: round(percentile(counts, 0.5)),
		p95_ms: round(percentile(counts, 0.95)),
		p99_ms: round(percentile(counts, 0.99)),
	};
}

function totals(row: SumRow | null) {
	const requests = Number(row?.requests ?? 0);
	const errors = Number(row?.errors ?? 0);
	return { requests, errors, error_rate: requests > 0 ? errors / requests : 0 };
}

export function summarize(row: SumRow | null, security: SecurityCounts = emptySecurity()): MetricsSummary {
	return { ...totals(row), limited: Number(row?.limited ?? 0), ...latency(row), security_events: security };
}

/** The report for `window` from the rows of `readMetrics` (./query.ts). */
export function metricsReport(window: MetricsWindow, rows: MetricsRows): MetricsReport {
	const { first, end } = minuteRange(window);
	const step = stepMinutes(first, end);
	const overallSecurity = emptySecurity();
	const tenantSecurity = new Map<string, SecurityCounts>();
	for (const row of rows.security) {
		if (!(securityEventKinds as readonly string[]).includes(row.kind)) continue;
		const kind = row.kind as SecurityEventKind;
		overallSecurity[kind] += Number(row.count);
		let counts = tenantSecurity.get(row.tenant_id);
		if (!counts) {
			counts = emptySecurity();
			tenantSecurity.set(row.tenant_id, counts);
		}
		counts[kind] += Number(row.count);
	}
	const firstBucket = Math.floor(first / step) * step;
	const lastBucket = Math.floor((end - 1) / step) * step;
	const buckets: number[] = [];
	for (let bucket = firstBucket; bucket <= lastBucket; bucket += step) buckets.push(bucket);

	const seriesByBucket = new Map(rows.series.map((row) => [Number(row.bucket), row]));
	const series = buckets.map((bucket): MetricsPoint => {
		const row = seriesByBucket.get(bucket) ?? null;
		return { t: iso(bucket), ...totals(row), ...latency(row) };
	});

	const perTenant = new Map<string, Map<number, number>>();
	for (const row of rows.tenantSeries) {
		let points = perTenant.get(row.tenant_id);
		if (!points) {
			points = new Map();
			perTenant.set(row.tenant_id, points);
		}
		points.set(Number(row.bucket), Number(row.requests));
	}
	const seriesTenants = rows.byTenant.map((row) => row.tenant_id).filter((id) => perTenant.has(id));

	return {
		from: new Date(window.fromMs).toISOString(),
		to: new Date(window.toMs).toISOString(),
		tenant: window.tenantId,
		step_seconds: step * 60,
		overall: summarize(rows.overall, overallSecurity),
		by_tenant: rows.byTenant.map((row) => ({
			tenant_id: row.tenant_id,
			...summarize(row, tenantSecurity.get(row.tenant_id) ?? emptySecurity()),
		})),
		series,
		tenant_series: seriesTenants.slice(0, SERIES_TENANTS).map((tenant_id) => ({
			tenant_id,
			points: buckets.map((bucket) => ({ t: iso(bucket), requests: perTenant.get(tenant_id)?.get(bucket) ?? 0 })),
		})),
	};
}
