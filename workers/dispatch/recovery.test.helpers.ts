/**
 * Setup shared by the recovery tests (recovery.test.ts, unverified.test.ts): calls into the
 * dispatch Worker from a fresh client address each, accounts signed up over the API, and link
 * tokens stored the way the platform stores them (their SHA-256), with the raw token kept by the
 * test. In workerd the verification and reset e-mails go to a queue nobody reads, so the test
 * issues its own token for the account; the e-mailed links are test/e2e/recovery.e2e.test.ts's.
 * Named `*.test.helpers.ts` so no test glob runs it.
 */
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { freshIp } from "../../test/support/fresh-ip.ts";
import { hashLinkToken, newLinkToken, type TokenPurpose } from "./identity/link-tokens.ts";

export const worker = (exports as unknown as { default: Fetcher }).default;
export const bindings = env as unknown as DispatchEnv;
export const PASSWORD = "correct horse battery staple";
export const NEW_PASSWORD = "a brand new password, 2026";

export function call(path: string, init: RequestInit & { ip?: string } = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", init.ip ?? freshIp());
	return worker.fetch(`https://techflunky.com${path}`, { ...init, headers });
}

export function post(path: string, body?: unknown, token?: string, ip?: string): Promise<Response> {
	const headers: Record<string, string> = {};
	if (body !== undefined) headers["Content-Type"] = "application/json";
	if (token !== undefined) headers.Authorization = `Bearer ${token}`;
	return call(path, {
		method: "POST",
		headers,
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
		...(ip === undefined ? {} : { ip }),
	});
}

export const get = (path: string, token: string) => call(path, { headers: { Authorization: `Bearer ${token}` } });

export interface NewAccount {
	email: string;
	token: string;
	userId: string;
	tenantId: string;
}

export async function signUp(role: "seller" | "buyer" | "investor" = "buyer"): Promise<NewAccount> {
	const email = `recovery-${crypto.randomUUID()}@example.test`;
	const res = await post("/api/v1/auth/register", { email, password: PASSWORD, name: "Ada, Countess", role });
	expect(res.status).toBe(201);
	const body = (await res.json()) as { token: string; user: { id: string; tenant_id: string } };
	return { email, token: body.token, userId: body.user.id, tenantId: body.user.tenant_id };
}

/** Stores a token of `purpose` for the user (sent to `email`, their own unless told), valid for `ttlMs` (negative: expired); answers the raw token. */
export async function issueToken(
	account: { userId: string; email: string },
	purpose: TokenPurpose,
	options: { ttlMs?: number; email?: string } = {},
): Promise<string> {
	const { token, hash } = await newLinkToken();
	const now = Date.now();
	await bindings.DB.prepare(
		`INSERT INTO account_tokens (token_hash, purpose, user_id, email, created_at, expires_at)
		 VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
	)
		.bind(
			hash,
			purpose,
			account.userId,
			options.email ?? account.email,
			new Date(now).toISOString(),
			new Date(now + (options.ttlMs ?? 600_000)).toISOString(),
		)
		.run();
	return token;
}

export async function tokenRow(token: string) {
	return bindings.DB.prepare("SELECT purpose, user_id, used_at, expires_at FROM account_tokens WHERE token_hash = ?1")
		.bind(await hashLinkToken(token))
		.first<{ purpose: string; user_id: string; used_at: string | null; expires_at: string }>();
}

/** A problem body without its `instance` (the request id), so two answers can be compared. */
export async function problemOf(res: Response): Promise<Record<string, unknown>> {
	expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	const { instance: _instance, ...rest } = (await res.json()) as Record<string, unknown>;
	return rest;
}

export async function emailVerified(token: string): Promise<boolean> {
	const res = await get("/api/v1/me", token);
	expect(res.status).toBe(200);
	return ((await res.json()) as { user: { email_verified: boolean } }).user.email_verified;
}
