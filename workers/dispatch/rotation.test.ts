/**
 * Rotating JWT_SECRET and PASSWORD_PEPPER with an overlap: the app runs with the test bindings,
 * plus `*_PREVIOUS` values the test sets per request (they are optional secrets, so no config
 * declares them), as after `wrangler secret put JWT_SECRET_PREVIOUS`.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { issueToken } from "../../shared/auth/jwt.ts";
import { hashPassword, verifyPassword } from "../../shared/password.ts";
import { freshIp } from "../../test/support/fresh-ip.ts";
import { signedIn } from "../../test/support/sessions.ts";
import { app } from "./app.ts";

const bindings = env as unknown as DispatchEnv;
const PASSWORD = "correct horse battery staple";
const randomSecret = () => crypto.randomUUID().replaceAll("-", "").repeat(2);

async function request(path: string, init: RequestInit, extra: Record<string, string> = {}): Promise<Response> {
	const ctx = createExecutionContext();
	const headers = new Headers(init.headers);
	headers.set("CF-Connecting-IP", freshIp());
	const res = await app.fetch(
		new Request(`https://techflunky.com${path}`, { ...init, headers }),
		{ ...bindings, ...extra } as DispatchEnv,
		ctx,
	);
	await waitOnExecutionContext(ctx);
	return res;
}

afterEach(() => {
	vi.restoreAllMocks();
});

describe("JWT_SECRET_PREVIOUS", () => {
	async function sessionUnder(secret: string): Promise<string> {
		const session = await signedIn(bindings, "buyer");
		const subject = {
			userId: session.userId,
			tenantId: session.tenantId,
			role: session.role,
			sessionId: session.sessionId,
		};
		return (await issueToken(subject, secret, Date.now())).token;
	}
	const me = (token: string, extra?: Record<string, string>) =>
		request("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } }, extra);

	it("accepts a live session's token signed with the previous secret while it is set", async () => {
		const old = randomSecret();
		const token = await sessionUnder(old);
		expect((await me(token, { JWT_SECRET_PREVIOUS: old })).status).toBe(200);
	});

	it("refuses that token once the previous secret is unset or empty", async () => {
		const old = randomSecret();
		const token = await sessionUnder(old);
		expect((await me(token, { JWT_SECRET_PREVIOUS: old })).status).toBe(200);
		expect((await me(token)).status).toBe(401);
		expect((await me(token, { JWT_SECRET_PREVIOUS: "" })).status).toBe(401);
	});

	it("refuses a token signed with neither secret with 401, counted as a rejected token", async () => {
		const token = await sessionUnder(randomSecret());
		const events = vi.spyOn(bindings.SECURITY_EVENTS, "writeDataPoint");
		const res = await me(token, { JWT_SECRET_PREVIOUS: randomSecret() });
		expect(res.status).toBe(401);
		expect(res.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
		expect(events.mock.calls.map(([point]) => point?.blobs?.[0])).toEqual(["token_rejected"]);
	});

	it("signs new tokens with the current secret only", async () => {
		const old = randomSecret();
		const email = `rotation-${crypto.randomUUID()}@example.test`;
		const res = await request(
			"/api/v1/auth/register",
			{
				method: "POST",
				headers: { "Content-Type": "application/json" },
				body: JSON.stringify({ email, password: PASSWORD, name: "Ada", role: "buyer" }),
			},
			{ JWT_SECRET_PREVIOUS: old },
		);
		expect(res.status).toBe(201);
		const { token } = (await res.json()) as { token: string };
		expect((await me(token)).status).toBe(200);
	});
});

describe("PASSWORD_PEPPER_PREVIOUS", () => {
	/** An account whose stored hash was made under `pepper`, as before a rotation. */
	async function accountUnder(pepper: string): Promise<string> {
		const email = `rotation-${crypto.randomUUID()}@example.test`;
		const res = await request("/api/v1/auth/register", {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ email, password: PASSWORD, name: "Ada", role: "buyer" }),
		});
		expect(res.status).toBe(201);
		await bindings.DB.prepare("UPDATE users SET password_hash = ?2 WHERE email = ?1")
			.bind(email, await hashPassword(PASSWORD, pepper))
			.run();
		return email;
	}
	const storedHash = async (email: string) =>
		(await bindings.DB.prepare("SELECT password_hash FROM users WHERE email = ?1")
			.bind(email)
			.first<string>("password_hash")) ?? "";
	const login = (email: string, extra?: Record<string, string>) =>
		request(
			"/api/v1/auth/login",
			{
				method: "POST",
				headers: { "Content-Type": "application/json" },
				body: JSON.stringify({ email, password: PASSWORD }),
			},
			extra,
		);

	it("refuses a password hashed under the old pepper when no previous pepper is set", async () => {
		const email = await accountUnder(randomSecret());
		expect((await login(email)).status).toBe(401);
		expect((await login(email, { PASSWORD_PEPPER_PREVIOUS: "" })).status).toBe(401);
	});

	it("signs in under the previous pepper and re-hashes the password under the current one", async () => {
		const old = randomSecret();
		const email = await accountUnder(old);
		const before = await storedHash(email);
		expect((await login(email, { PASSWORD_PEPPER_PREVIOUS: old })).status).toBe(200);
		const after = await storedHash(email);
		expect(after).not.toBe(before);
		expect((await verifyPassword(PASSWORD, after, bindings.PASSWORD_PEPPER)).valid).toBe(true);
		expect((await verifyPassword(PASSWORD, after, old)).valid).toBe(false);
		// Once re-hashed, the previous pepper is no longer needed.
		expect((await login(email)).status).toBe(200);
	});

	it("leaves a hash under the current pepper alone", async () => {
		const email = await accountUnder(bindings.PASSWORD_PEPPER);
		const before = await storedHash(email);
		expect((await login(email, { PASSWORD_PEPPER_PREVIOUS: randomSecret() })).status).toBe(200);
		expect(await storedHash(email)).toBe(before);
	});

	it("accepts the old pepper's password as the current password on a password change", async () => {
		const old = randomSecret();
		const email = await accountUnder(old);
		const signedInRes = await login(email, { PASSWORD_PEPPER_PREVIOUS: old });
		const { token } = (await signedInRes.json()) as { token: string };
		// Hashed under the old pepper again, as for an account that changes its password first.
		await bindings.DB.prepare("UPDATE users SET password_hash = ?2 WHERE email = ?1")
			.bind(email, await hashPassword(PASSWORD, old))
			.run();
		const change = (extra?: Record<string, string>) =>
			request(
				"/api/v1/auth/password",
				{
					method: "POST",
					headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
					body: JSON.stringify({ current_password: PASSWORD, new_password: "a brand new password, 2026" }),
				},
				extra,
			);
		expect((await change()).status).toBe(400);
		expect((await change({ PASSWORD_PEPPER_PREVIOUS: old })).status).toBe(200);
	});
});
