/**
 * The local mail stand-in as the consumer and a developer use it, over HTTP: MailerSend's
 * `POST /v1/email` (bearer key, 202 with `X-Message-Id`, 401, MailerSend-shaped 422), the JSON
 * list and single message, deleting, the inbox page (escaped, accessible), and the fault API.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LocalMail, startLocalMail } from "../../stand-ins/mail/server.ts";

const KEY = "mlsn.test_key";
let mail: LocalMail;
let clock = Date.parse("2026-12-01T10:00:00.000Z");

beforeAll(async () => {
	mail = await startLocalMail({ port: 0, apiKey: KEY, clock: () => clock, log: () => {} });
});

afterAll(async () => {
	await mail?.stop();
});

beforeEach(async () => {
	await fetch(`${mail.url}/api/messages`, { method: "DELETE" });
	await fetch(`${mail.url}/_test/faults`, { method: "DELETE" });
});

const message = (overrides: Record<string, unknown> = {}) => ({
	from: { email: "no-reply@techflunky.com", name: "TechFlunky" },
	to: [{ email: "ada@example.test", name: "Ada" }],
	subject: "Confirm your e-mail address",
	text: "Hello Ada",
	html: "<p>Hello Ada</p>",
	...overrides,
});

function send(body: unknown, key: string | null = KEY) {
	return fetch(`${mail.url}/v1/email`, {
		method: "POST",
		headers: { "Content-Type": "application/json", ...(key === null ? {} : { Authorization: `Bearer ${key}` }) },
		body: JSON.stringify(body),
	});
}

describe("POST /v1/email", () => {
	it("accepts a message with 202 and an X-Message-Id, and keeps it", async () => {
		const res = await send(message());
		expect(res.status).toBe(202);
		expect(await res.text()).toBe("");
		const id = res.headers.get("x-message-id");
		expect(id).toMatch(/^[0-9a-f]{24}$/);
		const list = (await (await fetch(`${mail.url}/api/messages`)).json()) as { id: string }[];
		expect(list).toEqual([
			{
				id,
				from: { email: "no-reply@techflunky.com", name: "TechFlunky" },
				to: [{ email: "ada@example.test", name: "Ada" }],
				cc: [],
				bcc: [],
				reply_to: null,
				subject: "Confirm your e-mail address",
				text: "Hello Ada",
				html: "<p>Hello Ada</p>",
				tags: [],
				headers: [],
				created_at: "2026-12-01T10:00:00.000Z",
			},
		]);
	});

	it("answers 401 without a key or with another key, and keeps nothing", async () => {
		for (const key of [null, "", "mlsn.other"]) {
			const res = await send(message(), key);
			expect(res.status).toBe(401);
			expect(await res.json()).toEqual({ message: "Unauthenticated." });
		}
		expect(mail.messages()).toHaveLength(0);
	});

	it("answers 422 with MailerSend's shape for invalid input", async () => {
		const res = await send(message({ to: [{ email: "not-an-address" }], subject: "" }));
		expect(res.status).toBe(422);
		const body = (await res.json()) as { message: string; errors: Record<string, string[]> };
		expect(body.message).toMatch(/\(and 1 more error\)$/);
		expect(body.errors).toEqual({
			"to.0.email": ["The to.0.email must be a valid email address."],
			subject: ["The subject field is required."],
		});
		expect(mail.messages()).toHaveLength(0);
	});

	it("answers 400 for a body that is not JSON", async () => {
		const res = await fetch(`${mail.url}/v1/email`, {
			method: "POST",
			headers: { Authorization: `Bearer ${KEY}` },
			body: "{",
		});
		expect(res.status).toBe(400);
	});
});

describe("the JSON API", () => {
	it("lists newest first, reads one message and deletes them all", async () => {
		const first = (await send(message({ subject: "First" }))).headers.get("x-message-id");
		clock += 1000;
		const second = (await send(message({ subject: "Second" }))).headers.get("x-message-id");
		const list = (await (await fetch(`${mail.url}/api/messages`)).json()) as { id: string; created_at: string }[];
		expect(list.map((m) => m.id)).toEqual([second, first]);
		expect((list[0]?.created_at ?? "") > (list[1]?.created_at ?? "")).toBe(true);

		const one = await fetch(`${mail.url}/api/messages/${first}`);
		expect(one.status).toBe(200);
		expect(await one.json()).toMatchObject({ id: first, subject: "First" });
		expect((await fetch(`${mail.url}/api/messages/000000000000000000000000`)).status).toBe(404);

		expect((await fetch(`${mail.url}/api/messages`, { method: "DELETE" })).status).toBe(204);
		expect(await (await fetch(`${mail.url}/api/messages`)).json()).toEqual([]);
	});
});

describe("the inbox page", () => {
	it("lists the messages and shows one with both parts, escaped", async () => {
		const hostile = `<script>alert("x")</script>`;
		const id = (
			await send(message({ subject: `Hi ${hostile}`, text: `Text ${hostile}`, html: `<p>${hostile}</p>` }))
		).headers.get("x-message-id");
		const inbox = await fetch(`${mail.url}/`);
		expect(inbox.headers.get("content-type")).toMatch(/^text\/html/);
		const page = await inbox.text();
		expect(page).toContain('<html lang="en">');
		expect(page).toContain(`href="/messages/${id}"`);
		expect(page).toContain('<th scope="col">Subject</th>');
		expect(page).toContain("Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
		expect(page).not.toContain("<script>");

		const view = await (await fetch(`${mail.url}/messages/${id}`)).text();
		expect(view).toContain("<pre>Text &lt;script&gt;");
		expect(view).toContain('sandbox srcdoc="&lt;p&gt;&lt;script&gt;');
		expect(view).toContain('<iframe title="HTML part of');
		expect(view).not.toContain("<script>");
		expect((await fetch(`${mail.url}/messages/nope`)).status).toBe(404);
	});

	it("deletes every message from the page's button", async () => {
		await send(message());
		const res = await fetch(`${mail.url}/messages/delete`, { method: "POST", redirect: "manual" });
		expect(res.status).toBe(303);
		expect(res.headers.get("location")).toBe("/");
		expect(mail.messages()).toHaveLength(0);
	});
});

describe("the fault API", () => {
	const fault = (body: unknown) =>
		fetch(`${mail.url}/_test/faults`, {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify(body),
		});

	it("makes the next N sends answer 429 with Retry-After, then accepts again", async () => {
		expect((await fault({ status: 429, times: 2, retryAfterSeconds: 5 })).status).toBe(201);
		for (let i = 0; i < 2; i++) {
			const res = await send(message());
			expect(res.status).toBe(429);
			expect(res.headers.get("retry-after")).toBe("5");
			expect(await res.json()).toEqual({ message: "Too Many Attempts." });
		}
		expect((await send(message())).status).toBe(202);
		expect(mail.messages()).toHaveLength(1);
	});

	it("fails with 500, 503 or 422, only for the recipient named", async () => {
		await fault({ status: 503, times: 1, to: "ada@example.test" });
		await fault({ status: 422, times: 1, to: "grace@example.test" });
		expect((await send(message({ to: [{ email: "linus@example.test" }] }))).status).toBe(202);
		expect((await send(message())).status).toBe(503);
		const refused = await send(message({ to: [{ email: "grace@example.test" }] }));
		expect(refused.status).toBe(422);
		expect(await refused.json()).toMatchObject({ errors: { "to.0.email": [expect.any(String)] } });
		expect((await send(message())).status).toBe(202);
	});

	it("refuses a fault it cannot play", async () => {
		const res = await fault({ status: 418, times: 0 });
		expect(res.status).toBe(422);
		expect(await res.json()).toMatchObject({ errors: { status: [expect.any(String)], times: [expect.any(String)] } });
	});
});
