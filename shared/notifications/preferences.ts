/**
 * Notification preferences in D1 (migrations/0012_notification_preferences.sql): only departures
 * from the defaults are stored — a row in `notification_opt_outs` per kind turned off, a row in
 * `notification_settings` once the digest choice is set — so a new user, and a kind added later,
 * are "on" without any row. Shared by the dispatch Worker (the settings routes and the one-click
 * unsubscribe) and the consumers Worker (the gate at send time, `isEnabled`).
 */
import { type DigestChoice, type NotificationKind, notificationKinds } from "./kinds.ts";

export interface Preferences {
	kinds: Record<NotificationKind, boolean>;
	digest: DigestChoice;
}

export async function readPreferences(db: D1Database, userId: string): Promise<Preferences> {
	const [offs, settings] = await db.batch<{ kind?: string; saved_search_digest?: DigestChoice }>([
		db.prepare("SELECT kind FROM notification_opt_outs WHERE user_id = ?").bind(userId),
		db.prepare("SELECT saved_search_digest FROM notification_settings WHERE user_id = ?").bind(userId),
	]);
	const off = new Set((offs?.results ?? []).map((row) => row.kind));
	const kinds = Object.fromEntries(notificationKinds.map((kind) => [kind, !off.has(kind)])) as Record<
		NotificationKind,
		boolean
	>;
	return { kinds, digest: settings?.results[0]?.saved_search_digest ?? "instant" };
}

/** Applies a partial change in one batch (one transaction); kinds not named keep their value. */
export async function updatePreferences(
	db: D1Database,
	userId: string,
	change: { kinds: Partial<Record<NotificationKind, boolean>>; digest?: DigestChoice | undefined },
	at: Date,
): Promise<void> {
	const now = at.toISOString();
	const statements = Object.entries(change.kinds).map(([kind, on]) =>
		on
			? db.prepare("DELETE FROM notification_opt_outs WHERE user_id = ? AND kind = ?").bind(userId, kind)
			: // Through `users`, so a genuine token of an account deleted since changes nothing.
				db
					.prepare(
						"INSERT OR IGNORE INTO notification_opt_outs (user_id, kind, created_at) SELECT id, ?, ? FROM users WHERE id = ?",
					)
					.bind(kind, now, userId),
	);
	if (change.digest !== undefined) {
		statements.push(
			db
				.prepare(
					`INSERT INTO notification_settings (user_id, saved_search_digest, updated_at) SELECT id, ?2, ?3 FROM users WHERE id = ?1
					 ON CONFLICT (user_id) DO UPDATE SET saved_search_digest = ?2, updated_at = ?3`,
				)
				.bind(userId, change.digest, now),
		);
	}
	if (statements.length > 0) await db.batch(statements);
}

/**
 * Whether `userId` still wants e-mails of `kind`: read at send time, so a later opt-out is
 * honoured. A deleted account (its row kept, anonymised: docs/domain.md) or an unknown user wants
 * none.
 */
export async function isEnabled(db: D1Database, userId: string, kind: NotificationKind): Promise<boolean> {
	const row = await db
		.prepare(
			`SELECT u.deleted_at IS NULL
			        AND NOT EXISTS (SELECT 1 FROM notification_opt_outs o WHERE o.user_id = u.id AND o.kind = ?) AS wanted
			 FROM users u WHERE u.id = ?`,
		)
		.bind(kind, userId)
		.first<{ wanted: number }>();
	return row?.wanted === 1;
}
