/**
 * Runs the local D1 and R2 steps that `npm start` and the cross-Worker tests share: apply
 * migrations, execute SQL and put objects into the local state directory Wrangler serves from.
 * Each step is one Wrangler process (about a second each), which keeps the state's layout
 * Wrangler's business rather than ours.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OFFLINE_WRANGLER_ENV } from "./offline-env.ts";

/** Where local state lives; TECHFLUNKY_STATE_DIR moves it (the `npm start` test uses a temp dir). */
export const DEFAULT_STATE_DIR = process.env.TECHFLUNKY_STATE_DIR ?? ".wrangler/state";

function wrangler(args: string[]): string {
	return execFileSync("wrangler", args, {
		encoding: "utf8",
		stdio: ["ignore", "pipe", "pipe"],
		env: { ...OFFLINE_WRANGLER_ENV, ...process.env, CI: "true" },
	});
}

export function applyMigrations(stateDir = DEFAULT_STATE_DIR): void {
	wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir, "-c", "wrangler.toml"]);
}

/** Runs `use` with `contents` in a temporary file, removed afterwards (Wrangler reads files, not stdin). */
function withTempFile(name: string, contents: string | Uint8Array, use: (file: string) => void): void {
	const dir = mkdtempSync(join(tmpdir(), "techflunky-"));
	const file = join(dir, name);
	try {
		writeFileSync(file, contents);
		use(file);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

export function executeSql(sql: string, stateDir = DEFAULT_STATE_DIR): void {
	withTempFile("statements.sql", sql, (file) =>
		wrangler(["d1", "execute", "DB", "--local", "--persist-to", stateDir, "-c", "wrangler.toml", "--file", file]),
	);
}

export interface LocalObject {
	key: string;
	bytes: Uint8Array;
	contentType: string;
}

/** Puts (or overwrites) one object in a local R2 bucket; putting the same bytes twice is harmless. */
export function putObject(bucket: string, object: LocalObject, stateDir = DEFAULT_STATE_DIR): void {
	withTempFile("object", object.bytes, (file) =>
		wrangler([
			"r2",
			"object",
			"put",
			`${bucket}/${object.key}`,
			"--local",
			"--persist-to",
			stateDir,
			"-c",
			"wrangler.toml",
			"--file",
			file,
			"--content-type",
			object.contentType,
		]),
	);
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
