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
];
