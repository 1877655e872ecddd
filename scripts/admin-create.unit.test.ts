import { describe, expect, it } from "vitest";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../shared/password.ts";
import { migratedDatabase } from "../test/topology/seed.ts";
import {
	adminCreateSql,
	existingUserSql,
	generatePassword,
	parseAdminArgs,
	passwordProblem,
	UsageError,
	UserError,
	wranglerMessage,
} from "./admin-create.ts";

const record = {
	tenantId: "admin_0123456789abcdef0123456789abcdef",
	userId: "usr_0123456789abcdef0123456789abcdef",
	auditEventId: "evt_0123456789abcdef0123456789abcdef",
	email: "o'brien@example.test",
	name: "Dana O'Brien'); DROP TABLE users; --",
	passwordHash: "pbkdf2-sha256$100000$c2FsdA$aGFzaA",
	now: new Date("2026-11-26T12:00:00.000Z"),
	remote: false,
};

describe("parseAdminArgs", () => {
	it("reads the email, lowercased and trimmed, and defaults the name to its local part", () => {
		expect(parseAdminArgs([" Root.Admin@Example.TEST "])).toEqual({
			email: "root.admin@example.test",
			name: "root.admin",
			remote: false,
		});
	});

	it("takes --name and --remote in any order", () => {
		expect(parseAdminArgs(["--remote", "a@example.test", "--name", "Ada Admin"])).toEqual({
			email: "a@example.test",
			name: "Ada Admin",
			remote: true,
		});
		expect(parseAdminArgs(["a@example.test", "--name=Ada"])).toMatchObject({ name: "Ada", remote: false });
	});

	it("answers a missing email with a usage error", () => {
		expect(() => parseAdminArgs([])).toThrow(UsageError);
		expect(() => parseAdminArgs(["--remote"])).toThrow(UsageError);
	});

	it("answers an unknown flag, a second email or --name without a value with a usage error", () => {
		expect(() => parseAdminArgs(["a@example.test", "--force"])).toThrow(UsageError);
		expect(() => parseAdminArgs(["a@example.test", "b@example.test"])).toThrow(UsageError);
		expect(() => parseAdminArgs(["a@example.test", "--name"])).toThrow(UsageError);
	});

	it("returns null for --help", () => {
		expect(parseAdminArgs(["--help"])).toBeNull();
		expect(parseAdminArgs(["-h"])).toBeNull();
	});

	it("refuses an invalid email as a user error", () => {
		for (const email of ["not-an-email", "a@b", "@example.test", `${"a".repeat(250)}@example.test`]) {
			expect(() => parseAdminArgs([email])).toThrow(UserError);
		}
	});

	it("refuses a name that is empty, over 100 characters or contains control characters", () => {
		expect(() => parseAdminArgs(["a@example.test", "--name", "   "])).toThrow(UserError);
		expect(() => parseAdminArgs(["a@example.test", "--name", "x".repeat(101)])).toThrow(UserError);
		expect(() => parseAdminArgs(["a@example.test", "--name", "two\nlines"])).toThrow(UserError);
		expect(parseAdminArgs(["a@example.test", "--name", "x".repeat(100)])?.name).toHaveLength(100);
	});
});

describe("passwordProblem", () => {
	it("accepts 12 to 1024 characters and refuses anything outside", () => {
		expect(PASSWORD_MIN_LENGTH).toBe(12);
		expect(PASSWORD_MAX_LENGTH).toBe(1024);
		expect(passwordProblem("x".repeat(11))).toMatch(/at least 12/);
		expect(passwordProblem("")).toMatch(/at least 12/);
		expect(passwordProblem("x".repeat(12))).toBeNull();
		expect(passwordProblem("x".repeat(1024))).toBeNull();
		expect(passwordProblem("x".repeat(1025))).toMatch(/at most 1024/);
	});

	it("accepts every generated password, and no two are alike", () => {
		const generated = generatePassword();
		expect(generated).toMatch(/^[A-Za-z0-9_-]{32}$/);
		expect(passwordProblem(generated)).toBeNull();
		expect(generatePassword()).not.toBe(generated);
	});
});

describe("adminCreateSql", () => {
	it("stores a name and email with quotes verbatim, as an admin tenant, admin user and audit record", () => {
		const db = migratedDatabase();
		db.exec(adminCreateSql(record));
		expect(db.prepare("SELECT id, kind, name, status, created_at FROM tenants").all()).toEqual([
			{ id: record.tenantId, kind: "admin", name: record.name, status: "active", created_at: record.now.toISOString() },
		]);
		expect(
			db.prepare("SELECT id, tenant_id, email, name, role, password_hash, email_verified_at FROM users").all(),
		).toEqual([
			{
				id: record.userId,
				tenant_id: record.tenantId,
				email: record.email,
				name: record.name,
				role: "admin",
				password_hash: record.passwordHash,
				email_verified_at: record.now.toISOString(),
			},
		]);
		const audit = db.prepare("SELECT action, subject_tenant_id, detail FROM audit_log").get() as Record<string, string>;
		expect(audit.action).toBe("admin.created");
		expect(audit.subject_tenant_id).toBe(record.tenantId);
		expect(JSON.parse(audit.detail ?? "{}")).toEqual({
			user_id: record.userId,
			email: record.email,
			via: "cli",
			remote: false,
		});
	});

	it("doubles single quotes in string literals", () => {
		expect(adminCreateSql({ ...record, name: "O'Brien" })).toContain("'O''Brien'");
	});

	it("finds an existing user by email, whatever its case", () => {
		const db = migratedDatabase();
		db.exec(adminCreateSql({ ...record, email: "O'Brien@Example.test" }));
		expect(db.prepare(existingUserSql("o'brien@example.test")).all()).toEqual([{ id: record.userId }]);
	});
});

describe("wranglerMessage", () => {
	it("extracts the error line from wrangler's coloured stderr", () => {
		const failure = Object.assign(new Error("Command failed: wrangler d1 execute DB --file /tmp/x.sql"), {
			stdout: "\n ⛅️ wrangler 4\n🌀 Executing on local database DB\n",
			stderr:
				"\u001b[31m✘ \u001b[41;31m[\u001b[41;97mERROR\u001b[41;31m]\u001b[0m \u001b[1mUNIQUE constraint failed: users.email: SQLITE_CONSTRAINT\u001b[0m\n\n🪵  Logs were written to x.log\n",
		});
		expect(wranglerMessage(failure)).toBe("UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT");
	});

	it("reads wrangler's JSON error", () => {
		const failure = Object.assign(new Error("Command failed"), {
			stdout: JSON.stringify({ error: { text: "Authentication error [code: 10000]" } }),
			stderr: "",
		});
		expect(wranglerMessage(failure)).toBe("Authentication error [code: 10000]");
	});

	it("falls back to the message of an error that is not wrangler's", () => {
		expect(wranglerMessage(new Error("disk full"))).toBe("disk full");
	});
});
