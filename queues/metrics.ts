/**
 * `metrics.flush` on `backoffice-jobs`: one isolate's per-minute request and security counts
 * (workers/dispatch/metrics/), added to D1 `metrics_minutes` and `security_minutes` by
 * workers/consumers/metrics-flush.ts once per job id. A flush larger than `METRICS_ROWS_PER_JOB`
 * rows is split into several jobs, so each message stays far below the 128 KB queue limit
 * (a request row is ~300 bytes of JSON, so a full job is ~60 KB).
 */
import { z } from "zod";
import { BUCKET_COUNT } from "../shared/metrics/histogram.ts";
import { eventId, isoTime, tenantId } from "./envelope.ts";

/** Rows (request and security together) in one job. */
export const METRICS_ROWS_PER_JOB = 200;

/** Where a request came in (shared/http/origins.ts host kinds; `foreign` for none of ours). */
export const metricsPortals = ["apex", "seller", "buyer", "storefront", "foreign"] as const;
export type MetricsPortal = (typeof metricsPortals)[number];

/** What is counted as a security event, decided where the refusal is made (workers/dispatch/metrics/security.ts). */
export const securityEventKinds = [
	"sign_in_failed",
	"token_rejected",
	"cross_tenant_denied",
	"rate_limited",
	"webhook_rejected",
	"csrf_rejected",
] as const;
export type SecurityEventKind = (typeof securityEventKinds)[number];

/** Unix time in whole minutes (ms / 60000), within 2000–2100. */
const minute = z.number().int().min(15_778_080).max(68_374_080);
const metricsTenant = z.union([tenantId, z.literal("anonymous")]);
const count = z.number().int().nonnegative().max(1_000_000_000);
const latency = z.number().nonnegative().max(1e12);

export const requestMetricsRow = z
	.object({
		minute,
		tenant_id: metricsTenant,
		/** `GET /api/v1/listings/{id}`: the contract's method and path, or `page` / `unmatched`. */
		route: z.string().min(1).max(200),
		portal: z.enum(metricsPortals),
		requests: count,
		errors: count,
		limited: count,
		latency_sum_ms: latency,
		latency_max_ms: latency,
		/** Counts per latency bucket (shared/metrics/histogram.ts), `h00`…`h15` in D1. */
		h: z.array(count).length(BUCKET_COUNT),
	})
	.strict();

export const securityMetricsRow = z
	.object({
		minute,
		tenant_id: metricsTenant,
		kind: z.enum(securityEventKinds),
		count,
	})
	.strict();

export const metricsFlushJobSchema = z
	.object({
		id: eventId,
		kind: z.literal("metrics.flush"),
		occurred_at: isoTime,
		requests: z.array(requestMetricsRow).max(METRICS_ROWS_PER_JOB),
		security: z.array(securityMetricsRow).max(METRICS_ROWS_PER_JOB),
	})
	.strict()
	.refine((job) => job.requests.length + job.security.length <= METRICS_ROWS_PER_JOB, {
		message: `at most ${METRICS_ROWS_PER_JOB} rows per job`,
	});

export type RequestMetricsRow = z.infer<typeof requestMetricsRow>;
export type SecurityMetricsRow = z.infer<typeof securityMetricsRow>;
export type MetricsFlushJob = z.infer<typeof metricsFlushJobSchema>;
