/**
 * The dispatch Worker's in-memory request metrics, per isolate: one cell per (minute, tenant,
 * route template, portal) with counts, latency sum and maximum and the latency histogram
 * (shared/metrics/histogram.ts), and one count per (minute, tenant, security event kind). A
 * request only adds to a Map; the cells leave as `metrics.flush` jobs (queues/metrics.ts), split
 * so no job holds more than `METRICS_ROWS_PER_JOB` rows, and D1 adds them up. Pure: the caller
 * passes the time and the ids.
 */
import {
	METRICS_ROWS_PER_JOB,
	type MetricsFlushJob,
	type MetricsPortal,
	type RequestMetricsRow,
	type SecurityEventKind,
	type SecurityMetricsRow,
} from "../../../queues/metrics.ts";
import { addSample, emptyCell, type RequestCell } from "../../../shared/metrics/histogram.ts";

export interface RequestSample {
	/** When the request was answered, ms since the epoch. */
	at: number;
	/** The tenant served, or `anonymous`. */
	tenantId: string;
	route: string;
	portal: MetricsPortal;
	status: number;
	latencyMs: number;
}

export interface SecuritySample {
	at: number;
	tenantId: string;
	kind: SecurityEventKind;
}

/** What a flush takes out of the rollup: D1's rows, not yet split into jobs. */
export interface DrainedMetrics {
	requests: RequestMetricsRow[];
	security: SecurityMetricsRow[];
}

interface RequestKey {
	minute: number;
	tenant_id: string;
	route: string;
	portal: MetricsPortal;
}

const minuteOf = (at: number) => Math.floor(at / 60_000);
// A route template never holds a newline, so the joined key cannot collide.
const keyOf = (...parts: (string | number)[]) => parts.join("\n");

export class MetricsRollup {
	#requests = new Map<string, { key: RequestKey; cell: RequestCell }>();
	#security = new Map<string, SecurityMetricsRow>();

	/** Cells held, request and security together: what the early-flush cap is measured in. */
	get size(): number {
		return this.#requests.size + this.#security.size;
	}

	recordRequest(sample: RequestSample): void {
		const key: RequestKey = {
			minute: minuteOf(sample.at),
			tenant_id: sample.tenantId,
			route: sample.route,
			portal: sample.portal,
		};
		const id = keyOf(key.minute, key.tenant_id, key.route, key.portal);
		let entry = this.#requests.get(id);
		if (!entry) {
			entry = { key, cell: emptyCell() };
			this.#requests.set(id, entry);
		}
		addSample(entry.cell, sample);
	}

	recordSecurity(sample: SecuritySample, count = 1): void {
		const minute = minuteOf(sample.at);
		const id = keyOf(minute, sample.tenantId, sample.kind);
		const row = this.#security.get(id);
		if (row) row.count += count;
		else this.#security.set(id, { minute, tenant_id: sample.tenantId, kind: sample.kind, count });
	}

	/** Takes every cell out, as rows; the rollup is empty afterwards. */
	drain(): DrainedMetrics {
		const requests = [...this.#requests.values()].map(
			({ key, cell }): RequestMetricsRow => ({
				...key,
				requests: cell.requests,
				errors: cell.errors,
				limited: cell.limited,
				latency_sum_ms: cell.latencySumMs,
				latency_max_ms: cell.latencyMaxMs,
				h: [...cell.histogram],
			}),
		);
		const security = [...this.#security.values()];
		this.#requests = new Map();
		this.#security = new Map();
		return { requests, security };
	}
}

/**
 * The drained rows as jobs of at most `rowsPerJob` rows each (request rows first, then security
 * rows), each with an id of its own so the consumer adds it once.
 */
export function toFlushJobs(
	drained: DrainedMetrics,
	newJobId: () => string,
	now: Date,
	rowsPerJob = METRICS_ROWS_PER_JOB,
): MetricsFlushJob[] {
	const jobs: MetricsFlushJob[] = [];
	let current: MetricsFlushJob | undefined;
	const room = () => {
		if (!current || current.requests.length + current.security.length >= rowsPerJob) {
			current = { id: newJobId(), kind: "metrics.flush", occurred_at: now.toISOString(), requests: [], security: [] };
			jobs.push(current);
		}
		return current;
	};
	for (const row of drained.requests) room().requests.push(row);
	for (const row of drained.security) room().security.push(row);
	return jobs;
}
