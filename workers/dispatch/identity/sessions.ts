/**
 * Sessions: a token is issued only after its session record exists in the tenant's Durable
 * Object, so every token we hand out names a session the edge can find and revoke. The cookie
 * carries the same token for browsers: `__Host-` (host-only, Secure, Path=/), HttpOnly and
 * SameSite=Lax, for as long as the token lives.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { issueToken, TOKEN_TTL_SECONDS, type TokenRole } from "../../../shared/auth/jwt.ts";
import { newId } from "../../../shared/encoding.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import type { DispatchHono } from "../types.ts";
import { type AccountRow, publicTenant, publicUser } from "./accounts.ts";

/** The cookie is `__Host-session`: Hono adds the prefix and enforces Secure and Path=/. */
const COOKIE = "session";

export function sessionCookie(c: Context<DispatchHono>): string | undefined {
	return getCookie(c, COOKIE, "host");
}

export function clearSessionCookie(c: Context<DispatchHono>): void {
	deleteCookie(c, COOKIE, { prefix: "host", path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
}

export interface SignedIn {
	token: string;
	expiresAt: number;
}

/**
 * Opens a session for the account and issues its token; a suspended tenant gets a 403. The token
 * is set as the session cookie too, so a browser and an API client sign in with the same call.
 */
export async function startSession(
	c: Context<DispatchHono>,
	account: { userId: string; tenantId: string; role: TokenRole },
	now: number,
): Promise<SignedIn> {
	const sessionId = newId("ses");
	const issued = await issueToken({ ...account, sessionId }, c.env.JWT_SECRET, now);
	const opened = await c.env.TenantObject.getByName(account.tenantId).openSession({
		sessionId,
		userId: account.userId,
		now,
		expiresAt: issued.expiresAt,
	});
	if (!opened.opened) throw new HttpProblem({ reason: "forbidden", detail: "This account is suspended." });
	setCookie(c, COOKIE, issued.token, {
		prefix: "host",
		path: "/",
		secure: true,
		httpOnly: true,
		sameSite: "Lax",
		maxAge: TOKEN_TTL_SECONDS,
	});
	return issued;
}

/** The body of every successful sign-in: register, login and password change. */
export function signedInBody(account: AccountRow, signedIn: SignedIn) {
	return {
		user: publicUser(account),
		tenant: publicTenant(account),
		token: signedIn.token,
		expires_at: new Date(signedIn.expiresAt).toISOString(),
	};
}
