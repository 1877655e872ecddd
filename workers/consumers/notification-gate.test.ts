/**
 * The notification gate of the `email.send` consumer (workers/consumers/email.ts) against the
 * consumers project's mail stand-in: a job with a `notification` goes out only while its user wants
 * that kind — read at send time, so an opt-out after queueing is honoured — and carries the RFC 8058
 * headers and a visible unsubscribe link whose token the unsubscribe route accepts. A job of a
 * non-essential template without `notification` is refused by the schema (dead-lettered, unsent).
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EmailJob } from "../../queues/backoffice-jobs.ts";
import { updatePreferences } from "../../shared/notifications/preferences.ts";
import { verifyUnsubscribeToken } from "../../shared/notifications/unsubscribe-token.ts";
import consumers from "./index.ts";
import { newUser as gate } from "./users.test.helpers.ts";

const bindings = env as unknown as ConsumersEnv & { MAILERSEND_API_BASE: string };
const hex = () => crypto.randomUUID().replaceAll("-", "");

const newUser = () => gate(bindings.DB);

function offerJob(user: { id: string; email: string }, withNotification = true): EmailJob {
	return {
		id: `evt_${hex()}`,
		kind: "email.send",
		occurred_at: new Date().toISOString(),
		to: { email: user.email },
		template: "offer-received",
		data: {
			listing_title: "Gated SaaS",
			amount_cents: 500_000,
			currency: "USD",
			offer_url: "https://techflunky.com/offers/off_1",
		},
		...(withNotification
			? { notification: { user_id: user.id, kind: "offer_received", origin: "https://techflunky.com" } }
			: {}),
	} as EmailJob;
}

async function deliver(body: unknown) {
	const batch = createMessageBatch("backoffice-jobs", [
		{ id: `msg-gate-${hex()}`, timestamp: new Date(), attempts: 1, body },
	]);
	const ctx = createExecutionContext();
	await (consumers.queue as ExportedHandlerQueueHandler<ConsumersEnv>)(batch, bindings, ctx);
	return getQueueResult(batch, ctx);
}

interface Kept {
	to: { email: string }[];
	text: string | null;
	html: string | null;
	headers: { name: string; value: string }[];
}

async function inbox(to: string): Promise<Kept[]> {
	const all = (await (await fetch(`${bindings.MAILERSEND_API_BASE}/api/messages`)).json()) as Kept[];
	return all.filter((m) => m.to.some((a) => a.email === to));
}

describe("notification gate", () => {
	it("sends a wanted kind with List-Unsubscribe headers and a visible link, both with a genuine token", async () => {
		const user = await newUser();
		await deliver(offerJob(user));
		const [kept] = await inbox(user.email);
		const header = (name: string) => kept?.headers.find((h) => h.name === name)?.value;
		expect(header("List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
		const oneClick = /^<(https:\/\/techflunky\.com\/api\/v1\/notifications\/unsubscribe\?token=[^>]+)>$/.exec(
			header("List-Unsubscribe") ?? "",
		);
		expect(oneClick).not.toBeNull();
		const token = new URL(oneClick?.[1] ?? "").searchParams.get("token") ?? "";
		expect(await verifyUnsubscribeToken(bindings.UNSUBSCRIBE_SECRET, token)).toEqual({
			userId: user.id,
			kind: "offer_received",
		});
		const page = `https://techflunky.com/unsubscribe?token=${encodeURIComponent(token)}`;
		expect(kept?.text).toContain(`Unsubscribe from these e-mails: ${page}`);
		expect(kept?.html).toContain(`href="${page}"`);
	});

	it("does not send a kind turned off after the job was queued, and sends it again once back on", async () => {
		const user = await newUser();
		const job = offerJob(user);
		await updatePreferences(bindings.DB, user.id, { kinds: { offer_received: false } }, new Date());
		const result = await deliver(job);
		expect(result.explicitAcks).toHaveLength(1);
		expect(await inbox(user.email)).toHaveLength(0);
		await updatePreferences(bindings.DB, user.id, { kinds: { offer_received: true } }, new Date());
		await deliver(offerJob(user));
		expect(await inbox(user.email)).toHaveLength(1);
	});

	it("sends nothing to a deleted account, nor to a user who does not exist", async () => {
		const user = await newUser();
		await bindings.DB.prepare("UPDATE users SET deleted_at = ? WHERE id = ?")
			.bind(new Date().toISOString(), user.id)
			.run();
		const deleted = await deliver(offerJob(user));
		expect(deleted.explicitAcks).toHaveLength(1);
		const ghost = { id: `usr_${hex()}`, email: `ghost-${hex().slice(0, 8)}@example.test` };
		await deliver(offerJob(ghost));
		expect([...(await inbox(user.email)), ...(await inbox(ghost.email))]).toHaveLength(0);
	});

	it("refuses a non-essential job without its notification, unsent", async () => {
		const user = await newUser();
		const result = await deliver(offerJob(user, false));
		expect(result.explicitAcks).toHaveLength(1);
		expect(await inbox(user.email)).toHaveLength(0);
	});
});
