/**
 * Changing one's e-mail address over the dispatch Worker (routes/email-change.ts): the password
 * check, the same 202 for a free and a taken address, the token stored hashed for the NEW address
 * and working once before it expires, the switch (verified, every session ended, every other link
 * voided, the old address told) and two confirmations racing for one address. The e-mails
 * themselves are read from the mail stand-in in test/e2e/account-email.e2e.test.ts; here the
 * outbox rows of the notices are checked.
 */
import { describe, expect, it } from "vitest";
import {
	bindings,
	emailVerified,
	get,
	issueToken,
	PASSWORD,
	post,
	problemOf,
	signUp,
	tokenRow,
} from "./recovery.test.helpers.ts";

const change = (token: string, new_email: string, password = PASSWORD) =>
	post("/api/v1/auth/email-change", { new_email, password }, token);
const confirm = (token: string) => post("/api/v1/auth/email-change/confirm", { token });
const login = (email: string, password = PASSWORD) => post("/api/v1/auth/login", { email, password });
const freshEmail = () => `changed-${crypto.randomUUID()}@example.test`;

async function changeTokens(userId: string) {
	const { results } = await bindings.DB.prepare(
		"SELECT email, expires_at, used_at, created_at FROM account_tokens WHERE user_id = ?1 AND purpose = 'email_change'",
	)
		.bind(userId)
		.all<{ email: string; expires_at: string; used_at: string | null; created_at: string }>();
	return results;
}

async function noticesTo(email: string): Promise<string[]> {
	const { results } = await bindings.DB.prepare("SELECT body FROM outbox WHERE queue = 'backoffice-jobs'").all<{
		body: string;
	}>();
	return results
		.map((row) => JSON.parse(row.body) as { kind: string; template?: string; to?: { email: string } })
		.filter((job) => job.kind === "email.send" && job.to?.email === email)
		.map((job) => job.template ?? "");
}

describe("asking to change the address", () => {
	it("re-checks the password and refuses the current address, changing nothing", async () => {
		const account = await signUp();
		const wrong = await change(account.token, freshEmail(), "not the password at all");
		expect(wrong.status).toBe(400);
		expect(await problemOf(wrong)).toMatchObject({ errors: [{ field: "password", message: "is wrong" }] });
		const same = await change(account.token, account.email.toUpperCase());
		expect(same.status).toBe(400);
		expect(await problemOf(same)).toMatchObject({ errors: [{ field: "new_email" }] });
		const malformed = await change(account.token, "not an address");
		expect(malformed.status).toBe(400);
		expect(await changeTokens(account.userId)).toEqual([]);
		expect(await noticesTo(account.email)).toEqual([]);
	});

	it("needs a session", async () => {
		const res = await post("/api/v1/auth/email-change", { new_email: freshEmail(), password: PASSWORD });
		expect(res.status).toBe(401);
	});

	it("answers a free and a taken address alike, stores a 24-hour token only for the free one, and tells the old address both times", async () => {
		const account = await signUp();
		const other = await signUp();
		const free = freshEmail();
		const before = Date.now();
		const toFree = await change(account.token, free);
		const toTaken = await change(account.token, other.email);
		expect(toFree.status).toBe(202);
		expect(toTaken.status).toBe(202);
		expect(await toTaken.json()).toEqual(await toFree.json());
		const tokens = await changeTokens(account.userId);
		expect(tokens.map((row) => row.email)).toEqual([free]);
		const ttl = Date.parse(tokens[0]?.expires_at ?? "") - before;
		expect(ttl).toBeGreaterThan(24 * 3_600_000 - 60_000);
		expect(ttl).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);
		expect(await noticesTo(account.email)).toEqual(["email-change-requested", "email-change-requested"]);
		expect(await noticesTo(other.email)).toEqual([]);
	});

	it("is limited per account", async () => {
		const account = await signUp();
		const statuses: number[] = [];
		for (let i = 0; i < 5; i++) statuses.push((await change(account.token, freshEmail())).status);
		expect(statuses.slice(0, 3)).toEqual([202, 202, 202]);
		expect(statuses).toContain(429);
	});
});

describe("confirming the change", () => {
	it("switches to the new address, verified, ends every session, voids other links and tells the old address; the token works once", async () => {
		const account = await signUp();
		const next = freshEmail();
		const token = await issueToken(account, "email_change", { email: next });
		const reset = await issueToken(account, "password_reset");
		const first = await confirm(token);
		expect(first.status).toBe(200);
		expect(await first.json()).toEqual({ email_changed: true });
		expect((await get("/api/v1/me", account.token)).status).toBe(401);
		expect((await tokenRow(reset))?.used_at).not.toBeNull();
		expect(await noticesTo(account.email)).toEqual(["email-changed"]);

		expect((await login(account.email)).status).toBe(401);
		const signedIn = await login(next);
		expect(signedIn.status).toBe(200);
		const { token: session, user } = (await signedIn.json()) as { token: string; user: { email: string } };
		expect(user.email).toBe(next);
		expect(await emailVerified(session)).toBe(true);

		const again = await confirm(token);
		expect(again.status).toBe(400);
		expect(await problemOf(again)).toMatchObject({ errors: [{ field: "token" }] });
	});

	it("answers an expired, unknown or malformed token like a used one, changing nothing", async () => {
		const account = await signUp();
		const expired = await issueToken(account, "email_change", { email: freshEmail(), ttlMs: -1000 });
		const verify = await issueToken(account, "verify_email");
		const answers = await Promise.all(
			[expired, verify, "an-unknown-token-of-the-right-length-abcdefg", "!"].map(async (each) => {
				const res = await confirm(each);
				return { status: res.status, body: await problemOf(res) };
			}),
		);
		expect(answers[0]?.status).toBe(400);
		for (const answer of answers) expect(answer).toEqual(answers[0]);
		expect((await get("/api/v1/me", account.token)).status).toBe(200);
		expect((await login(account.email)).status).toBe(200);
	});

	it("lets only one of two simultaneous uses of a token through", async () => {
		const account = await signUp();
		const token = await issueToken(account, "email_change", { email: freshEmail() });
		const statuses = (await Promise.all([confirm(token), confirm(token)])).map((res) => res.status).sort();
		expect(statuses).toEqual([200, 400]);
	});

	it("gives a contested address to one account only: the other gets 409 and keeps its address", async () => {
		const first = await signUp();
		const second = await signUp();
		const contested = freshEmail();
		const tokens = [
			await issueToken(first, "email_change", { email: contested }),
			await issueToken(second, "email_change", { email: contested }),
		];
		const statuses = (await Promise.all(tokens.map(confirm))).map((res) => res.status).sort();
		expect(statuses).toEqual([200, 409]);
		const { results } = await bindings.DB.prepare("SELECT id, email FROM users WHERE id IN (?1, ?2)")
			.bind(first.userId, second.userId)
			.all<{ id: string; email: string }>();
		expect(results.filter((row) => row.email === contested)).toHaveLength(1);
		expect(results.filter((row) => row.email === first.email || row.email === second.email)).toHaveLength(1);
	});

	it("refuses 409 when someone signed up with the new address after the link was sent", async () => {
		const account = await signUp();
		const taken = await signUp();
		const token = await issueToken(account, "email_change", { email: taken.email });
		const res = await confirm(token);
		expect(res.status).toBe(409);
		expect((await tokenRow(token))?.used_at).toBeNull();
		expect((await get("/api/v1/me", account.token)).status).toBe(401);
		expect((await login(account.email)).status).toBe(200);
	});
});
