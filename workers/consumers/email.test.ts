import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EmailJob } from "../../queues/backoffice-jobs.ts";
import { backoffSeconds } from "./backoff.ts";
import consumers from "./index.ts";
import { newUser } from "./users.test.helpers.ts";

const bindings = env as unknown as ConsumersEnv & { MAILERSEND_API_BASE: string };
const mail = bindings.MAILERSEND_API_BASE;

const evt = () => `evt_${crypto.randomUUID().replaceAll("-", "")}`;
/** A recipient of its own per test, so the stand-in's shared inbox can be read per test. */
const recipient = () => `user-${crypto.randomUUID().slice(0, 8)}@example.test`;

function resetJob(to: string, overrides: Partial<EmailJob> = {}): EmailJob {
	return {
		id: evt(),
		kind: "email.send",
		occurred_at: new Date().toISOString(),
		to: { email: to, name: "Ada Lovelace" },
		template: "password-reset",
		data: { name: "Ada", reset_url: "https://techflunky.com/reset?token=t0k3n", expires_in_minutes: 30 },
		...overrides,
	} as EmailJob;
}

/**
 * One batch through the consumer. `retries` are the delays the consumer asked for: the queue
 * result records which messages were retried, not with what delay.
 */
async function deliver(bodies: unknown[], attempts = 1, on: ConsumersEnv = bindings) {
	const batch = createMessageBatch(
		"backoffice-jobs",
		bodies.map((body, i) => ({
			id: `msg-email-${Date.now()}-${i}-${Math.random()}`,
			timestamp: new Date(),
			attempts,
			body,
		})),
	);
	const retries: { id: string; delaySeconds: number | undefined }[] = [];
	for (const message of batch.messages) {
		const retry = message.retry.bind(message);
		message.retry = (options) => {
			retries.push({ id: message.id, delaySeconds: options?.delaySeconds });
			retry(options);
		};
	}
	const ctx = createExecutionContext();
	await (consumers.queue as ExportedHandlerQueueHandler<ConsumersEnv>)(batch, on, ctx);
	return { batch, retries, result: await getQueueResult(batch, ctx) };
}

interface Kept {
	id: string;
	to: { email: string; name?: string }[];
	subject: string;
	text: string | null;
	html: string | null;
}

async function inbox(to: string): Promise<Kept[]> {
	const res = await fetch(`${mail}/api/messages`);
	const all = (await res.json()) as Kept[];
	return all.filter((m) => m.to.some((a) => a.email === to));
}

async function fault(body: { status: number; times: number; retryAfterSeconds?: number; to: string }) {
	const res = await fetch(`${mail}/_test/faults`, {
		method: "POST",
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify(body),
	});
	expect(res.status).toBe(201);
}

const row = (jobId: string) =>
	bindings.DB.prepare("SELECT * FROM emails WHERE job_id = ?").bind(jobId).first<{
		status: string;
		message_id: string | null;
		attempts: number;
		last_error: string | null;
		sent_at: string | null;
	}>();

afterEach(async () => {
	await fetch(`${mail}/_test/faults`, { method: "DELETE" });
});

describe("email.send consumer", () => {
	it("renders the template, sends it once through MailerSend and records the message id", async () => {
		const to = recipient();
		const job = resetJob(to);
		const { batch, result } = await deliver([job]);
		expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
		expect(result.retryMessages).toEqual([]);

		const kept = await inbox(to);
		expect(kept).toHaveLength(1);
		expect(kept[0]).toMatchObject({
			to: [{ email: to, name: "Ada Lovelace" }],
			subject: "Reset your TechFlunky password",
		});
		expect(kept[0]?.text).toContain("https://techflunky.com/reset?token=t0k3n");
		expect(kept[0]?.html).toContain('href="https://techflunky.com/reset?token=t0k3n"');
		expect(await row(job.id)).toMatchObject({ status: "sent", message_id: kept[0]?.id, attempts: 1, last_error: null });
	});

	it("does not send a redelivered job twice", async () => {
		const to = recipient();
		const job = resetJob(to);
		await deliver([job]);
		const { batch, result } = await deliver([job, job], 2);
		expect(result.explicitAcks.sort()).toEqual(batch.messages.map((m) => m.id).sort());
		expect(await inbox(to)).toHaveLength(1);
		expect((await row(job.id))?.attempts).toBe(1);
	});

	it("retries a 429 after the Retry-After MailerSend asked for, then sends", async () => {
		const to = recipient();
		const job = resetJob(to);
		await fault({ status: 429, times: 1, retryAfterSeconds: 7, to });
		const first = await deliver([job]);
		expect(first.result.explicitAcks).toEqual([]);
		expect(first.result.retryMessages).toEqual([{ msgId: first.batch.messages[0]?.id }]);
		expect(first.retries).toEqual([{ id: first.batch.messages[0]?.id, delaySeconds: 7 }]);
		expect(await inbox(to)).toHaveLength(0);
		expect(await row(job.id)).toMatchObject({ status: "retrying", attempts: 1 });
		expect((await row(job.id))?.last_error).toMatch(/^MailerSend 429/);

		const second = await deliver([job], 2);
		expect(second.result.explicitAcks).toEqual([second.batch.messages[0]?.id]);
		expect(await inbox(to)).toHaveLength(1);
		expect(await row(job.id)).toMatchObject({ status: "sent", attempts: 2, last_error: null });
	});

	it("retries a 500 with exponential backoff, then sends", async () => {
		const to = recipient();
		const job = resetJob(to);
		await fault({ status: 500, times: 2, to });
		const first = await deliver([job]);
		expect(first.retries).toEqual([{ id: first.batch.messages[0]?.id, delaySeconds: backoffSeconds(1) }]);
		const second = await deliver([job], 2);
		expect(second.retries).toEqual([{ id: second.batch.messages[0]?.id, delaySeconds: backoffSeconds(2) }]);
		expect(await inbox(to)).toHaveLength(0);

		const third = await deliver([job], 3);
		expect(third.result.explicitAcks).toEqual([third.batch.messages[0]?.id]);
		expect(await inbox(to)).toHaveLength(1);
		expect(await row(job.id)).toMatchObject({ status: "sent", attempts: 3 });
	});

	it("retries when MailerSend cannot be reached", async () => {
		const job = resetJob(recipient());
		const unreachable = { ...bindings, MAILERSEND_API_BASE: "http://127.0.0.1:9" } as unknown as ConsumersEnv;
		const { batch, retries } = await deliver([job], 1, unreachable);
		expect(retries).toEqual([{ id: batch.messages[0]?.id, delaySeconds: backoffSeconds(1) }]);
		expect((await row(job.id))?.last_error).toMatch(/^network: /);
	});

	it("dead-letters a job MailerSend refuses (422), records it, still sends the rest of the batch, and sends it once when replayed", async () => {
		const refused = recipient();
		const others = [recipient(), recipient()];
		await fault({ status: 422, times: 1, to: refused });
		const jobs = [resetJob(others[0] as string), resetJob(refused), resetJob(others[1] as string)];
		const deadLetter = vi.spyOn(bindings.BACKOFFICE_JOBS_DLQ, "send");
		const { batch, result } = await deliver(jobs);
		expect(result.explicitAcks.sort()).toEqual(batch.messages.map((m) => m.id).sort());
		expect(result.retryMessages).toEqual([]);
		expect(deadLetter).toHaveBeenCalledTimes(1);
		expect(deadLetter.mock.calls[0]?.[0]).toMatchObject({
			poison: { queue: "backoffice-jobs", permanent: true, body: { id: jobs[1]?.id } },
		});
		deadLetter.mockRestore();

		expect(await inbox(refused)).toHaveLength(0);
		for (const to of others) expect(await inbox(to)).toHaveLength(1);
		const failed = await row(jobs[1]?.id as string);
		expect(failed).toMatchObject({ status: "failed", message_id: null, sent_at: null });
		expect(failed?.last_error).toMatch(/^MailerSend 422: The to\.0\.email domain must be verified/);
		await vi.waitFor(
			async () => {
				const dead = await bindings.DB.prepare("SELECT queue, reason FROM dead_letters WHERE body LIKE ?")
					.bind(`%${jobs[1]?.id}%`)
					.first<{ queue: string; reason: string }>();
				expect(dead).toMatchObject({ queue: "backoffice-jobs" });
				expect(dead?.reason).toMatch(/^failed: MailerSend 422/);
			},
			{ timeout: 5_000, interval: 100 },
		);

		// A redelivery (an admin's replay once the cause is fixed: the fault was one-off) tries
		// again — MailerSend never accepted it, so this cannot send it twice — and sends it once.
		const again = await deliver([jobs[1]], 2);
		expect(again.result.explicitAcks).toHaveLength(1);
		expect(await inbox(refused)).toHaveLength(1);
		expect(await row(jobs[1]?.id as string)).toMatchObject({ status: "sent" });
		await deliver([jobs[1]], 3);
		expect(await inbox(refused)).toHaveLength(1);
	});

	it("dead-letters a job whose template data is invalid without calling MailerSend", async () => {
		const to = recipient();
		const job = { ...resetJob(to), data: { reset_url: "javascript:alert(1)", expires_in_minutes: 30 } };
		const { batch, result } = await deliver([job]);
		expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
		expect(await inbox(to)).toHaveLength(0);
		expect(await row(job.id)).toBeNull();
	});

	it("escapes the template data in the HTML it sends", async () => {
		const user = await newUser(bindings.DB);
		const to = user.email;
		const job = resetJob(to, {
			template: "offer-received",
			data: {
				name: "<b>Eve</b>",
				listing_title: `SaaS <script>alert("x")</script>`,
				amount_cents: 1_234_500,
				currency: "USD",
				offer_url: "https://techflunky.com/offers/off_1",
			},
			notification: {
				user_id: user.id,
				kind: "offer_received",
				origin: "https://techflunky.com",
			},
		} as Partial<EmailJob>);
		await deliver([job]);
		const [kept] = await inbox(to);
		expect(kept?.subject).toBe(`New offer on SaaS <script>alert("x")</script>: $12,345.00`);
		expect(kept?.html).toContain("SaaS &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
		expect(kept?.html).not.toContain("<script>");
		expect(kept?.text).toContain("Hello <b>Eve</b>,");
	});
});
