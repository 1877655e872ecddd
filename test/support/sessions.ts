/**
 * Signed-in callers for the workerd tests: a tenant and user in D1, a live session in the
 * tenant's Durable Object and a token for it, made the way the platform makes them. The user's
 * e-mail address is verified, as the test seed's own row (the link flow itself is tested in
 * workers/dispatch/recovery.test.ts); `{ emailVerified: false }` makes one that has not been.
 */
import { issueToken, type TokenRole } from "../../shared/auth/jwt.ts";
import { newId } from "../../shared/encoding.ts";

export interface TestSession {
	token: string;
	userId: string;
	tenantId: string;
	sessionId: string;
	role: TokenRole;
}

export async function signedIn(
	env: DispatchEnv,
	role: TokenRole,
	options: { emailVerified?: boolean } = {},
): Promise<TestSession> {
	const userId = newId("usr");
	const tenantId = newId(role);
	const sessionId = newId("ses");
	const now = Date.now();
	const at = new Date(now).toISOString();
	await env.DB.batch([
		env.DB.prepare(
			"INSERT INTO tenants (id, kind, name, status, created_at, updated_at) VALUES (?1, ?2, ?1, 'active', ?3, ?3)",
		).bind(tenantId, role, at),
		env.DB.prepare(
			`INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at, updated_at, email_verified_at)
			 VALUES (?1, ?2, ?3, 'Test User', ?4, 'pbkdf2-sha256$1$AA$AA', ?5, ?5, ?6)`,
		).bind(userId, tenantId, `${userId}@example.test`, role, at, options.emailVerified === false ? null : at),
	]);
	const { token, expiresAt } = await issueToken({ userId, tenantId, role, sessionId }, env.JWT_SECRET, now);
	const opened = await env.TenantObject.getByName(tenantId).openSession({ sessionId, userId, now, expiresAt });
	if (!opened.opened) throw new Error("could not open a test session");
	return { token, userId, tenantId, sessionId, role };
}

export const bearer = (session: TestSession) => ({ Authorization: `Bearer ${session.token}` });
