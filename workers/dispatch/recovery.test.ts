import { describe, expect, it } from "vitest";
import { freshIp } from "../../test/support/fresh-ip.ts";
import { signedIn } from "../../test/support/sessions.ts";
import {
	bindings,
	emailVerified,
	get,
	issueToken,
	NEW_PASSWORD,
	PASSWORD,
	post,
	problemOf,
	signUp,
	tokenRow,
} from "./recovery.test.helpers.ts";

const verify = (token: string) => post("/api/v1/auth/verify-email", { token });
const confirm = (token: string, password = NEW_PASSWORD) =>
	post("/api/v1/auth/password-reset/confirm", { token, password });
const login = (email: string, password: string) => post("/api/v1/auth/login", { email, password });

describe("e-mail verification", () => {
	it("signs a new account up unverified, with a hashed verification token that expires in 48 hours", async () => {
		const before = Date.now();
		const account = await signUp("seller");
		expect(await emailVerified(account.token)).toBe(false);
		const { results } = await bindings.DB.prepare(
			"SELECT token_hash, purpose, email, expires_at, used_at FROM account_tokens WHERE user_id = ?1",
		)
			.bind(account.userId)
			.all<{ token_hash: string; purpose: string; email: string; expires_at: string; used_at: null }>();
		expect(results).toHaveLength(1);
		const [row] = results;
		expect(row).toMatchObject({ purpose: "verify_email", email: account.email, used_at: null });
		expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/);
		const ttl = Date.parse(row?.expires_at ?? "") - before;
		expect(ttl).toBeGreaterThan(48 * 3_600_000 - 60_000);
		expect(ttl).toBeLessThanOrEqual(48 * 3_600_000 + 60_000);
	});

	it("verifies the address once; the same token again is the same 400 as an unknown, expired or malformed one", async () => {
		const account = await signUp();
		const token = await issueToken(account, "verify_email");
		const first = await verify(token);
		expect(first.status).toBe(200);
		expect(await first.json()).toEqual({ email_verified: true });
		expect(await emailVerified(account.token)).toBe(true);
		expect((await tokenRow(token))?.used_at).not.toBeNull();

		const expired = await issueToken(account, "verify_email", { ttlMs: -1000 });
		const answers = await Promise.all(
			[token, expired, "an-unknown-token-of-the-right-length-abcdefg", "!"].map(async (each) => {
				const res = await verify(each);
				return { status: res.status, body: await problemOf(res) };
			}),
		);
		expect(answers[0]?.status).toBe(400);
		expect(answers[0]?.body).toMatchObject({
			type: "https://techflunky.com/problems/bad-request",
			errors: [{ field: "token", message: "is used, expired or unknown" }],
		});
		for (const answer of answers) expect(answer).toEqual(answers[0]);
	});

	it("lets only one of two simultaneous uses of a token through", async () => {
		const account = await signUp();
		const token = await issueToken(account, "verify_email");
		const statuses = (await Promise.all([verify(token), verify(token)])).map((res) => res.status).sort();
		expect(statuses).toEqual([200, 400]);
	});

	it("does not verify an address the account no longer has", async () => {
		const account = await signUp();
		const token = await issueToken(account, "verify_email", { email: `old-${account.email}` });
		expect((await verify(token)).status).toBe(400);
		expect(await emailVerified(account.token)).toBe(false);
	});

	it("sends an unverified account a new link on request, a few an hour, and refuses a verified one with 409", async () => {
		const account = await signUp();
		const resend = () => post("/api/v1/auth/resend-verification", undefined, account.token);
		for (let i = 0; i < 3; i++) {
			const res = await resend();
			expect(res.status).toBe(200);
			expect(await res.json()).toEqual({ message: "A new confirmation link is on its way to your e-mail address." });
		}
		const count = await bindings.DB.prepare(
			"SELECT count(*) AS n FROM account_tokens WHERE user_id = ?1 AND purpose = 'verify_email'",
		)
			.bind(account.userId)
			.first<{ n: number }>();
		expect(count?.n).toBe(4);
		const limited = await resend();
		expect(limited.status).toBe(429);
		expect(limited.headers.get("Retry-After")).toMatch(/^\d+$/);

		const verified = await signedIn(bindings, "buyer");
		const refused = await post("/api/v1/auth/resend-verification", undefined, verified.token);
		expect(refused.status).toBe(409);
		expect((await post("/api/v1/auth/resend-verification")).status).toBe(401);
	});
});

describe("password reset", () => {
	const reset = (email: string, ip = freshIp()) => post("/api/v1/auth/password-reset", { email }, undefined, ip);

	it("answers a known and an unknown address with the same 202 and body, and stores a token for the known one only", async () => {
		const account = await signUp();
		const unknown = `nobody-${crypto.randomUUID()}@example.test`;
		const [known, missing] = await Promise.all([reset(account.email.toUpperCase()), reset(unknown)]);
		expect(known.status).toBe(202);
		expect(missing.status).toBe(202);
		const [knownBody, missingBody] = [await known.text(), await missing.text()];
		expect(knownBody).toBe(missingBody);
		expect(JSON.parse(knownBody)).toEqual({
			message:
				"If an account uses this address, a link to choose a new password is on its way. It works once, for 30 minutes.",
		});
		expect(known.headers.get("Content-Type")).toBe(missing.headers.get("Content-Type"));
		const rows = await bindings.DB.prepare(
			"SELECT user_id, email, expires_at, created_at FROM account_tokens WHERE purpose = 'password_reset' AND (user_id = ?1 OR email = ?2)",
		)
			.bind(account.userId, unknown)
			.all<{ user_id: string; expires_at: string; created_at: string }>();
		expect(rows.results).toHaveLength(1);
		const [row] = rows.results;
		expect(Date.parse(row?.expires_at ?? "") - Date.parse(row?.created_at ?? "")).toBe(30 * 60_000);
	});

	it("limits reset requests per address asked for, known or not, whatever the client address", async () => {
		const account = await signUp();
		const unknown = `nobody-${crypto.randomUUID()}@example.test`;
		for (const email of [account.email, unknown]) {
			for (let i = 0; i < 3; i++) expect((await reset(email)).status).toBe(202);
			const limited = await reset(email);
			expect(limited.status).toBe(429);
			expect((await problemOf(limited)).type).toBe("https://techflunky.com/problems/rate-limited");
		}
		// Signing in has a bucket of its own: asking for resets never locks the account out.
		expect((await login(account.email, PASSWORD)).status).toBe(200);
	});

	it("sets the new password once, ends every session of the user, voids their other links and sends the notice", async () => {
		const account = await signUp();
		const second = (await (await login(account.email, PASSWORD)).json()) as { token: string };
		const token = await issueToken(account, "password_reset");
		const other = await issueToken(account, "password_reset");

		const res = await confirm(token);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ password_changed: true });
		expect(res.headers.get("Set-Cookie")).toBeNull();
		for (const session of [account.token, second.token]) expect((await get("/api/v1/me", session)).status).toBe(401);
		expect((await login(account.email, PASSWORD)).status).toBe(401);
		const fresh = await login(account.email, NEW_PASSWORD);
		expect(fresh.status).toBe(200);
		expect(await emailVerified(((await fresh.json()) as { token: string }).token)).toBe(true);

		expect((await confirm(token, "yet another new password")).status).toBe(400);
		expect((await confirm(other, "yet another new password")).status).toBe(400);
		expect((await login(account.email, NEW_PASSWORD)).status).toBe(200);

		const notice = await bindings.DB.prepare(
			`SELECT body FROM outbox WHERE queue = 'backoffice-jobs'
			 AND json_extract(body, '$.to.email') = ?1 AND json_extract(body, '$.template') = 'password-changed'`,
		)
			.bind(account.email)
			.all<{ body: string }>();
		expect(notice.results).toHaveLength(1);
		const job = JSON.parse(notice.results[0]?.body ?? "{}");
		expect(job).toMatchObject({
			kind: "email.send",
			template: "password-changed",
			to: { email: account.email, name: "Ada Countess" },
			data: { name: "Ada, Countess", support_url: "https://localhost/forgot-password" },
		});
	});

	it("refuses an expired token like a used one, and a short password at its field, changing nothing", async () => {
		const account = await signUp();
		const expired = await issueToken(account, "password_reset", { ttlMs: -1000 });
		const used = await issueToken(account, "password_reset");
		expect((await confirm(used)).status).toBe(200);
		const [a, b] = await Promise.all([confirm(expired, "another password 123"), confirm(used, "another password 123")]);
		expect(a.status).toBe(400);
		expect(await problemOf(a)).toEqual(await problemOf(b));

		const fresh = await issueToken(account, "password_reset");
		const short = await confirm(fresh, "too short");
		expect(short.status).toBe(400);
		expect((await problemOf(short)).errors).toEqual([{ field: "password", message: "must be at least 12 characters" }]);
		expect((await tokenRow(fresh))?.used_at).toBeNull();
		expect((await login(account.email, NEW_PASSWORD)).status).toBe(200);
	});

	it("sends the password-changed notice when a signed-in user changes their password too", async () => {
		const account = await signUp();
		const res = await post(
			"/api/v1/auth/password",
			{ current_password: PASSWORD, new_password: NEW_PASSWORD },
			account.token,
		);
		expect(res.status).toBe(200);
		const notice = await bindings.DB.prepare(
			`SELECT count(*) AS n FROM outbox
			 WHERE json_extract(body, '$.to.email') = ?1 AND json_extract(body, '$.template') = 'password-changed'`,
		)
			.bind(account.email)
			.first<{ n: number }>();
		expect(notice?.n).toBe(1);
	});
});
