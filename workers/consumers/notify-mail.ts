/**
 * What the notification-mail producers of the consumers Worker share (./offer-mail.ts,
 * ./payment-mail.ts): the job id derived from the event and the recipient (`evt_` + SHA-256), so an
 * at-least-once event queues the same job id on every delivery and the e-mail consumer
 * (./email.ts, idempotent by job id) sends it once; and the recipients — every user of the named
 * tenants — with the listing's title, read from D1 in one query.
 */
import type { EmailJob } from "../../queues/backoffice-jobs.ts";
import { toHex, utf8 } from "../../shared/encoding.ts";

export type NotifyMailEnv = Pick<ConsumersEnv, "DB" | "SITE_ORIGIN">;

export interface Recipient {
	user_id: string;
	email: string;
	name: string;
	title: string;
	tenant_id: string;
}

/** `evt_<32 hex>` from the event and the recipient: the same pair always gives the same job id. */
export async function mailJobId(eventId: string, userId: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", utf8.encode(`${eventId}|${userId}|mail`));
	return `evt_${toHex(new Uint8Array(digest)).slice(0, 32)}`;
}

export async function recipientsIn(db: D1Database, listingId: string, tenants: string[]): Promise<Recipient[]> {
	const { results } = await db
		.prepare(
			`SELECT u.id AS user_id, u.email, u.name, u.tenant_id, l.title FROM users u JOIN listings l ON l.id = ?1
			 WHERE u.tenant_id IN (SELECT value FROM json_each(?2))`,
		)
		.bind(listingId, JSON.stringify(tenants))
		.all<Recipient>();
	return results;
}

/** The job's envelope and the data every notification template shares, for one recipient. */
export async function envelopeFor(eventId: string, recipient: Recipient, now: Date) {
	const name = recipient.name.trim().slice(0, 100);
	const display = recipient.name.replaceAll(/[;,]/g, " ").replaceAll(/\s+/g, " ").trim().slice(0, 100);
	const to: EmailJob["to"] = display === "" ? { email: recipient.email } : { email: recipient.email, name: display };
	return {
		job: {
			id: await mailJobId(eventId, recipient.user_id),
			kind: "email.send" as const,
			occurred_at: now.toISOString(),
			to,
		},
		data: {
			...(name ? { name } : {}),
			listing_title: recipient.title.trim().slice(0, 200) || "your listing",
		},
	};
}

export const siteOrigin = (env: NotifyMailEnv) => new URL(env.SITE_ORIGIN).origin;
