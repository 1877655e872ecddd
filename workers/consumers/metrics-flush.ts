/**
 * `metrics.flush` (queues/metrics.ts): adds one isolate's per-minute counts to D1
 * `metrics_minutes` and `security_minutes` (migrations/0015_metrics.sql) in ONE batch that first
 * claims the job id in `metrics_flushes`. A redelivered job fails that claim on its primary key,
 * so the whole batch rolls back and the job is "already recorded": counts are added exactly once
 * per job, whatever the queue redelivers. Cells from different jobs (isolates, intervals) add up
 * through the upserts; the maximum latency keeps the larger.
 *
 * The same batch prunes cheaply: at most `PRUNE_LIMIT` rows older than 35 days from each table
 * (the minute is the primary key's first column), and the oldest claimed job ids (by rowid)
 * once they are older than the rows they protect. A dead letter can be replayed at any age, so a
 * job older than the kept ids is refused outright: it could otherwise be counted twice.
 */
import type { MetricsFlushJob } from "../../queues/metrics.ts";
import { BUCKET_COUNT } from "../../shared/metrics/histogram.ts";

export const METRICS_RETENTION_DAYS = 35;
// As long as the rows they protect: a dead letter replayed (even forced) while its minutes are
// still kept must find its id claimed. Older jobs are refused below, whatever their id.
const FLUSH_ID_RETENTION_DAYS = METRICS_RETENTION_DAYS + 1;
const PRUNE_LIMIT = 500;

const H = Array.from({ length: BUCKET_COUNT }, (_, i) => `h${String(i).padStart(2, "0")}`);

const UPSERT_REQUESTS = `
	INSERT INTO metrics_minutes (minute, tenant_id, route, portal, requests, errors, limited,
	  latency_sum_ms, latency_max_ms, ${H.join(", ")})
	VALUES (${new Array(9 + BUCKET_COUNT).fill("?").join(", ")})
	ON CONFLICT (minute, tenant_id, route, portal) DO UPDATE SET
	  requests = requests + excluded.requests,
	  errors = errors + excluded.errors,
	  limited = limited + excluded.limited,
	  latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms,
	  latency_max_ms = max(latency_max_ms, excluded.latency_max_ms),
	  ${H.map((h) => `${h} = ${h} + excluded.${h}`).join(",\n\t  ")}`;

const UPSERT_SECURITY = `
	INSERT INTO security_minutes (minute, tenant_id, kind, count) VALUES (?, ?, ?, ?)
	ON CONFLICT (minute, tenant_id, kind) DO UPDATE SET count = count + excluded.count`;

const pruneMinutes = (table: "metrics_minutes" | "security_minutes") => `
	DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE minute < ? LIMIT ${PRUNE_LIMIT})`;

// Job ids are claimed in time order, so the lowest rowids are the oldest claims.
const PRUNE_FLUSH_IDS = `
	DELETE FROM metrics_flushes WHERE rowid IN (SELECT rowid FROM metrics_flushes ORDER BY rowid LIMIT ${PRUNE_LIMIT})
	  AND recorded_at < ?`;

/** Whether `error` is the claim of an id that is claimed already. */
function alreadyClaimed(error: unknown): boolean {
	const text = error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error);
	return /UNIQUE constraint failed: metrics_flushes\.job_id/i.test(text);
}

export type FlushRecorded = "recorded" | "duplicate";

export async function recordMetricsFlush(db: D1Database, job: MetricsFlushJob, now: Date): Promise<FlushRecorded> {
	const nowMs = now.getTime();
	if (Date.parse(job.occurred_at) < nowMs - FLUSH_ID_RETENTION_DAYS * 86_400_000) return "duplicate";
	const oldestMinute = Math.floor(nowMs / 60_000) - METRICS_RETENTION_DAYS * 24 * 60;
	const flushIdsBefore = new Date(nowMs - FLUSH_ID_RETENTION_DAYS * 86_400_000).toISOString();
	const statements = [
		db.prepare("INSERT INTO metrics_flushes (job_id, recorded_at) VALUES (?, ?)").bind(job.id, now.toISOString()),
		...job.requests.map((row) =>
			db
				.prepare(UPSERT_REQUESTS)
				.bind(
					row.minute,
					row.tenant_id,
					row.route,
					row.portal,
					row.requests,
					row.errors,
					row.limited,
					row.latency_sum_ms,
					row.latency_max_ms,
					...row.h,
				),
		),
		...job.security.map((row) => db.prepare(UPSERT_SECURITY).bind(row.minute, row.tenant_id, row.kind, row.count)),
		db.prepare(pruneMinutes("metrics_minutes")).bind(oldestMinute),
		db.prepare(pruneMinutes("security_minutes")).bind(oldestMinute),
		db.prepare(PRUNE_FLUSH_IDS).bind(flushIdsBefore),
	];
	try {
		await db.batch(statements);
	} catch (error) {
		if (alreadyClaimed(error)) return "duplicate";
		throw new Error(`could not record metrics flush ${job.id}`, { cause: error });
	}
	return "recorded";
}
