/**
 * The built site's link check (run by site/site.unit.test.ts right after the build): every
 * `href` in every page that points into the site must name a file the build wrote, and its
 * `#fragment`, if any, an `id` on that page. Links to other sites are collected, never fetched
 * (the check runs offline and must not fail because someone else's page moved); the test lists
 * them, so a reviewer sees every place the docs send a reader.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { hrefsOf, idsOf } from "./html.ts";

export interface BrokenLink {
	/** The page the link is on, as its URL path (`/guides/webhooks/`). */
	page: string;
	href: string;
	reason: "missing_page" | "missing_anchor";
}

export interface LinkReport {
	pages: number;
	/** Internal links checked (with repeats). */
	checked: number;
	broken: BrokenLink[];
	/** Every distinct link to another site, sorted. */
	external: string[];
}

function htmlFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return htmlFiles(path);
		return name.endsWith(".html") ? [path] : [];
	});
}

/** `guides/webhooks/index.html` → `/guides/webhooks/`; `404.html` → `/404.html`. */
export function pagePath(root: string, file: string): string {
	const path = `/${relative(root, file).split(sep).join("/")}`;
	return path.endsWith("/index.html") ? path.slice(0, -"index.html".length) : path;
}

/** The built file a URL path is served from, or null when the build has none. */
function fileFor(root: string, path: string): string | null {
	const decoded = decodeURIComponent(path);
	const candidates = decoded.endsWith("/")
		? [join(root, decoded, "index.html")]
		: [join(root, decoded), join(root, decoded, "index.html")];
	return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? null;
}

/**
 * `siteOrigin` is the site's own address (astro.config.mjs `site`): canonical links name it, and
 * they are checked like relative ones.
 */
export function checkLinks(root: string, siteOrigin: string): LinkReport {
	const files = htmlFiles(root);
	const idCache = new Map<string, Set<string>>();
	const idsIn = (file: string) => {
		let ids = idCache.get(file);
		if (!ids) {
			ids = idsOf(readFileSync(file, "utf8"));
			idCache.set(file, ids);
		}
		return ids;
	};
	const broken: BrokenLink[] = [];
	const external = new Set<string>();
	let checked = 0;
	for (const file of files) {
		const page = pagePath(root, file);
		const base = new URL(page, siteOrigin);
		for (const href of hrefsOf(readFileSync(file, "utf8"))) {
			const url = new URL(href, base);
			if (url.origin !== base.origin) {
				external.add(href);
				continue;
			}
			checked++;
			const target = fileFor(root, url.pathname);
			if (target === null) {
				broken.push({ page, href, reason: "missing_page" });
				continue;
			}
			const fragment = decodeURIComponent(url.hash.slice(1));
			if (fragment !== "" && target.endsWith(".html") && !idsIn(target).has(fragment)) {
				broken.push({ page, href, reason: "missing_anchor" });
			}
		}
	}
	return { pages: files.length, checked, broken, external: [...external].sort() };
}
