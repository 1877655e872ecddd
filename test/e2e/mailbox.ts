/**
 * Reading what the product e-mailed, the way a developer does: the local mail stand-in's JSON list
 * (`GET /api/messages`, newest first; startTopology({ localMail: true })), polled until the
 * message arrives, since every e-mail goes through the `backoffice-jobs` queue and its consumer.
 * `linkIn` picks the product link out of the plain-text body, so a test follows exactly what a
 * person would click.
 */
import { vi } from "vitest";
import type { Topology } from "../topology/topology.ts";

export interface Mail {
	id: string;
	to: { email: string; name?: string }[];
	subject: string;
	text: string | null;
	html: string | null;
	created_at: string;
}

export async function messages(topology: Topology): Promise<Mail[]> {
	if (!topology.mail) throw new Error("this topology runs no mail stand-in (localMail: true)");
	const res = await fetch(`${topology.mail.url}/api/messages`);
	if (!res.ok) throw new Error(`GET /api/messages answered ${res.status}`);
	return (await res.json()) as Mail[];
}

/** Every message to `email` with `subject`, newest first. */
export async function mailTo(topology: Topology, email: string, subject: string): Promise<Mail[]> {
	return (await messages(topology)).filter(
		(mail) => mail.subject === subject && mail.to.some((to) => to.email.toLowerCase() === email.toLowerCase()),
	);
}

/** Waits until at least `count` messages to `email` with `subject` have arrived; answers the newest. */
export async function waitForMail(topology: Topology, email: string, subject: string, count = 1): Promise<Mail> {
	return vi.waitFor(
		async () => {
			const found = await mailTo(topology, email, subject);
			if (found.length < count) throw new Error(`${found.length} of ${count} "${subject}" e-mails to ${email}`);
			return found[0] as Mail;
		},
		{ timeout: 20_000, interval: 100 },
	);
}

/** The link to `path` (e.g. `/verify-email`) in the message's plain text, as a URL. */
export function linkIn(mail: Mail, path: string): URL {
	const match = new RegExp(`https?://[^\\s"<>]+${path.replaceAll("/", "\\/")}(?:\\?[^\\s"<>]*)?`).exec(mail.text ?? "");
	if (!match) throw new Error(`no ${path} link in "${mail.subject}": ${mail.text}`);
	return new URL(match[0]);
}

export const SUBJECTS = {
	verify: "Confirm your e-mail address",
	reset: "Reset your TechFlunky password",
	changed: "Your TechFlunky password was changed",
} as const;
