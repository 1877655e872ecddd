/**
 * The account e-mails the auth routes queue (`email.send` on `backoffice-jobs`, sent by
 * workers/consumers/email.ts): the verification link, the password-reset link and the "your
 * password was changed" notice. Never sent inside a request.
 *
 * Two ways onto the queue, on purpose. A job carrying a link token goes straight to the queue
 * after the token is stored, not through the D1 outbox: the outbox keeps message bodies in D1 for
 * days, and a raw token there would undo keeping only its hash. If that send fails, the e-mail is
 * lost and the person asks for another link (resend, or "forgot password" again); the request
 * still succeeds. The notice carries no secret and must not be lost, so it goes through the
 * outbox, written in the batch that changes the password.
 *
 * The send runs after the answer (`waitUntil`): a reset request for an unknown address, which
 * sends nothing, then takes as long as one for a known address.
 */
import type { Context } from "hono";
import { type EmailJob, sendBackofficeJobs } from "../../../queues/backoffice-jobs.ts";
import type { OutboxMessage } from "../../../shared/data/outbox.ts";
import { newId } from "../../../shared/encoding.ts";
import type { DispatchHono } from "../types.ts";
import { linkOrigin, pageLink, TOKEN_TTL_MS } from "./link-tokens.ts";

export interface Person {
	email: string;
	name: string;
}

/** MailerSend refuses `;` and `,` in a recipient's name; the greeting keeps the name as it is. */
export function recipient(person: Person): EmailJob["to"] {
	const name = person.name.replaceAll(/[;,]/g, " ").replaceAll(/\s+/g, " ").trim();
	return name === "" ? { email: person.email } : { email: person.email, name: name.slice(0, 100) };
}

export const greeting = (person: Person) => person.name.trim().slice(0, 100) || undefined;

export function envelope(now: number) {
	return { id: newId("evt"), kind: "email.send" as const, occurred_at: new Date(now).toISOString() };
}

/** The origin of the links for this request (link-tokens.ts, `linkOrigin`). */
export function originOf(c: Context<DispatchHono>): string {
	return linkOrigin(c.req.url, c.env.ROOT_DOMAIN);
}

export function verificationEmail(person: Person, origin: string, token: string, now: number): EmailJob {
	const data = {
		verify_url: pageLink(origin, "/verify-email", token),
		expires_in_hours: TOKEN_TTL_MS.verify_email / 3_600_000,
	};
	const name = greeting(person);
	return {
		...envelope(now),
		to: recipient(person),
		template: "verify-email",
		data: name ? { name, ...data } : data,
	};
}

export function passwordResetEmail(person: Person, origin: string, token: string, now: number): EmailJob {
	const data = {
		reset_url: pageLink(origin, "/reset-password", token),
		expires_in_minutes: TOKEN_TTL_MS.password_reset / 60_000,
	};
	const name = greeting(person);
	return {
		...envelope(now),
		to: recipient(person),
		template: "password-reset",
		data: name ? { name, ...data } : data,
	};
}

/** The notice after a reset or a change, as the outbox row that announces it; "this was not me" leads to a reset. */
export function passwordChangedMessage(person: Person, origin: string, now: number): OutboxMessage {
	const data = { changed_at: new Date(now).toISOString(), support_url: pageLink(origin, "/forgot-password") };
	const name = greeting(person);
	const job: EmailJob = {
		...envelope(now),
		to: recipient(person),
		template: "password-changed",
		data: name ? { name, ...data } : data,
	};
	return { id: job.id, queue: "backoffice-jobs", body: job };
}

/**
 * Queues `job` once the answer is on its way; a failure (the queue, or a job its schema refuses)
 * is logged, never answered: the state change it follows is already committed (see the header).
 */
export function sendAfterAnswer(c: Context<DispatchHono>, job: EmailJob): void {
	const sending = Promise.resolve()
		.then(() => sendBackofficeJobs(c.env.BACKOFFICE_JOBS, [job]))
		.catch((cause: unknown) => {
			console.error("could not queue an account e-mail; the person can ask for another", job.template, job.id, cause);
		});
	c.executionCtx.waitUntil(sending);
}
