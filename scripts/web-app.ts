/**
 * Building the web app (web/, Astro) and loading it as a Worker. `astro build` writes the server
 * Worker to web/dist/server/ with a deployable Wrangler config (`wrangler.json`, from
 * web/wrangler.toml plus the adapter's entry and static assets in web/dist/client/), which
 * `npm start`, `npm run build`, `npm run deploy` and the test topology all use. A build is
 * skipped while it is newer than every source file, so test runs and restarts build once.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const ROOT = resolve(import.meta.dirname, "..");
export const WEB_DIR = join(ROOT, "web");
/**
 * Where the app is built: web/dist, or `TECHFLUNKY_WEB_DIST` (an absolute path) so that several
 * checkouts' or processes' test runs can build side by side without replacing each other's files.
 */
export const WEB_DIST = process.env.TECHFLUNKY_WEB_DIST ?? join(WEB_DIR, "dist");
/** The generated config of the built app: the web Worker's config everywhere. */
export const WEB_CONFIG = join(WEB_DIST, "server/wrangler.json");
export const WEB_WORKER = "techflunky-web";

/** Newest modification time under `path`, skipping build output and dependencies. */
function newest(path: string): number {
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let latest = stat.mtimeMs;
	for (const name of readdirSync(path)) {
		if (name === "dist" || name === "node_modules" || name === ".astro") continue;
		latest = Math.max(latest, newest(join(path, name)));
	}
	return latest;
}

/** The shared code the pages import (contract, schemas, the offers client) counts as a source too. */
function sourcesChangedSince(builtAt: number): boolean {
	return [WEB_DIR, join(ROOT, "shared"), join(ROOT, "package-lock.json")].some((path) => newest(path) > builtAt);
}

let building: Promise<void> | undefined;

/** `astro build` in web/, unless the build there is up to date (or `force`). */
export function buildWebApp(options: { force?: boolean } = {}): Promise<void> {
	const stale = options.force || !existsSync(WEB_CONFIG) || sourcesChangedSince(statSync(WEB_CONFIG).mtimeMs);
	if (!stale) return Promise.resolve();
	building ??= promisify(execFile)(join(ROOT, "node_modules/.bin/astro"), ["build"], {
		cwd: WEB_DIR,
		// Always a production build: vitest runs with NODE_ENV=test, which would ship React's development build.
		env: { ...process.env, NODE_ENV: "production", ASTRO_TELEMETRY_DISABLED: "1", TECHFLUNKY_WEB_DIST: WEB_DIST },
	})
		.then(() => undefined)
		.finally(() => {
			building = undefined;
		});
	return building;
}

/**
 * The built web Worker as Miniflare (v4-shaped) worker options, for the test topology: its
 * bindings (`API`, the static assets) from the generated config, its modules as Astro wrote them.
 */
export async function webWorkerOptions(): Promise<Record<string, unknown>> {
	await buildWebApp();
	const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
	const {
		rootPath: _root,
		modulesRules: _rules,
		...options
	} = unstable_getMiniflareWorkerOptions(WEB_CONFIG).workerOptions;
	// Every module Astro wrote, the entry first (Miniflare does not follow its dynamic imports).
	const serverDir = join(WEB_DIST, "server");
	const chunks = readdirSync(join(serverDir, "chunks"))
		.filter((name) => name.endsWith(".mjs"))
		.map((name) => join(serverDir, "chunks", name));
	const entries = readdirSync(serverDir)
		.filter((name) => name.endsWith(".mjs") && name !== "entry.mjs")
		.map((name) => join(serverDir, name));
	return {
		...options,
		name: WEB_WORKER,
		modulesRoot: serverDir,
		modules: [join(serverDir, "entry.mjs"), ...entries, ...chunks].map((path) => ({ type: "ESModule", path })),
	};
}
