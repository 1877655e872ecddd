/**
 * The admin metrics route's contract (see ../policy.ts): request counts, error rate, latency
 * percentiles and security events over a window, overall, per tenant and over time, read from
 * D1's per-minute rollup (shared/metrics/read.ts; docs/operations.md, Metrics). Served by the
 * dispatch Worker.
 */
import { z } from "@hono/zod-openapi";
import { securityEventKinds } from "../../../queues/metrics.ts";
import { adminOnly, type ContractRoute, defineRoute } from "../policy.ts";
import { json, problems, signedInSecurity, tenantId, timestamp } from "../schemas.ts";

/** The longest window one request may read. */
export const MAX_METRICS_WINDOW_DAYS = 31;

/** A tenant id, or `anonymous` for callers without one. */
export const metricsTenant = z.union([tenantId, z.literal("anonymous")]).openapi({
	description: "A tenant id, or `anonymous` for callers without one",
	example: "seller_0123456789abcdef0123456789abcdef",
});

export const metricsQuery = z
	.object({
		from: z.iso
			.datetime({ offset: true })
			.optional()
			.openapi({ description: "Start of the window (ISO 8601); default one hour before `to`" }),
		to: z.iso
			.datetime({ offset: true })
			.optional()
			.openapi({ description: "End of the window, exclusive (ISO 8601); default now" }),
		tenant: metricsTenant.optional(),
	})
	.strict();

const count = z.number().int().nonnegative();
const millis = z.number().nonnegative().nullable().openapi({
	description: "ms, from the latency histogram (precise to its bucket); `null` without requests; 5000 means ≥ 5000",
});
const rate = z.number().min(0).max(1).openapi({ description: "errors / requests; 0 without requests" });

export const securityEventCounts = z
	.object(
		Object.fromEntries(securityEventKinds.map((kind) => [kind, count])) as Record<
			(typeof securityEventKinds)[number],
			typeof count
		>,
	)
	.strict()
	.openapi("SecurityEventCounts");

export const metricsSummary = z
	.object({
		requests: count,
		errors: count.openapi({ description: "answers with status ≥ 500" }),
		error_rate: rate,
		limited: count.openapi({ description: "answers with status 429" }),
		p50_ms: millis,
		p95_ms: millis,
		p99_ms: millis,
		security_events: securityEventCounts,
	})
	.strict()
	.openapi("MetricsSummary");

export const tenantMetricsSummary = metricsSummary
	.extend({ tenant_id: metricsTenant })
	.strict()
	.openapi("TenantMetrics");

export const metricsPoint = z
	.object({
		t: timestamp.openapi({ description: "Start of the step" }),
		requests: count,
		errors: count,
		error_rate: rate,
		p50_ms: millis,
		p95_ms: millis,
		p99_ms: millis,
	})
	.strict()
	.openapi("MetricsPoint");

export const tenantMetricsSeries = z
	.object({
		tenant_id: metricsTenant,
		points: z.array(z.object({ t: timestamp, requests: count }).strict()),
	})
	.strict()
	.openapi("TenantMetricsSeries");

export const adminMetrics = z
	.object({
		from: timestamp,
		to: timestamp,
		tenant: metricsTenant.nullable().openapi({ description: "The tenant asked for, or `null` for all" }),
		step_seconds: z.number().int().positive().openapi({ description: "The series' step" }),
		overall: metricsSummary,
		by_tenant: z.array(tenantMetricsSummary).openapi({ description: "The 50 busiest tenants, busiest first" }),
		series: z.array(metricsPoint).openapi({ description: "Every step of the window, oldest first (≤ 120)" }),
		tenant_series: z
			.array(tenantMetricsSeries)
			.openapi({ description: "Requests over time of the 5 busiest tenants, on the same steps as `series`" }),
	})
	.strict()
	.openapi("AdminMetrics");

export const adminMetricsRoutes = {
	getAdminMetrics: defineRoute({
		method: "get",
		path: "/api/v1/admin/metrics",
		operationId: "getAdminMetrics",
		tags: ["Admin"],
		summary: "Request counts, error rate, latency percentiles and security events",
		description:
			"Over `[from, to)` (default: the last hour; at most 31 days; `from` before `to`, else 400), optionally for one `tenant` (or `anonymous`): overall, for the 50 busiest tenants, and over time in `step_seconds` steps (≤ 120 points). Counted per minute by the edge and flushed every few seconds, so the last seconds may not show yet. Latency percentiles come from fixed histogram buckets (docs/operations.md).",
		security: signedInSecurity,
		request: { query: metricsQuery },
		responses: { 200: json(adminMetrics, "The metrics of the window"), ...problems(400, 401, 403, 429, 503) },
		"x-policy": { allow: adminOnly, bucket: "caller", body: "none", credentials: "accepted", servedBy: "dispatch" },
	}),
} satisfies Record<string, ContractRoute>;
