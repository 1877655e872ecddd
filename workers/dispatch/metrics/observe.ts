/**
 * Counts each answered request (and the security events it noted) into this isolate's rollup,
 * and sees that a flush follows: when there is something to flush and none is scheduled, one is
 * scheduled `METRICS_FLUSH_MS` later (5 s by default) inside the request's `waitUntil`; when the
 * rollup holds more than `MAX_CELLS` cells, one runs at once. No request writes D1.
 *
 * The loss window: an isolate evicted before its scheduled flush loses at most one interval of
 * counts (Analytics Engine still has every point, ../middleware/analytics.ts). The route is the
 * contract's template (`GET /api/v1/listings/{id}`, so cells do not grow with ids); a request
 * that is no contract route is `page` when the web app would serve it (a GET or HEAD outside the
 * API prefixes) and `unmatched` otherwise.
 */
import type { Context } from "hono";
import { sendAll } from "../../../queues/envelope.ts";
import { type MetricsFlushJob, type MetricsPortal, metricsFlushJobSchema } from "../../../queues/metrics.ts";
import type { ContractRoute } from "../../../shared/contract/policy.ts";
import { newId } from "../../../shared/encoding.ts";
import type { HostKind } from "../../../shared/http/origins.ts";
import { isPagePath } from "../middleware/web-app.ts";
import type { DispatchHono } from "../types.ts";
import { type FlushOutcome, flushIntervalMs, MetricsFlusher } from "./flush.ts";
import type { SecurityNote } from "./security.ts";

/** This isolate's rollup and its flushes. */
export const isolateMetrics = new MetricsFlusher();

export function routeLabel(route: ContractRoute | null, method: string, path: string): string {
	if (route) return `${route.method.toUpperCase()} ${route.path}`;
	return (method === "GET" || method === "HEAD") && isPagePath(path) ? "page" : "unmatched";
}

export function portalOf(host: HostKind): MetricsPortal {
	switch (host.kind) {
		case "apex":
			return "apex";
		case "seller_portal":
			return "seller";
		case "buyer_portal":
			return "buyer";
		case "storefront":
			return "storefront";
		case "foreign":
			return "foreign";
		default: {
			const unreachable: never = host;
			throw new Error(`unknown host kind ${JSON.stringify(unreachable)}`);
		}
	}
}

/** Sends flush jobs on `backoffice-jobs`; a job its own schema refuses is a bug, logged and left out. */
function sender(queue: Queue): (jobs: MetricsFlushJob[]) => Promise<void> {
	return (jobs) => {
		const valid = jobs.filter((job) => {
			const parsed = metricsFlushJobSchema.safeParse(job);
			if (!parsed.success) console.error("metrics flush job refused by its schema", job.id, parsed.error.issues);
			return parsed.success;
		});
		return sendAll(queue, valid);
	};
}

export function flushNow(env: Pick<DispatchEnv, "BACKOFFICE_JOBS">): Promise<FlushOutcome> {
	return isolateMetrics.flush(sender(env.BACKOFFICE_JOBS), new Date(), () => newId("evt"));
}

export interface AnsweredRequest {
	at: number;
	tenantId: string;
	route: string;
	portal: MetricsPortal;
	status: number;
	latencyMs: number;
}

export function recordRequestMetrics(
	answered: AnsweredRequest,
	securityEvents: readonly SecurityNote[],
	c: Context<DispatchHono>,
): void {
	isolateMetrics.rollup.recordRequest(answered);
	for (const { kind, tenantId } of securityEvents) {
		isolateMetrics.rollup.recordSecurity({ at: answered.at, tenantId: tenantId ?? answered.tenantId, kind });
	}
	let ctx: typeof c.executionCtx;
	try {
		ctx = c.executionCtx;
	} catch {
		// No execution context (an app called directly): the cells wait for a request that has one.
		return;
	}
	if (isolateMetrics.overCap) {
		ctx.waitUntil(flushNow(c.env));
	} else if (isolateMetrics.claimSchedule()) {
		const delay = flushIntervalMs(c.env.METRICS_FLUSH_MS);
		ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, delay)).then(() => flushNow(c.env)));
	}
}
