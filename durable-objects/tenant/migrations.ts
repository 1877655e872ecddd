/** TenantObject schema, append-only (see ../sqlite.ts). */
import type { Migration } from "../sqlite.ts";

export const migrations: readonly Migration[] = [
	{
		version: 1,
		name: "usage_daily",
		up: (sql) => {
			sql.exec(`CREATE TABLE usage_daily (
				day TEXT PRIMARY KEY,
				requests INTEGER NOT NULL DEFAULT 0
			)`);
		},
	},
	{
		version: 2,
		name: "rate_limit_buckets_and_settings",
		up: (sql) => {
			sql.exec(`CREATE TABLE buckets (
				key TEXT PRIMARY KEY,
				tokens REAL NOT NULL,
				updated_at INTEGER NOT NULL
			)`);
			sql.exec(`CREATE TABLE settings (
				key TEXT PRIMARY KEY,
				value TEXT NOT NULL
			)`);
		},
	},
	{
		version: 3,
		name: "sessions",
		up: (sql) => {
			// Revoked and expired rows stay (until pruned) so that re-opening an id never resurrects it.
			sql.exec(`CREATE TABLE sessions (
				id TEXT PRIMARY KEY,
				user_id TEXT NOT NULL,
				created_at INTEGER NOT NULL,
				expires_at INTEGER NOT NULL,
				revoked_at INTEGER
			)`);
			sql.exec("CREATE INDEX sessions_user_id ON sessions (user_id)");
		},
	},
	{
		version: 4,
		name: "bucket_full_at",
		up: (sql) => {
			// When each bucket is full again: the alarm forgets an object whose buckets are all full.
			sql.exec("ALTER TABLE buckets ADD COLUMN full_at INTEGER NOT NULL DEFAULT 0");
			// Rows written before this step: keep them a day, long past any policy's refill.
			sql.exec("UPDATE buckets SET full_at = updated_at + 86400000");
		},
	},
];
