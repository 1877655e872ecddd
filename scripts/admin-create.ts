/**
 * `npm run admin:create -- <email> [--name "Full Name"] [--remote]`: creates an admin user and its
 * own `admin_<id>` tenant, with an audit record, in one SQL batch.
 *
 * Admins exist only through this command, never through the API: an admin can read and change
 * every tenant, so minting one needs shell access to the deployment, not a reachable endpoint
 * that could be abused or misconfigured. The password comes from `ADMIN_PASSWORD` (environment, so
 * it never appears on a command line or in the process list) or is generated and printed once; the
 * SQL carries only the peppered PBKDF2 hash.
 *
 * Locally it writes to the state `npm start` serves, with the pepper from `.dev.vars`. With
 * `--remote` it writes to production D1 through `wrangler --env production`; Cloudflare secrets
 * cannot be read back, so the production pepper must be passed in `PASSWORD_PEPPER`. A wrong
 * pepper is not detectable here: the admin simply cannot sign in, which is why it is required
 * rather than guessed. The duplicate check reads before it writes; the UNIQUE email column is the
 * backstop for a race, and the batch leaves no tenant behind when the user insert fails.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { newId } from "../shared/encoding.ts";
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../shared/password.ts";
import { ensureDevVars } from "./dev-vars.ts";
import { applyMigrations, DEFAULT_STATE_DIR, executeSql, querySql } from "./local-d1.ts";

export const NAME_MAX_LENGTH = 100;

export const USAGE = `Usage: npm run admin:create -- <email> [--name "Full Name"] [--remote]

Creates an admin user with its own admin tenant.
  ADMIN_PASSWORD  the password (${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters); without it a strong one is generated and printed once
  --name          display name, 1-${NAME_MAX_LENGTH} characters (default: the part of the email before @)
  --remote        write to production D1 (wrangler --env production) instead of the local state;
                  needs PASSWORD_PEPPER set to the production secret`;

/** Wrong invocation: exit 2 with the usage text. */
export class UsageError extends Error {}
/** Invocation understood but refused (bad value, duplicate, missing secret): exit 1. */
export class UserError extends Error {}

export interface AdminArgs {
	email: string;
	name: string;
	remote: boolean;
}

const emailSchema = z.email().max(254);
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Parses the arguments after `--`; returns `null` for `--help`. */
export function parseAdminArgs(argv: string[]): AdminArgs | null {
	let parsed: ReturnType<typeof parseCli>;
	try {
		parsed = parseCli(argv);
	} catch (error) {
		// Node's message goes on to explain `--`; its first sentence is the useful part.
		throw new UsageError((error as Error).message.split(". ")[0] ?? String(error));
	}
	if (parsed.values.help) return null;
	const [rawEmail, ...extra] = parsed.positionals;
	if (rawEmail === undefined) throw new UsageError("missing <email>");
	if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(" ")}`);

	const email = rawEmail.trim().toLowerCase();
	if (!emailSchema.safeParse(email).success) throw new UserError(`not a valid email address: ${rawEmail}`);

	const name = (parsed.values.name ?? email.slice(0, email.indexOf("@")).slice(0, NAME_MAX_LENGTH)).trim();
	if (name.length < 1 || name.length > NAME_MAX_LENGTH || CONTROL_CHARACTERS.test(name)) {
		throw new UserError(`--name must be 1-${NAME_MAX_LENGTH} characters without control characters`);
	}
	return { email, name, remote: parsed.values.remote ?? false };
}

function parseCli(argv: string[]) {
	return parseArgs({
		args: argv,
		allowPositionals: true,
		strict: true,
		options: {
			name: { type: "string" },
			remote: { type: "boolean" },
			help: { type: "boolean", short: "h" },
		},
	});
}

/** Returns why the password is refused, or `null` when it meets the policy. */
export function passwordProblem(password: string): string | null {
	if (password.length < PASSWORD_MIN_LENGTH) return `the password must be at least ${PASSWORD_MIN_LENGTH} characters`;
	if (password.length > PASSWORD_MAX_LENGTH) return `the password must be at most ${PASSWORD_MAX_LENGTH} characters`;
	return null;
}

/** 24 random bytes as base64url: 32 characters, 192 bits. */
export function generatePassword(): string {
	return randomBytes(24).toString("base64url");
}

/** A SQL string literal: single quotes doubled, so no value can end the literal early. */
export function sqlText(value: string | null): string {
	return value === null ? "NULL" : `'${value.replaceAll("'", "''")}'`;
}

export interface AdminRecord {
	tenantId: string;
	userId: string;
	auditEventId: string;
	email: string;
	name: string;
	passwordHash: string;
	now: Date;
	remote: boolean;
}

/** The tenant, the user and the audit record, as one batch (D1 runs a batch as a transaction). */
export function adminCreateSql(record: AdminRecord): string {
	const at = sqlText(record.now.toISOString());
	const detail = JSON.stringify({ user_id: record.userId, email: record.email, via: "cli", remote: record.remote });
	return [
		`INSERT INTO tenants (id, kind, name, status, created_at, updated_at) VALUES (${sqlText(record.tenantId)}, 'admin', ${sqlText(record.name)}, 'active', ${at}, ${at});`,
		// The operator vouches for the address: an admin's e-mail is verified from the start.
		`INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at, updated_at, email_verified_at) VALUES (${sqlText(record.userId)}, ${sqlText(record.tenantId)}, ${sqlText(record.email)}, ${sqlText(record.name)}, 'admin', ${sqlText(record.passwordHash)}, ${at}, ${at}, ${at});`,
		`INSERT INTO audit_log (event_id, action, actor_user_id, actor_tenant_id, subject_tenant_id, detail, occurred_at, recorded_at) VALUES (${sqlText(record.auditEventId)}, 'admin.created', NULL, NULL, ${sqlText(record.tenantId)}, ${sqlText(detail)}, ${at}, ${at});`,
		"",
	].join("\n");
}

export function existingUserSql(email: string): string {
	return `SELECT id FROM users WHERE email = ${sqlText(email)}`;
}

/** Where the rows go: the local state `npm start` uses, or production D1. */
interface Target {
	label: string;
	query(sql: string): { id: string }[];
	execute(sql: string): void;
}

function localTarget(stateDir: string): Target {
	applyMigrations(stateDir);
	return {
		label: `local state in ${stateDir}`,
		query: (sql) => querySql<{ id: string }>(sql, stateDir),
		execute: (sql) => executeSql(sql, stateDir),
	};
}

function remoteD1(args: string[]): string {
	return execFileSync(
		"wrangler",
		["d1", "execute", "DB", "--remote", "--env", "production", "-c", "wrangler.toml", "--json", ...args],
		{ encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
	);
}

const remoteTarget: Target = {
	label: "production D1 (wrangler --env production)",
	query(sql) {
		const parsed = JSON.parse(remoteD1(["--command", sql])) as { results: { id: string }[] }[];
		return parsed.flatMap((statement) => statement.results);
	},
	execute(sql) {
		// A file, not --command: D1 imports a file all or nothing, and the hash stays off the command line.
		const dir = mkdtempSync(join(tmpdir(), "techflunky-admin-"));
		const file = join(dir, "admin.sql");
		try {
			writeFileSync(file, sql, { mode: 0o600 });
			remoteD1(["--yes", "--file", file]);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	},
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: wrangler colours its errors even when piped
const ANSI_ESCAPES = /\u001b\[[0-9;]*m/g;

/** The useful line of a failed wrangler run (its error, not the banner or the command line). */
export function wranglerMessage(error: unknown): string {
	const failed = error as { stdout?: unknown; stderr?: unknown; message?: unknown };
	const stdout = typeof failed.stdout === "string" ? failed.stdout : "";
	const stderr = typeof failed.stderr === "string" ? failed.stderr : "";
	try {
		// With --json, wrangler reports a failure as {"error":{"text":…}}.
		const text = (JSON.parse(stdout) as { error?: { text?: unknown } }).error?.text;
		if (typeof text === "string") return text;
	} catch {
		// not JSON output
	}
	const lines = `${stderr}\n${stdout}`
		.replace(ANSI_ESCAPES, "")
		.split("\n")
		.map((line) => line.trim());
	const flagged = lines.find((line) => line.includes("[ERROR]"));
	if (flagged) return flagged.replace(/^.*\[ERROR\]\s*/, "");
	const last = lines.filter(Boolean).at(-1);
	return last ?? (typeof failed.message === "string" ? failed.message : String(error));
}

function readPepper(remote: boolean): string {
	if (!remote) return ensureDevVars().get("PASSWORD_PEPPER") ?? "";
	const pepper = process.env.PASSWORD_PEPPER;
	if (!pepper) {
		throw new UserError(
			"--remote needs PASSWORD_PEPPER set to the production pepper: Cloudflare secrets cannot be read back, " +
				"so take it from where you stored it when you ran `wrangler secret put PASSWORD_PEPPER --env production`",
		);
	}
	return pepper;
}

async function createAdmin(argv: string[]): Promise<void> {
	const args = parseAdminArgs(argv);
	if (args === null) {
		console.log(USAGE);
		return;
	}
	const supplied = process.env.ADMIN_PASSWORD;
	const password = supplied ?? generatePassword();
	const problem = passwordProblem(password);
	if (problem) throw new UserError(`ADMIN_PASSWORD refused: ${problem}`);
	const pepper = readPepper(args.remote);
	// Wrangler runs as a child with this environment; it needs neither secret.
	delete process.env.ADMIN_PASSWORD;
	delete process.env.PASSWORD_PEPPER;

	const target = args.remote ? remoteTarget : localTarget(DEFAULT_STATE_DIR);
	if (target.query(existingUserSql(args.email)).length > 0) {
		throw new UserError(`a user with email ${args.email} already exists (${target.label})`);
	}
	const tenantId = newId("admin");
	const userId = newId("usr");
	const passwordHash = await hashPassword(password, pepper);
	const sql = adminCreateSql({
		tenantId,
		userId,
		auditEventId: newId("evt"),
		email: args.email,
		name: args.name,
		passwordHash,
		now: new Date(),
		remote: args.remote,
	});
	try {
		target.execute(sql);
	} catch (error) {
		const message = wranglerMessage(error);
		if (/UNIQUE constraint failed: users\.email/i.test(message)) {
			throw new UserError(`a user with email ${args.email} already exists (${target.label})`);
		}
		throw error;
	}

	console.log(`admin created in ${target.label}`);
	console.log(`  email:     ${args.email}`);
	console.log(`  name:      ${args.name}`);
	console.log(`  user id:   ${userId}`);
	console.log(`  tenant id: ${tenantId}`);
	if (supplied === undefined) {
		console.log("generated password (shown only this once; store it now, it cannot be recovered):");
		console.log(`  ${password}`);
	}
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
	try {
		await createAdmin(argv);
		return 0;
	} catch (error) {
		if (error instanceof UsageError) {
			console.error(`admin:create: ${error.message}\n\n${USAGE}`);
			return 2;
		}
		if (error instanceof UserError) {
			console.error(`admin:create: ${error.message}`);
			return 1;
		}
		console.error(`admin:create failed: ${wranglerMessage(error)}`);
		return 1;
	}
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	process.exitCode = await main();
}
