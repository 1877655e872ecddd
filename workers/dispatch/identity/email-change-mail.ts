/**
 * The e-mails of an address change, built the way ./recovery-mail.ts builds the others: the link
 * to the new address goes straight to the queue after its token is stored (a raw token never sits
 * in the D1 outbox); the two notices to the old address carry no secret and must not be lost, so
 * they are outbox rows written in the batch of the change they announce (or, for the request,
 * with the token). "This was not me" in a notice leads to a password reset.
 */
import type { EmailJob } from "../../../queues/backoffice-jobs.ts";
import type { OutboxMessage } from "../../../shared/data/outbox.ts";
import { pageLink, TOKEN_TTL_MS } from "./link-tokens.ts";
import { envelope, greeting, type Person, recipient } from "./recovery-mail.ts";

/** The link that confirms the change, to the new address (greeting the account's name). */
export function emailChangeLinkEmail(
	person: Person,
	newEmail: string,
	origin: string,
	token: string,
	now: number,
): EmailJob {
	const data = {
		confirm_url: pageLink(origin, "/confirm-email-change", token),
		expires_in_hours: TOKEN_TTL_MS.email_change / 3_600_000,
	};
	const name = greeting(person);
	return {
		...envelope(now),
		to: recipient({ name: person.name, email: newEmail }),
		template: "email-change-verify",
		data: name ? { name, ...data } : data,
	};
}

function notice(job: EmailJob): OutboxMessage {
	return { id: job.id, queue: "backoffice-jobs", body: job };
}

/** "Your address is being changed", to the old address, when the change is asked for. */
export function emailChangeRequestedMessage(
	person: Person,
	newEmail: string,
	origin: string,
	now: number,
): OutboxMessage {
	const data = {
		new_email: newEmail,
		requested_at: new Date(now).toISOString(),
		support_url: pageLink(origin, "/forgot-password"),
	};
	const name = greeting(person);
	return notice({
		...envelope(now),
		to: recipient(person),
		template: "email-change-requested",
		data: name ? { name, ...data } : data,
	});
}

/** "Your address was changed", to the old address, once the change is done. */
export function emailChangedMessage(person: Person, newEmail: string, origin: string, now: number): OutboxMessage {
	const data = {
		new_email: newEmail,
		changed_at: new Date(now).toISOString(),
		support_url: pageLink(origin, "/forgot-password"),
	};
	const name = greeting(person);
	return notice({
		...envelope(now),
		to: recipient(person),
		template: "email-changed",
		data: name ? { name, ...data } : data,
	});
}
