/**
 * The alert e-mails: for every transition not yet notified (an open alert without
 * `notified_fired_at`, a resolved one without `notified_resolved_at`), one essential `email.send`
 * job per admin — every user, not deleted, of an active tenant of kind `admin` — queued on
 * `backoffice-jobs`, then the transition marked notified. Job ids derive from the alert, the
 * transition and the recipient (../notify-mail.ts `mailJobId`), so a run that queued but could not
 * mark, or a redelivery, sends nothing new (the e-mail consumer is idempotent by job id). An alert
 * that resolved before its "firing" e-mail went out gets only the "resolved" one.
 */
import { type EmailJob, sendBackofficeJobs } from "../../../queues/backoffice-jobs.ts";
import type { AlertRule } from "../../../shared/contract/routes/admin-alerts.ts";
import { mailJobId, siteOrigin } from "../notify-mail.ts";
import type { AlertsEnv } from "./evaluate.ts";
import { alertTitle } from "./rules.ts";

/** At most this many alerts are notified per run; the rest wait for the next minute. */
const NOTIFY_LIMIT = 50;

interface PendingAlert {
	id: string;
	rule: AlertRule;
	subject: string;
	status: "firing" | "resolved";
	summary: string;
	fired_at: string;
	resolved_at: string | null;
}

interface Admin {
	id: string;
	email: string;
	name: string;
}

export async function adminRecipients(db: D1Database): Promise<Admin[]> {
	const { results } = await db
		.prepare(
			`SELECT u.id, u.email, u.name FROM users u JOIN tenants t ON t.id = u.tenant_id
			 WHERE t.kind = 'admin' AND t.status = 'active' AND u.deleted_at IS NULL ORDER BY u.id`,
		)
		.all<Admin>();
	return results;
}

function recipient(admin: Admin): EmailJob["to"] {
	const display = admin.name.replaceAll(/[;,]/g, " ").replaceAll(/\s+/g, " ").trim().slice(0, 100);
	return display === "" ? { email: admin.email } : { email: admin.email, name: display };
}

export async function alertMailJobs(
	alert: PendingAlert,
	admins: readonly Admin[],
	origin: string,
	now: Date,
): Promise<EmailJob[]> {
	const name = (admin: Admin) => admin.name.trim().slice(0, 100) || undefined;
	const common = {
		title: alertTitle(alert.rule, alert.subject),
		summary: alert.summary.slice(0, 500),
		fired_at: alert.fired_at,
		alerts_url: `${origin}/admin/alerts`,
	};
	const transition = alert.status === "resolved" ? "resolved" : "fired";
	return Promise.all(
		admins.map(async (admin): Promise<EmailJob> => {
			const envelope = {
				id: await mailJobId(`${alert.id}:${transition}`, admin.id),
				kind: "email.send" as const,
				occurred_at: now.toISOString(),
				to: recipient(admin),
			};
			const data = { ...common, ...(name(admin) ? { name: name(admin) } : {}) };
			return alert.status === "resolved" && alert.resolved_at
				? { ...envelope, template: "alert-resolved", data: { ...data, resolved_at: alert.resolved_at } }
				: { ...envelope, template: "alert-fired", data };
		}),
	);
}

export async function notifyAlerts(env: AlertsEnv, now: Date): Promise<void> {
	const { results: pending } = await env.DB.prepare(
		`SELECT id, rule, subject, status, summary, fired_at, resolved_at FROM alerts
		 WHERE (status = 'firing' AND notified_fired_at IS NULL)
		    OR (status = 'resolved' AND notified_resolved_at IS NULL)
		 ORDER BY fired_at, id LIMIT ?`,
	)
		.bind(NOTIFY_LIMIT)
		.all<PendingAlert>();
	if (pending.length === 0) return;
	const admins = await adminRecipients(env.DB);
	const origin = siteOrigin(env);
	const jobs = (await Promise.all(pending.map((alert) => alertMailJobs(alert, admins, origin, now)))).flat();
	await sendBackofficeJobs(env.BACKOFFICE_JOBS, jobs);
	const at = now.toISOString();
	const ids = (status: PendingAlert["status"]) =>
		JSON.stringify(pending.filter((alert) => alert.status === status).map((alert) => alert.id));
	await env.DB.batch([
		env.DB.prepare(
			"UPDATE alerts SET notified_fired_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND notified_fired_at IS NULL",
		).bind(at, ids("firing")),
		env.DB.prepare(
			"UPDATE alerts SET notified_resolved_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND notified_resolved_at IS NULL",
		).bind(at, ids("resolved")),
	]);
}
