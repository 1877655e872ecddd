/**
 * How the Node-side harnesses (e2e suites, bench, soak) give the accounts they sign up a verified
 * e-mail address without waiting for the e-mail: the harness started the topology, so it writes
 * `users.email_verified_at` into the topology's own D1, as its seed writes the admin and the demo
 * rows. Nothing like it exists in the product: there an address is verified only by the link
 * (workers/dispatch/routes/recovery.ts), which test/e2e/recovery.e2e.test.ts drives end to end.
 */

/** Marks user `userId`'s address verified. */
export type EmailVerifier = (userId: string) => Promise<void>;

/** The part of Miniflare's D1 binding this needs (test/topology/topology.ts `db()`). */
interface Database {
	prepare(sql: string): { bind(...values: unknown[]): { run(): Promise<{ meta: { changes: number } }> } };
}

export function verifyInDatabase(db: () => Promise<Database>): EmailVerifier {
	return async (userId) => {
		const database = await db();
		const at = new Date().toISOString();
		const result = await database
			.prepare("UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?2), updated_at = ?2 WHERE id = ?1")
			.bind(userId, at)
			.run();
		if (result.meta.changes !== 1) throw new Error(`no user ${userId} to verify`);
	};
}
