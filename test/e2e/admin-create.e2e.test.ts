/**
 * `npm run admin:create` itself, as an operator runs it: the real script, Wrangler and local D1,
 * against a temporary state directory. Each run spawns Wrangler a few times, so the cases share
 * one state directory (fresh per file) and each uses its own email.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDevVars } from "../../scripts/dev-vars.ts";
import { querySql } from "../../scripts/local-d1.ts";
import { verifyPassword } from "../../shared/password.ts";

const stateDir = mkdtempSync(join(tmpdir(), "techflunky-admin-"));
const bin = resolve("node_modules/.bin");

afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function adminCreate(args: string[], password?: string) {
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
		TECHFLUNKY_STATE_DIR: stateDir,
		CI: "true",
	};
	delete env.ADMIN_PASSWORD;
	if (password !== undefined) env.ADMIN_PASSWORD = password;
	const run = spawnSync(process.execPath, ["scripts/admin-create.ts", ...args], { env, encoding: "utf8" });
	return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface AdminRow {
	user_id: string;
	email: string;
	name: string;
	role: string;
	password_hash: string;
	tenant_id: string;
	kind: string;
	status: string;
}

/** The user and tenant rows for one email (the test emails need no SQL escaping). */
function adminByEmail(email: string): AdminRow | undefined {
	const [row] = querySql<AdminRow>(
		`SELECT u.id AS user_id, u.email, u.name, u.role, u.password_hash, t.id AS tenant_id, t.kind, t.status
		 FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.email = '${email}'`,
		stateDir,
	);
	return row;
}

/** Every row an attempt for this email could have written: its user, its tenant (named after the email) and its audit record. */
function rowsFor(email: string): { users: number; tenants: number; audits: number } {
	const [row] = querySql<{ users: number; tenants: number; audits: number }>(
		`SELECT (SELECT count(*) FROM users WHERE email = '${email}') AS users,
		        (SELECT count(*) FROM tenants WHERE name = '${email.split("@")[0]}') AS tenants,
		        (SELECT count(*) FROM audit_log WHERE detail LIKE '%"${email}"%') AS audits`,
		stateDir,
	);
	if (!row) throw new Error("no counts");
	return row;
}

/** The pepper `npm start` uses: the one the script created or found in `.dev.vars`. */
const pepper = () => parseDevVars(readFileSync(".dev.vars", "utf8")).get("PASSWORD_PEPPER") ?? "";

describe("npm run admin:create", () => {
	const password = "correct-horse-battery-staple";

	it("creates an active admin tenant and an admin user whose password verifies with the local pepper", async () => {
		const run = adminCreate(["Admin@Example.test", "--name", "Ada O'Admin"], password);
		expect(run.stderr).toBe("");
		expect(run.status).toBe(0);
		const admin = adminByEmail("admin@example.test");
		expect(admin).toMatchObject({ email: "admin@example.test", name: "Ada O'Admin", role: "admin" });
		expect(admin?.tenant_id).toMatch(/^admin_[0-9a-f]{32}$/);
		expect(admin?.user_id).toMatch(/^usr_[0-9a-f]{32}$/);
		expect(admin).toMatchObject({ kind: "admin", status: "active" });
		expect(run.stdout).toContain(admin?.user_id);
		expect(run.stdout).toContain(admin?.tenant_id);
		expect(run.stdout).not.toContain(password);
		expect((await verifyPassword(password, admin?.password_hash ?? "", pepper())).valid).toBe(true);
	});

	it("refuses the same email again, in any case, and writes nothing", () => {
		expect(adminCreate(["twice@example.test"], password).status).toBe(0);
		const run = adminCreate(["TWICE@example.test"], "another-long-password");
		expect(run.status).toBe(1);
		expect(run.stderr).toMatch(/already exists/);
		expect(run.stderr).not.toMatch(/\n\s+at /);
		expect(rowsFor("twice@example.test")).toEqual({ users: 1, tenants: 1, audits: 1 });
	});

	it("generates a password without ADMIN_PASSWORD, prints it once, and stores its hash", async () => {
		const run = adminCreate(["generated@example.test"]);
		expect(run.status).toBe(0);
		const printed = /store it now[^\n]*\n\s*(\S+)/.exec(run.stdout)?.[1] ?? "";
		expect(printed).toMatch(/^[A-Za-z0-9_-]{32}$/);
		expect(run.stdout.split(printed)).toHaveLength(2);
		const admin = adminByEmail("generated@example.test");
		expect(admin?.name).toBe("generated");
		expect((await verifyPassword(printed, admin?.password_hash ?? "", pepper())).valid).toBe(true);
	});

	it("refuses a password under 12 characters and writes nothing", () => {
		const run = adminCreate(["short@example.test"], "too-short");
		expect(run.status).toBe(1);
		expect(run.stderr).toMatch(/at least 12 characters/);
		expect(rowsFor("short@example.test")).toEqual({ users: 0, tenants: 0, audits: 0 });
	});

	it("answers a call without an email with the usage text and exit code 2", () => {
		const run = adminCreate([], password);
		expect(run.status).toBe(2);
		expect(run.stderr).toMatch(/Usage: npm run admin:create -- <email>/);
	});
});
