/**
 * What the docs build needs to know about its own HTML, read with regular expressions rather than
 * a parser: the pages are Astro's output, so the markup is regular and well-formed, and a missed
 * case shows up as a failing link check or a script the browser refuses (the e2e test opens the
 * site through the edge). Pure: text in, values out.
 */
import { createHash } from "node:crypto";

/** The text of every inline `<script>` (one without `src`), in order. */
export function inlineScripts(html: string): string[] {
	const scripts: string[] = [];
	for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
		const attributes = match[1] ?? "";
		if (/\ssrc\s*=/i.test(attributes)) continue;
		scripts.push(match[2] ?? "");
	}
	return scripts;
}

/** A CSP source expression for an inline script: `'sha256-…'` of its exact text. */
export function scriptHash(text: string): string {
	return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * The site's Content-Security-Policy: the edge's defaults, scripts from the site itself or by the
 * hash of each inline one, and inline styles (Expressive Code colours tokens with `style`
 * attributes; the site shows no user content, so there is nothing to inject styles into).
 */
export function contentSecurityPolicy(hashes: Iterable<string>): string {
	return [
		"default-src 'self'",
		`script-src 'self' ${[...new Set(hashes)].sort().join(" ")}`.trim(),
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"frame-ancestors 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"object-src 'none'",
	].join("; ");
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&quot;": '"', "&#39;": "'", "&lt;": "<", "&gt;": ">" };

function decode(value: string): string {
	return value.replace(/&(?:amp|quot|#39|lt|gt);/g, (entity) => ENTITIES[entity] ?? entity);
}

/**
 * Every `href` of an `<a>` or `<link>` element, decoded, in order; not `rel="canonical"`, which
 * names the page itself (the 404 page's names a `/404/` no one is sent to).
 */
export function hrefsOf(html: string): string[] {
	const hrefs: string[] = [];
	for (const element of html.matchAll(/<(?:a|link)\b[^>]*>/gi)) {
		const tag = element[0];
		if (/\srel\s*=\s*["']?canonical/i.test(tag)) continue;
		const match = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
		if (match) hrefs.push(decode(match[1] ?? match[2] ?? ""));
	}
	return hrefs;
}

/** Every `id` in the page (what a `#fragment` may name). */
export function idsOf(html: string): Set<string> {
	const ids = new Set<string>();
	for (const match of html.matchAll(/\sid\s*=\s*(?:"([^"]*)"|'([^']*)')/gi))
		ids.add(decode(match[1] ?? match[2] ?? ""));
	return ids;
}
