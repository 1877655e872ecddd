/**
 * The five D1 reads behind `GET /api/v1/admin/metrics`, in one batch: the window's sums overall,
 * per tenant (the busiest first), per step, the busiest tenants' requests per step, and the
 * security events per tenant and kind. Histogram columns are summed here; ./read.ts turns the
 * rows into the report. Every value is bound; only the step (a number this module chose) and the
 * limits are written into the SQL.
 */
import {
	H,
	type MetricsReport,
	type MetricsRows,
	type MetricsWindow,
	metricsReport,
	minuteRange,
	SERIES_TENANTS,
	type SumRow,
	stepMinutes,
	TOP_TENANTS,
} from "./read.ts";

const SUMS = ["requests", "errors", "limited", ...H].map((column) => `SUM(${column}) AS ${column}`).join(", ");

/** The five reads of `window`, in one D1 batch. */
export async function readMetrics(db: D1Database, window: MetricsWindow): Promise<MetricsReport> {
	const { first, end } = minuteRange(window);
	const step = stepMinutes(first, end);
	const where = `minute >= ?1 AND minute < ?2${window.tenantId === null ? "" : " AND tenant_id = ?3"}`;
	const binds = window.tenantId === null ? [first, end] : [first, end, window.tenantId];
	const bucket = `(minute - (minute % ${step}))`;
	const [overall, byTenant, series, tenantSeries, security] = await db.batch([
		db.prepare(`SELECT ${SUMS} FROM metrics_minutes WHERE ${where}`).bind(...binds),
		db
			.prepare(
				`SELECT tenant_id, ${SUMS} FROM metrics_minutes WHERE ${where}
				 GROUP BY tenant_id ORDER BY SUM(requests) DESC, tenant_id LIMIT ${TOP_TENANTS}`,
			)
			.bind(...binds),
		db
			.prepare(`SELECT ${bucket} AS bucket, ${SUMS} FROM metrics_minutes WHERE ${where} GROUP BY bucket`)
			.bind(...binds),
		db
			.prepare(
				`SELECT tenant_id, ${bucket} AS bucket, SUM(requests) AS requests FROM metrics_minutes
				 WHERE ${where} AND tenant_id IN (
				   SELECT tenant_id FROM metrics_minutes WHERE ${where}
				   GROUP BY tenant_id ORDER BY SUM(requests) DESC, tenant_id LIMIT ${SERIES_TENANTS})
				 GROUP BY tenant_id, bucket`,
			)
			.bind(...binds),
		db
			.prepare(
				`SELECT tenant_id, kind, SUM(count) AS count FROM security_minutes WHERE ${where} GROUP BY tenant_id, kind`,
			)
			.bind(...binds),
	]);
	return metricsReport(window, {
		overall: (overall?.results[0] as SumRow | undefined) ?? null,
		byTenant: (byTenant?.results ?? []) as MetricsRows["byTenant"],
		series: (series?.results ?? []) as MetricsRows["series"],
		tenantSeries: (tenantSeries?.results ?? []) as MetricsRows["tenantSeries"],
		security: (security?.results ?? []) as MetricsRows["security"],
	});
}
