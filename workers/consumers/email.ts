/**
 * The `email.send` job (queues/backoffice-jobs.ts): render the named template, POST it to
 * MailerSend (`${MAILERSEND_API_BASE}/v1/email`, bearer key) and record the job id with
 * MailerSend's message id in `emails` before the job is acked, so a redelivered job is not sent
 * again. 429, 408, 5xx and network errors retry (`Retry-After` honoured, capped; else exponential
 * backoff); any other 4xx is permanent: recorded as `failed` and dead-lettered at once (an admin's replay of that dead letter tries again), never
 * retried and never holding up the batch's other messages (each message is handled on its own).
 *
 * Delivery is at-least-once, not exactly-once. MailerSend has no idempotency key, so a crash (or
 * a lost D1 write, or a timeout after MailerSend took the request) between its 202 and our `sent`
 * record cannot be told apart from a send that never happened: the job is retried and the e-mail
 * may go out twice. We chose that over at-most-once because these e-mails (verification, password
 * reset, payment notices) are worth more arriving twice than not at all. The window is one HTTP
 * round trip plus one D1 write; a claim (`status = 'sending'`, `updated_at`) keeps two concurrent
 * deliveries of the same job from both sending, and is retaken only once it is `CLAIM_SECONDS` old.
 *
 * A job with a `notification` (every non-essential e-mail) is sent only if its user still wants
 * that kind, read now rather than when it was queued, and carries the one-click unsubscribe
 * (shared/email/unsubscribe.ts: `List-Unsubscribe` headers and a visible link). A job turned off
 * is acked without a record: nothing was sent, and a later redelivery is checked again.
 */
import type { EmailJob } from "../../queues/backoffice-jobs.ts";
import { type Rendered, renderTemplate } from "../../shared/email/templates/index.ts";
import { PRODUCT_NAME } from "../../shared/email/templates/layout.ts";
import {
	type Unsubscribe,
	unsubscribeHeaders,
	unsubscribeLinks,
	withUnsubscribeFooter,
} from "../../shared/email/unsubscribe.ts";
import { isEnabled } from "../../shared/notifications/preferences.ts";
import { unsubscribeToken } from "../../shared/notifications/unsubscribe-token.ts";
import { backoffSeconds } from "./backoff.ts";
import { DeadLetter, RetryLater } from "./failures.ts";
import { retryAfterSeconds } from "./retry-after.ts";

export type EmailEnv = Pick<
	ConsumersEnv,
	"DB" | "MAILERSEND_API_BASE" | "MAILERSEND_API_KEY" | "MAILERSEND_FROM_EMAIL" | "UNSUBSCRIBE_SECRET"
>;

/** A claim older than this is taken to be a delivery that died; longer than any one attempt. */
export const CLAIM_SECONDS = 60;
const TIMEOUT_MS = 10_000;

const isTransient = (status: number) => status === 408 || status === 429 || status >= 500;

export async function sendEmail(env: EmailEnv, job: EmailJob, now: () => Date): Promise<void> {
	const notification = job.notification;
	if (notification && !(await isEnabled(env.DB, notification.user_id, notification.kind))) return;
	const claimedAt = now();
	const staleBefore = new Date(claimedAt.getTime() - CLAIM_SECONDS * 1000).toISOString();
	const claim = await env.DB.prepare(
		`INSERT INTO emails (job_id, to_email, template, status, attempts, created_at, updated_at)
		 VALUES (?1, ?2, ?3, 'sending', 1, ?4, ?4)
		 ON CONFLICT (job_id) DO UPDATE SET status = 'sending', attempts = emails.attempts + 1, updated_at = ?4
		   WHERE emails.status IN ('retrying', 'failed') OR (emails.status = 'sending' AND emails.updated_at < ?5)
		 RETURNING attempts`,
	)
		.bind(job.id, job.to.email, job.template, claimedAt.toISOString(), staleBefore)
		.first<{ attempts: number }>();
	if (!claim) {
		const row = await env.DB.prepare("SELECT status, last_error FROM emails WHERE job_id = ?")
			.bind(job.id)
			.first<{ status: string; last_error: string | null }>();
		if (row?.status === "sent") return;
		throw new RetryLater("e-mail claimed by another delivery", CLAIM_SECONDS);
	}
	const attempts = claim.attempts;

	let rendered: Rendered;
	let links: Unsubscribe | undefined;
	try {
		rendered = renderTemplate(job.template, job.data);
		if (notification) {
			const token = await unsubscribeToken(env.UNSUBSCRIBE_SECRET, notification.user_id, notification.kind);
			links = unsubscribeLinks(notification.origin, token);
			rendered = withUnsubscribeFooter(rendered, notification.kind, links);
		}
	} catch (cause) {
		// The data passed the template's schema, so this is a template bug: retrying cannot fix it.
		await record(env, job.id, "failed", `render: ${String(cause)}`, now());
		throw new DeadLetter(`template ${job.template} could not render`, { cause });
	}
	let response: Response;
	try {
		response = await fetch(`${env.MAILERSEND_API_BASE.replace(/\/+$/, "")}/v1/email`, {
			method: "POST",
			headers: {
				Authorization: `Bearer ${env.MAILERSEND_API_KEY}`,
				"Content-Type": "application/json",
				Accept: "application/json",
			},
			body: JSON.stringify({
				from: { email: env.MAILERSEND_FROM_EMAIL, name: PRODUCT_NAME },
				to: [job.to],
				subject: rendered.subject,
				text: rendered.text,
				html: rendered.html,
				...(links ? { headers: unsubscribeHeaders(links) } : {}),
			}),
			signal: AbortSignal.timeout(TIMEOUT_MS),
		});
	} catch (cause) {
		await record(env, job.id, "retrying", `network: ${String(cause)}`, now());
		throw new RetryLater("MailerSend unreachable", backoffSeconds(attempts), { cause });
	}

	if (response.ok) {
		await response.body?.cancel();
		await env.DB.prepare(
			`UPDATE emails SET status = 'sent', message_id = ?1, sent_at = ?2, updated_at = ?2, last_error = NULL
			 WHERE job_id = ?3`,
		)
			.bind(response.headers.get("X-Message-Id"), now().toISOString(), job.id)
			.run();
		return;
	}

	const detail = await problemOf(response);
	if (isTransient(response.status)) {
		const delay = retryAfterSeconds(response.headers.get("Retry-After"), now()) ?? backoffSeconds(attempts);
		await record(env, job.id, "retrying", detail, now());
		throw new RetryLater(detail, delay);
	}
	await record(env, job.id, "failed", detail, now());
	throw new DeadLetter(detail);
}

async function record(env: EmailEnv, jobId: string, status: "retrying" | "failed", error: string, at: Date) {
	await env.DB.prepare("UPDATE emails SET status = ?, last_error = ?, updated_at = ? WHERE job_id = ?")
		.bind(status, error.slice(0, 1000), at.toISOString(), jobId)
		.run();
}

/** `MailerSend 422: The to.0.email domain must be verified.`: status and MailerSend's own message. */
async function problemOf(response: Response): Promise<string> {
	const text = await response.text().catch(() => "");
	let message = "";
	try {
		const body = JSON.parse(text) as { message?: unknown };
		if (typeof body.message === "string") message = body.message;
	} catch {
		message = text;
	}
	return `MailerSend ${response.status}${message ? `: ${message.slice(0, 500)}` : ""}`;
}
