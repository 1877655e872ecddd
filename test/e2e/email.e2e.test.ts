/**
 * E-mail through the whole topology: an `email.send` job on `backoffice-jobs` reaches the
 * consumers Worker, which renders it and sends it to the local mail stand-in
 * (`startTopology({ localMail })`) over MailerSend's API with the run's key, and records it in
 * D1; a 429 from the stand-in is retried by the queue, not lost.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { EmailJob } from "../../queues/backoffice-jobs.ts";
import { testSecrets } from "../topology/secrets.ts";
import { startTopology, type Topology } from "../topology/topology.ts";

let topology: Topology;

beforeAll(async () => {
	topology = await startTopology({ secrets: testSecrets(), localMail: true });
});

afterAll(async () => {
	await topology?.dispose();
});

const job = (to: string): EmailJob => ({
	id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
	kind: "email.send",
	occurred_at: new Date().toISOString(),
	to: { email: to },
	template: "verify-email",
	data: { name: "Ada", verify_url: "https://techflunky.com/verify?token=v", expires_in_hours: 24 },
});

async function enqueue(body: EmailJob) {
	const queue = await topology.mf.getQueueProducer<EmailJob>("BACKOFFICE_JOBS", "techflunky-consumers");
	await queue.send(body);
}

describe("email.send through the topology", () => {
	it("sends the rendered template to the mail stand-in and records its message id", async () => {
		const sent = job("ada@example.test");
		await enqueue(sent);
		await vi.waitFor(
			() => expect(topology.mail?.messages().some((m) => m.to[0]?.email === "ada@example.test")).toBe(true),
			{
				timeout: 10_000,
				interval: 100,
			},
		);
		const kept = topology.mail?.messages().find((m) => m.to[0]?.email === "ada@example.test");
		expect(kept).toMatchObject({ subject: "Confirm your e-mail address", from: { email: "no-reply@techflunky.com" } });
		expect(kept?.html).toContain('href="https://techflunky.com/verify?token=v"');
		await vi.waitFor(
			async () => {
				const db = await topology.db();
				const row = await db.prepare("SELECT status, message_id FROM emails WHERE job_id = ?").bind(sent.id).first();
				expect(row).toEqual({ status: "sent", message_id: kept?.id });
			},
			{ timeout: 5_000, interval: 100 },
		);
	});

	it("retries a job the stand-in answers 429 to, then sends it once", async () => {
		topology.mail?.fail({ status: 429, times: 1, retryAfterSeconds: 0, to: "grace@example.test" });
		const sent = job("grace@example.test");
		await enqueue(sent);
		await vi.waitFor(
			async () => {
				const db = await topology.db();
				const row = await db.prepare("SELECT status, attempts FROM emails WHERE job_id = ?").bind(sent.id).first();
				expect(row).toEqual({ status: "sent", attempts: 2 });
			},
			{ timeout: 20_000, interval: 200 },
		);
		expect(topology.mail?.messages().filter((m) => m.to[0]?.email === "grace@example.test")).toHaveLength(1);
	});
});
