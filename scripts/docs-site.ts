/**
 * Building the documentation site (site/, Astro + Starlight) and loading it as a Worker. The site
 * is static: `astro build` writes HTML to site/dist/, which the `techflunky-docs` Worker
 * (site/wrangler.toml) serves as static assets; the dispatch Worker forwards `docs.<ROOT_DOMAIN>`
 * to it (`DOCS`). Before every build the OpenAPI document is written from the contract
 * (shared/contract/document.ts) to site/.generated/openapi.json (git-ignored), which the API
 * reference pages are generated from, so no stale copy is ever committed. The scale chapter's
 * tables are generated from site/scale/ the same way, and after the build the CSP with the hash of
 * every inline script goes into site/dist/_headers. Like the web app's build (./web-app.ts), a
 * build is skipped while it is current (here: its stamp names the same generated inputs and no
 * file of site/ is newer), so `npm start`, the link check and the e2e topology build once.
 *
 * Trade-off: the stamp follows the OpenAPI document's content, not shared/'s files, so the many
 * changes in shared/ that leave the contract as it is rebuild nothing; computing the document
 * costs a few hundred milliseconds per check.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { openApiDocument } from "../shared/contract/document.ts";
import { contentSecurityPolicy, inlineScripts, scriptHash } from "../site/html.ts";
import { costsMarkdown, scaleMarkdown } from "../site/scale/report.ts";

const ROOT = resolve(import.meta.dirname, "..");
export const SITE_DIR = join(ROOT, "site");
/** Where the site is built: site/dist, or `TECHFLUNKY_DOCS_DIST` (absolute) for side-by-side runs. */
export const DOCS_DIST = process.env.TECHFLUNKY_DOCS_DIST ?? join(SITE_DIR, "dist");
export const DOCS_CONFIG = join(SITE_DIR, "wrangler.toml");
export const DOCS_WORKER = "techflunky-docs";
const GENERATED = join(SITE_DIR, ".generated");
export const OPENAPI_JSON = join(GENERATED, "openapi.json");
/** The scale chapter's generated tables, included by site/src/content/docs/scale/{costs,simulation}.mdx. */
export const SCALE_TABLE = join(GENERATED, "scale-table.md");
export const SCALE_COSTS = join(GENERATED, "scale-costs.md");

const SKIP = new Set(["dist", "node_modules", ".astro", ".generated"]);

/** Newest modification time of the site's own sources (pages, samples, config, scale model). */
function newest(path: string): number {
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let latest = stat.mtimeMs;
	for (const name of readdirSync(path)) {
		if (SKIP.has(name)) continue;
		latest = Math.max(latest, newest(join(path, name)));
	}
	return latest;
}

function htmlFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return htmlFiles(path);
		return name.endsWith(".html") ? [path] : [];
	});
}

/** What the generated pages are made from: the OpenAPI document and the scale table. */
function generatedInputs(): { openapi: string; scale: string; costs: string } {
	return {
		openapi: `${JSON.stringify(openApiDocument(), null, "\t")}\n`,
		scale: scaleMarkdown(),
		costs: costsMarkdown(),
	};
}

/**
 * The build's stamp, beside the generated inputs: which inputs it was made from. The contract
 * lives in shared/, which changes far more often than the document it yields, so a build is stale
 * when the document (not any file of shared/) differs, or when a file of site/ is newer.
 */
const STAMP = join(GENERATED, `build-${createHash("sha256").update(DOCS_DIST).digest("hex").slice(0, 12)}.json`);

function digest(inputs: { openapi: string; scale: string; costs: string }): string {
	const lock = existsSync(join(ROOT, "package-lock.json")) ? readFileSync(join(ROOT, "package-lock.json")) : "";
	return createHash("sha256")
		.update(inputs.openapi)
		.update(inputs.scale)
		.update(inputs.costs)
		.update(lock)
		.digest("hex");
}

function isCurrent(inputs: string): boolean {
	if (!existsSync(STAMP) || !existsSync(join(DOCS_DIST, "index.html"))) return false;
	const stamp = JSON.parse(readFileSync(STAMP, "utf8")) as { inputs?: string };
	return stamp.inputs === inputs && newest(SITE_DIR) <= statSync(STAMP).mtimeMs;
}

/**
 * `_headers` (Workers static assets' header rules, read by Miniflare too): the Content-Security-
 * Policy with the hash of every inline script the build wrote, which the dispatch Worker keeps
 * over its default (workers/dispatch/middleware/docs-site.ts). Written after `astro build`, since
 * the hashes are of its output.
 */
export function writeHeaders(dist = DOCS_DIST): string {
	const hashes = htmlFiles(dist).flatMap((file) => inlineScripts(readFileSync(file, "utf8")).map(scriptHash));
	const policy = contentSecurityPolicy(hashes);
	writeFileSync(join(dist, "_headers"), `/*\n  Content-Security-Policy: ${policy}\n`);
	return policy;
}

const LOCK = join(GENERATED, "build.lock");
/** A lock older than this is left over from a build that died. */
const STALE_LOCK_MS = 5 * 60_000;

/**
 * One build at a time across processes (test projects run in parallel and several may start a
 * topology): a lock directory, `mkdir` being atomic. Whoever waited re-checks whether the build
 * it waited for is the one it needs.
 */
async function withLock<T>(run: () => Promise<T>): Promise<T> {
	mkdirSync(GENERATED, { recursive: true });
	for (;;) {
		try {
			mkdirSync(LOCK);
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
			if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
			else await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
	try {
		return await run();
	} finally {
		rmSync(LOCK, { recursive: true, force: true });
	}
}

async function build(force: boolean): Promise<void> {
	await withLock(async () => {
		const inputs = generatedInputs();
		const stamp = digest(inputs);
		if (!force && isCurrent(stamp)) return;
		writeFileSync(OPENAPI_JSON, inputs.openapi);
		writeFileSync(SCALE_TABLE, inputs.scale);
		writeFileSync(SCALE_COSTS, inputs.costs);
		await promisify(execFile)(join(ROOT, "node_modules/.bin/astro"), ["build"], {
			cwd: SITE_DIR,
			env: {
				...process.env,
				NODE_ENV: "production",
				ASTRO_TELEMETRY_DISABLED: "1",
				TECHFLUNKY_DOCS_DIST: DOCS_DIST,
				TECHFLUNKY_OPENAPI_JSON: OPENAPI_JSON,
			},
			maxBuffer: 32 * 1024 * 1024,
		});
		writeHeaders();
		writeFileSync(STAMP, JSON.stringify({ inputs: stamp }));
	});
}

let building: Promise<void> | undefined;

/** `astro build` in site/, unless the build there is up to date (or `force`). */
export function buildDocsSite(options: { force?: boolean } = {}): Promise<void> {
	building ??= build(options.force ?? false).finally(() => {
		building = undefined;
	});
	return building;
}

/**
 * The docs Worker as Miniflare (v4-shaped) options for the test topology: the static assets and
 * their handling as site/wrangler.toml has them, from the folder this process built.
 */
export async function docsWorkerOptions(): Promise<Record<string, unknown>> {
	await buildDocsSite();
	const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
	const {
		rootPath: _root,
		modulesRules: _rules,
		assets,
		...options
	} = unstable_getMiniflareWorkerOptions(DOCS_CONFIG).workerOptions;
	return {
		...options,
		name: DOCS_WORKER,
		modules: true,
		// Assets only: the router answers every request (has_user_worker: false), this script never.
		script: "export default { fetch() { return new Response(null, { status: 404 }); } };",
		assets: { ...(assets as Record<string, unknown>), directory: DOCS_DIST },
	};
}
