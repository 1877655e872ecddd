/**
 * The tokens of e-mail address changes in D1 (`account_tokens`, purpose `email_change`, migration
 * 0014): the token's `email` is the NEW address, the one the link went to.
 *
 * A token is stored only while no account uses the new address (one INSERT … SELECT … WHERE NOT
 * EXISTS, run either way, so a taken address costs the request the same write). Confirming is one
 * D1 batch, like a reset (./account-tokens.ts): spend the token, switch the address while the
 * account still has the address it had when the link was used, write the "was changed" notice to
 * the outbox, void every other open link of the account. The `users.email` UNIQUE constraint is
 * what makes two confirmations racing for one address safe: the loser's batch fails and rolls
 * back as a whole, its token unspent, and is answered 409.
 */
import { type OutboxMessage, outboxInsert } from "../../../shared/data/outbox.ts";
import { spend } from "./account-tokens.ts";
import { tokenExpiry } from "./link-tokens.ts";

const iso = (now: number) => new Date(now).toISOString();

/** Stores the token only if no account uses `newEmail`; `meta.changes` says whether it did. */
export function insertEmailChangeToken(
	db: D1Database,
	token: { hash: string; userId: string; newEmail: string },
	now: number,
): D1PreparedStatement {
	return db
		.prepare(
			`INSERT INTO account_tokens (token_hash, purpose, user_id, email, created_at, expires_at)
			 SELECT ?1, 'email_change', ?2, ?3, ?4, ?5
			 WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = ?3)`,
		)
		.bind(token.hash, token.userId, token.newEmail, iso(now), tokenExpiry("email_change", now));
}

/** Whose usable change token this is, their current address and the new one; `null` otherwise. */
export interface EmailChangeHolder {
	user_id: string;
	tenant_id: string;
	name: string;
	email: string;
	new_email: string;
}

export function findUsableEmailChange(db: D1Database, hash: string, now: number): Promise<EmailChangeHolder | null> {
	return db
		.prepare(
			`SELECT u.id AS user_id, u.tenant_id, u.name, u.email, t.email AS new_email
			 FROM account_tokens t JOIN users u ON u.id = t.user_id AND u.deleted_at IS NULL
			 WHERE t.token_hash = ?1 AND t.purpose = 'email_change' AND t.used_at IS NULL AND t.expires_at > ?2`,
		)
		.bind(hash, iso(now))
		.first<EmailChangeHolder>();
}

/** `changed`; `spent` for a used, expired or unknown token (or an address changed meanwhile); `taken` if another account has the address. */
export type EmailChangeOutcome = "changed" | "spent" | "taken";

export async function useEmailChangeToken(
	db: D1Database,
	change: { hash: string; userId: string; oldEmail: string; notice: OutboxMessage },
	now: number,
): Promise<EmailChangeOutcome> {
	const at = iso(now);
	try {
		const [, changed] = await db.batch<{ id: string }>([
			spend(db, change.hash, "email_change", at),
			db
				.prepare(
					`UPDATE users SET email = (SELECT email FROM account_tokens WHERE token_hash = ?1),
					   email_verified_at = ?2, updated_at = ?2
					 WHERE changes() = 1 AND id = ?3 AND email = ?4 AND deleted_at IS NULL
					   AND id = (SELECT user_id FROM account_tokens WHERE token_hash = ?1)
					 RETURNING id`,
				)
				.bind(change.hash, at, change.userId, change.oldEmail),
			outboxInsert(db, change.notice, now, { afterChange: true }),
			db
				.prepare(
					`UPDATE account_tokens SET used_at = ?2
					 WHERE user_id = ?3 AND used_at IS NULL
					   AND EXISTS (SELECT 1 FROM users WHERE id = ?3 AND updated_at = ?2
					               AND email = (SELECT email FROM account_tokens WHERE token_hash = ?1))`,
				)
				.bind(change.hash, at, change.userId),
		]);
		return (changed?.results.length ?? 0) === 1 ? "changed" : "spent";
	} catch (cause) {
		if (String(cause).includes("UNIQUE constraint failed")) return "taken";
		throw cause;
	}
}
