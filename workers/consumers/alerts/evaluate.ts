/**
 * One run of the alert rules (the every-minute cron, ../scheduled.ts): measure (./measure.ts),
 * judge (./rules.ts), then move the `alerts` rows and tell the admins (./alert-mail.ts).
 *
 * A finding with no open alert opens one: `INSERT … ON CONFLICT DO NOTHING` against the partial
 * unique index of open alerts (migrations/0016_alerts.sql), so two runs at once open one row. An
 * alert still firing only has its `value` and `last_evaluated_at` moved. An open alert with no
 * finding (and not undecided) is resolved; a later finding opens a new row, notified afresh. The
 * state change is committed before any e-mail is queued, and the e-mails of every transition not
 * yet marked notified are (re)queued on each run, with job ids derived from alert, transition and
 * recipient: a failed send is retried by the next run and never sends twice.
 */
import { newId } from "../../../shared/encoding.ts";
import { notifyAlerts } from "./alert-mail.ts";
import { measure } from "./measure.ts";
import { type Evaluation, evaluateRules } from "./rules.ts";

export type AlertsEnv = Pick<ConsumersEnv, "DB" | "SITE_ORIGIN" | "BACKOFFICE_JOBS">;

export async function evaluateAlerts(env: AlertsEnv, now: Date): Promise<void> {
	const evaluation = evaluateRules(await measure(env.DB, now), now);
	await applyEvaluation(env.DB, evaluation, now);
	await notifyAlerts(env, now);
}

/** The rows' moves for one evaluation, in one D1 batch (one transaction). */
export async function applyEvaluation(db: D1Database, evaluation: Evaluation, now: Date): Promise<void> {
	const at = now.toISOString();
	const statements: D1PreparedStatement[] = [];
	for (const finding of evaluation.firing) {
		statements.push(
			db
				.prepare(
					`INSERT INTO alerts (id, rule, subject, status, value, threshold, summary, fired_at, last_evaluated_at)
					 VALUES (?, ?, ?, 'firing', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				)
				.bind(newId("alr"), finding.rule, finding.subject, finding.value, finding.threshold, finding.summary, at, at),
			// The summary stays the one the e-mail quoted when it fired; the value follows the measurement.
			db
				.prepare(
					`UPDATE alerts SET value = ?, last_evaluated_at = ?
					 WHERE rule = ? AND subject = ? AND status = 'firing'`,
				)
				.bind(finding.value, at, finding.rule, finding.subject),
		);
	}
	const firing = evaluation.firing.map(({ rule, subject }) => ({ rule, subject }));
	statements.push(
		db
			.prepare(
				`UPDATE alerts SET status = 'resolved', resolved_at = ?1, last_evaluated_at = ?1
				 WHERE status = 'firing'
				   AND NOT EXISTS (SELECT 1 FROM json_each(?2) f
				                   WHERE json_extract(f.value, '$.rule') = alerts.rule
				                     AND json_extract(f.value, '$.subject') = alerts.subject)
				   AND NOT EXISTS (SELECT 1 FROM json_each(?3) u
				                   WHERE json_extract(u.value, '$.rule') = alerts.rule
				                     AND (json_extract(u.value, '$.subject') IS NULL
				                          OR json_extract(u.value, '$.subject') = alerts.subject))`,
			)
			.bind(at, JSON.stringify(firing), JSON.stringify(evaluation.undecided)),
	);
	await db.batch(statements);
}
