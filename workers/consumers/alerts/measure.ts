/**
 * What the alert rules (./rules.ts) need, read from D1 in one batch: the window's request totals
 * and latency histogram (`metrics_minutes`, summed over every tenant, route and portal), its
 * security events (`security_minutes`), the dead letters still waiting for a replay per queue, and
 * the payments past one of the state limits. Aggregates only: a run reads a handful of rows
 * however busy the platform was.
 */
import {
	type Measurements,
	type PaymentCandidate,
	paymentCutoffs,
	STUCK_PAYMENTS_LIMIT,
	windowMinutes,
} from "./rules.ts";

const BUCKETS = Array.from({ length: 16 }, (_, i) => `h${String(i).padStart(2, "0")}`);

type Totals = { requests: number | null; errors: number | null } & Record<string, number | null>;

export async function measure(db: D1Database, now: Date): Promise<Measurements> {
	const { from, to } = windowMinutes(now);
	const cut = paymentCutoffs(now);
	const [totals, security, dead, payments] = await db.batch([
		db
			.prepare(
				`SELECT SUM(requests) AS requests, SUM(errors) AS errors, ${BUCKETS.map((h) => `SUM(${h}) AS ${h}`).join(", ")}
				 FROM metrics_minutes WHERE minute >= ? AND minute < ?`,
			)
			.bind(from, to),
		db.prepare("SELECT SUM(count) AS events FROM security_minutes WHERE minute >= ? AND minute < ?").bind(from, to),
		db.prepare(
			"SELECT queue, COUNT(*) AS count FROM dead_letters WHERE replayed_at IS NULL GROUP BY queue ORDER BY queue",
		),
		// The same limits as `stuckPayment` decides on, so only stuck rows are read; oldest first.
		db
			.prepare(
				`SELECT id, status, processing, created_at, updated_at, release_at FROM payments
				 WHERE (processing = 1 AND updated_at < ?1)
				    OR (status = 'pending' AND created_at < ?2)
				    OR (status = 'paid' AND release_at IS NOT NULL AND release_at < ?3)
				    OR (status = 'disputed' AND updated_at < ?4)
				 ORDER BY updated_at, id LIMIT ?5`,
			)
			.bind(cut.processingBefore, cut.pendingBefore, cut.releaseBefore, cut.disputedBefore, STUCK_PAYMENTS_LIMIT + 1),
	]);
	const sums = (totals?.results[0] ?? {}) as Partial<Totals>;
	const stuck = (payments?.results ?? []) as PaymentCandidate[];
	return {
		requests: sums.requests ?? 0,
		errors: sums.errors ?? 0,
		histogram: BUCKETS.map((h) => sums[h] ?? 0),
		securityEvents: (security?.results[0] as { events: number | null } | undefined)?.events ?? 0,
		deadLetters: (dead?.results ?? []) as { queue: string; count: number }[],
		stuckPayments: stuck.slice(0, STUCK_PAYMENTS_LIMIT),
		stuckPaymentsComplete: stuck.length <= STUCK_PAYMENTS_LIMIT,
	};
}
