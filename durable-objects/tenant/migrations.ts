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
];
