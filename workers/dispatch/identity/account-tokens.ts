/**
 * Link tokens in D1 (`account_tokens`, migration 0011): issued as statements that a caller puts
 * into its own batch (sign-up issues the first verification token in the batch that creates the
 * account), and used by conditional UPDATEs, so a token works once even when two requests race:
 * only the statement that flips `used_at` from NULL, before `expires_at`, gets a row back.
 *
 * Using a token and what it does are one D1 batch (a transaction): marking the address verified,
 * or setting the password hash and announcing the change. Each later statement is guarded by
 * `changes() = 1` (the statement before it changed its one row), so a spent, expired or unknown
 * token changes nothing at all.
 */
import { type OutboxMessage, outboxInsert } from "../../../shared/data/outbox.ts";
import { type TokenPurpose, tokenExpiry } from "./link-tokens.ts";

const iso = (now: number) => new Date(now).toISOString();

/** The statement that stores a token of `purpose` for the user, sent to `email`. */
export function insertToken(
	db: D1Database,
	token: { hash: string; purpose: TokenPurpose; userId: string; email: string },
	now: number,
): D1PreparedStatement {
	return db
		.prepare(
			`INSERT INTO account_tokens (token_hash, purpose, user_id, email, created_at, expires_at)
			 VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
		)
		.bind(token.hash, token.purpose, token.userId, token.email, iso(now), tokenExpiry(token.purpose, now));
}

/**
 * A reset token for whichever user has `email`, if any: one INSERT … SELECT that stores a row or
 * none. The request runs it either way, so an unknown address costs the same D1 write as a known one.
 */
export function insertResetTokenFor(db: D1Database, hash: string, email: string, now: number): D1PreparedStatement {
	return db
		.prepare(
			`INSERT INTO account_tokens (token_hash, purpose, user_id, email, created_at, expires_at)
			 SELECT ?1, 'password_reset', id, email, ?2, ?3 FROM users WHERE email = ?4`,
		)
		.bind(hash, iso(now), tokenExpiry("password_reset", now), email);
}

/** Whose a usable reset token is (unused, unexpired), with what the reset needs to know; `null` otherwise. */
export interface ResetHolder {
	user_id: string;
	tenant_id: string;
	name: string;
	email: string;
}

export function findUsableResetToken(db: D1Database, hash: string, now: number): Promise<ResetHolder | null> {
	return db
		.prepare(
			`SELECT u.id AS user_id, u.tenant_id, u.name, u.email
			 FROM account_tokens t JOIN users u ON u.id = t.user_id AND u.email = t.email
			 WHERE t.token_hash = ?1 AND t.purpose = 'password_reset' AND t.used_at IS NULL AND t.expires_at > ?2`,
		)
		.bind(hash, iso(now))
		.first<ResetHolder>();
}

/** Flips `used_at` of the token, only while it is unused and unexpired: the single-use check. */
export function spend(db: D1Database, hash: string, purpose: TokenPurpose, at: string): D1PreparedStatement {
	return db
		.prepare(
			`UPDATE account_tokens SET used_at = ?2
			 WHERE token_hash = ?1 AND purpose = ?3 AND used_at IS NULL AND expires_at > ?2`,
		)
		.bind(hash, at, purpose);
}

/**
 * Spends a verification token and verifies the address it was sent to, in one batch. False for a
 * used, expired or unknown token, or one whose address the account no longer has (it is spent).
 */
export async function useVerificationToken(db: D1Database, hash: string, now: number): Promise<boolean> {
	const at = iso(now);
	const [, verified] = await db.batch<{ id: string }>([
		spend(db, hash, "verify_email", at),
		db
			.prepare(
				`UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?2), updated_at = ?2
				 WHERE changes() = 1
				   AND id = (SELECT user_id FROM account_tokens WHERE token_hash = ?1)
				   AND email = (SELECT email FROM account_tokens WHERE token_hash = ?1)
				 RETURNING id`,
			)
			.bind(hash, at),
	]);
	return (verified?.results.length ?? 0) === 1;
}

/**
 * Spends a reset token and sets the user's new password hash, in one batch, with the
 * "password changed" e-mail in the outbox (written only if the password was set), every other
 * reset token of the user voided, and the address verified (the link reached it). False for a
 * used, expired or unknown token, or one whose address the account no longer has.
 */
export async function useResetToken(
	db: D1Database,
	reset: { hash: string; userId: string; passwordHash: string; notice: OutboxMessage },
	now: number,
): Promise<boolean> {
	const at = iso(now);
	const [, changed] = await db.batch<{ id: string }>([
		spend(db, reset.hash, "password_reset", at),
		db
			.prepare(
				`UPDATE users SET password_hash = ?3, email_verified_at = COALESCE(email_verified_at, ?2), updated_at = ?2
				 WHERE changes() = 1 AND id = ?4
				   AND id = (SELECT user_id FROM account_tokens WHERE token_hash = ?1)
				   AND email = (SELECT email FROM account_tokens WHERE token_hash = ?1)
				 RETURNING id`,
			)
			.bind(reset.hash, at, reset.passwordHash, reset.userId),
		outboxInsert(db, reset.notice, now, { afterChange: true }),
		db
			.prepare(
				`UPDATE account_tokens SET used_at = ?2
				 WHERE user_id = ?3 AND purpose = 'password_reset' AND used_at IS NULL
				   AND EXISTS (SELECT 1 FROM account_tokens WHERE token_hash = ?1 AND used_at = ?2)`,
			)
			.bind(reset.hash, at, reset.userId),
	]);
	return (changed?.results.length ?? 0) === 1;
}
