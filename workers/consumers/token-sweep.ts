/**
 * The consumers' cron sweeps the e-mail links' tokens (verification, password reset, e-mail
 * change: `account_tokens`, workers/dispatch/identity/account-tokens.ts) once they can no longer
 * work: a week past their expiry, used or not. A swept token answers exactly as an expired or
 * used one did (the same 400), so sweeping changes nothing a person can see; it only keeps the
 * table, and the hashes of old links, from growing for ever. The week is slack for clocks and for
 * reading "when was this link sent" while supporting someone.
 */
const KEEP_AFTER_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;

/** Deletes the tokens that expired more than `keepMs` before `now`; answers how many. */
export async function sweepAccountTokens(db: D1Database, now: number, keepMs = KEEP_AFTER_EXPIRY_MS): Promise<number> {
	const result = await db
		.prepare("DELETE FROM account_tokens WHERE expires_at < ?")
		.bind(new Date(now - keepMs).toISOString())
		.run();
	return result.meta.changes;
}
