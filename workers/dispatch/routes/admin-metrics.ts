/**
 * `GET /api/v1/admin/metrics`: the request metrics of a window, read from D1's per-minute rollup
 * (shared/metrics/query.ts, read.ts). Admin only (the access table); a read, so nothing is audited. The
 * query's shape is the contract's (shared/contract/routes/admin-metrics.ts); the window's rules
 * (`from` before `to`, at most 31 days) are checked here, before anything is read.
 */
import { contractApp } from "../../../shared/contract/app.ts";
import { MAX_METRICS_WINDOW_DAYS, adminMetricsRoutes as r } from "../../../shared/contract/routes/admin-metrics.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { readMetrics } from "../../../shared/metrics/query.ts";
import type { DispatchHono } from "../types.ts";

const HOUR_MS = 3_600_000;
const MAX_WINDOW_MS = MAX_METRICS_WINDOW_DAYS * 24 * HOUR_MS;

function badWindow(field: "from" | "to", message: string): HttpProblem {
	return new HttpProblem({ reason: "bad_request", detail: "The window is not valid.", errors: [{ field, message }] });
}

export const adminMetrics = contractApp<DispatchHono>().openapi(r.getAdminMetrics, async (c) => {
	const query = c.req.valid("query");
	const toMs = query.to === undefined ? Date.now() : Date.parse(query.to);
	const fromMs = query.from === undefined ? toMs - HOUR_MS : Date.parse(query.from);
	if (!(fromMs < toMs)) throw badWindow("from", "must be before to");
	if (toMs - fromMs > MAX_WINDOW_MS)
		throw badWindow("from", `must be at most ${MAX_METRICS_WINDOW_DAYS} days before to`);
	const report = await readMetrics(c.env.DB, { fromMs, toMs, tenantId: query.tenant ?? null });
	return c.json(report, 200);
});
