/**
 * Seeding helpers for the Node-side harnesses (e2e suites, bench, soak): an admin made exactly
 * the way `npm run admin:create` makes one, and an in-memory SQLite with the real D1 migrations.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { adminCreateSql } from "../../scripts/admin-create.ts";
import { newId } from "../../shared/encoding.ts";
import { hashPassword } from "../../shared/password.ts";

const MIGRATIONS = resolve(import.meta.dirname, "../../migrations");

export interface SeededAdmin {
	tenantId: string;
	userId: string;
	email: string;
	password: string;
	/** The rows, for `startTopology({ seedSql })`. */
	sql: string;
}

/** A fresh admin with a random password, hashed with `pepper` (the topology's PASSWORD_PEPPER). */
export async function seededAdmin(pepper: string, label: string): Promise<SeededAdmin> {
	const admin = {
		tenantId: newId("admin"),
		userId: newId("usr"),
		email: `${label}-admin-${crypto.randomUUID()}@example.test`,
		password: `${label}-admin-${crypto.randomUUID()}`,
	};
	const sql = adminCreateSql({
		...admin,
		name: `${label} admin`,
		passwordHash: await hashPassword(admin.password, pepper),
		now: new Date(),
		auditEventId: newId("evt"),
		remote: false,
	});
	return { ...admin, sql };
}

/** An in-memory database with the real migrations, so generated SQL is run, not pattern-matched. */
export function migratedDatabase(): DatabaseSync {
	const db = new DatabaseSync(":memory:");
	for (const file of readdirSync(MIGRATIONS)
		.filter((name) => name.endsWith(".sql"))
		.sort()) {
		db.exec(readFileSync(join(MIGRATIONS, file), "utf8"));
	}
	return db;
}
