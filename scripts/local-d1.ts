/**
 * Runs the local D1 steps that `npm start` and the cross-Worker tests share: apply migrations and
 * execute SQL against the local state directory Wrangler serves from.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where local state lives; TECHFLUNKY_STATE_DIR moves it (the `npm start` test uses a temp dir). */
export const DEFAULT_STATE_DIR = process.env.TECHFLUNKY_STATE_DIR ?? ".wrangler/state";

function wrangler(args: string[]): string {
	return execFileSync("wrangler", args, {
		encoding: "utf8",
		stdio: ["ignore", "pipe", "pipe"],
		env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
	});
}

export function applyMigrations(stateDir = DEFAULT_STATE_DIR): void {
	wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir, "-c", "wrangler.toml"]);
}

export function executeSql(sql: string, stateDir = DEFAULT_STATE_DIR): void {
	const dir = mkdtempSync(join(tmpdir(), "techflunky-sql-"));
	const file = join(dir, "statements.sql");
	try {
		writeFileSync(file, sql);
		wrangler(["d1", "execute", "DB", "--local", "--persist-to", stateDir, "-c", "wrangler.toml", "--file", file]);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

export function querySql<T = Record<string, unknown>>(sql: string, stateDir = DEFAULT_STATE_DIR): T[] {
	const out = wrangler([
		"d1",
		"execute",
		"DB",
		"--local",
		"--persist-to",
		stateDir,
		"-c",
		"wrangler.toml",
		"--json",
		"--command",
		sql,
	]);
	const parsed = JSON.parse(out) as { results: T[] }[];
	return parsed.flatMap((statement) => statement.results);
}
