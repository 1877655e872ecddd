/**
 * Accounts in D1: users and their tenants, read and written by the platform routes. D1 is the
 * directory (who exists, which email and whether it is verified, which password hash); whether a
 * session is live or a tenant is suspended is decided by the tenant's Durable Object, which the
 * edge asks on every request.
 *
 * Every query binds its values; the MFA step update is a compare-and-set in one statement, which
 * is what makes a TOTP code single-use even when two logins race.
 */
import type { z } from "@hono/zod-openapi";
import type { TokenRole } from "../../../shared/auth/jwt.ts";
import type { tenantView, userView } from "../../../shared/contract/routes/auth.ts";

export interface AccountRow {
	id: string;
	tenant_id: string;
	email: string;
	name: string;
	role: TokenRole;
	password_hash: string;
	mfa_secret: string | null;
	mfa_pending_secret: string | null;
	mfa_last_step: number | null;
	/** When the address was verified; `null` until then. */
	email_verified_at: string | null;
	created_at: string;
	tenant_kind: TokenRole;
	tenant_name: string;
	tenant_status: "active" | "suspended";
	tenant_created_at: string;
}

/** What a user and a tenant look like to their own user: the contract's views. */
export type PublicUser = z.output<typeof userView>;
export type PublicTenant = z.output<typeof tenantView>;

const SELECT_ACCOUNT = `
	SELECT u.id, u.tenant_id, u.email, u.name, u.role, u.password_hash, u.mfa_secret, u.mfa_pending_secret,
	       u.mfa_last_step, u.email_verified_at, u.created_at, t.kind AS tenant_kind, t.name AS tenant_name,
	       t.status AS tenant_status, t.created_at AS tenant_created_at
	FROM users u JOIN tenants t ON t.id = u.tenant_id`;

export function findAccountByEmail(db: D1Database, email: string): Promise<AccountRow | null> {
	return db.prepare(`${SELECT_ACCOUNT} WHERE u.email = ?1`).bind(email).first<AccountRow>();
}

export function findAccountById(db: D1Database, userId: string): Promise<AccountRow | null> {
	return db.prepare(`${SELECT_ACCOUNT} WHERE u.id = ?1`).bind(userId).first<AccountRow>();
}

export function publicUser(row: AccountRow): PublicUser {
	return {
		id: row.id,
		email: row.email,
		name: row.name,
		role: row.role,
		tenant_id: row.tenant_id,
		mfa_enabled: row.mfa_secret !== null,
		email_verified: row.email_verified_at !== null,
		created_at: row.created_at,
	};
}

export function publicTenant(row: AccountRow): PublicTenant {
	return {
		id: row.tenant_id,
		kind: row.tenant_kind,
		name: row.tenant_name,
		status: row.tenant_status,
		created_at: row.tenant_created_at,
	};
}

export interface NewAccount {
	userId: string;
	tenantId: string;
	email: string;
	name: string;
	role: Exclude<TokenRole, "admin">;
	passwordHash: string;
	now: string;
}

/**
 * Creates the tenant and its first user in one batch (a D1 batch is a transaction), with the
 * statements in `alongside` (the first verification token) after them in the same batch.
 */
export async function createAccount(
	db: D1Database,
	account: NewAccount,
	alongside: D1PreparedStatement[] = [],
): Promise<"created" | "duplicate_email"> {
	try {
		await db.batch([
			db
				.prepare(
					`INSERT INTO tenants (id, kind, name, status, created_at, updated_at)
					 VALUES (?1, ?2, ?3, 'active', ?4, ?4)`,
				)
				.bind(account.tenantId, account.role, account.name, account.now),
			db
				.prepare(
					`INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at, updated_at)
					 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)`,
				)
				.bind(
					account.userId,
					account.tenantId,
					account.email,
					account.name,
					account.role,
					account.passwordHash,
					account.now,
				),
			...alongside,
		]);
		return "created";
	} catch (cause) {
		if (cause instanceof Error && /UNIQUE constraint failed: users\.email/.test(cause.message)) {
			return "duplicate_email";
		}
		throw new Error("creating the account failed", { cause });
	}
}

/** The statement that sets the user's password hash, for a caller's own batch. */
export function setPasswordHash(db: D1Database, userId: string, hash: string, now: string): D1PreparedStatement {
	return db.prepare("UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1").bind(userId, hash, now);
}

export async function updatePasswordHash(db: D1Database, userId: string, hash: string, now: string): Promise<void> {
	await setPasswordHash(db, userId, hash, now).run();
}

/**
 * Records `step` as the last TOTP step used, only if it is later than the one stored: the
 * compare-and-set that refuses a code twice. False means another request used it first.
 */
export async function claimTotpStep(db: D1Database, userId: string, step: number, now: string): Promise<boolean> {
	const result = await db
		.prepare(
			`UPDATE users SET mfa_last_step = ?2, updated_at = ?3
			 WHERE id = ?1 AND (mfa_last_step IS NULL OR mfa_last_step < ?2)`,
		)
		.bind(userId, step, now)
		.run();
	return result.meta.changes === 1;
}

export async function setPendingMfa(db: D1Database, userId: string, envelope: string, now: string): Promise<void> {
	await db
		.prepare("UPDATE users SET mfa_pending_secret = ?2, updated_at = ?3 WHERE id = ?1 AND mfa_secret IS NULL")
		.bind(userId, envelope, now)
		.run();
}

/** Promotes the pending secret (re-encrypted for its column) and claims the step it was confirmed with. */
export async function enableMfa(
	db: D1Database,
	userId: string,
	envelope: string,
	step: number,
	now: string,
): Promise<boolean> {
	const result = await db
		.prepare(
			`UPDATE users SET mfa_secret = ?2, mfa_pending_secret = NULL, mfa_last_step = ?3, updated_at = ?4
			 WHERE id = ?1 AND mfa_secret IS NULL AND mfa_pending_secret IS NOT NULL
			   AND (mfa_last_step IS NULL OR mfa_last_step < ?3)`,
		)
		.bind(userId, envelope, step, now)
		.run();
	return result.meta.changes === 1;
}

/** Clears MFA, claiming the step of the code that authorised it so that code is spent too. */
export async function disableMfa(db: D1Database, userId: string, step: number, now: string): Promise<boolean> {
	const result = await db
		.prepare(
			`UPDATE users SET mfa_secret = NULL, mfa_pending_secret = NULL, mfa_last_step = ?2, updated_at = ?3
			 WHERE id = ?1 AND mfa_secret IS NOT NULL AND (mfa_last_step IS NULL OR mfa_last_step < ?2)`,
		)
		.bind(userId, step, now)
		.run();
	return result.meta.changes === 1;
}

/** Whether the user's address is verified; false for a user that does not exist. */
export async function isEmailVerified(db: D1Database, userId: string): Promise<boolean> {
	const row = await db
		.prepare("SELECT email_verified_at FROM users WHERE id = ?1")
		.bind(userId)
		.first<{ email_verified_at: string | null }>();
	return row?.email_verified_at != null;
}
