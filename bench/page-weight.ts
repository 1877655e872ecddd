/**
 * What a page weighs and how fast it paints, from what the browser fetched and timed: the pure
 * half of the `web_pages` scenario (bench/pages.ts drives the browser). Every body is gzipped
 * here with node:zlib at its default level, because the local server sends bodies uncompressed
 * and Cloudflare compresses at the edge: the gzip figures are what a visitor would download,
 * give or take the edge's own level (Brotli is smaller still).
 *
 * JavaScript "before interaction" is every script the page fetched before it went idle with
 * nobody touching it: `<script src>`, module imports and modulepreloads, and the hydration
 * chunks Astro's islands import after the load event (`client:load`, and `client:visible` for
 * islands in the first viewport), plus the inline scripts in the HTML. Inline scripts are gzipped
 * one by one although they travel inside the HTML's own gzip: that overstates them by a few
 * dozen bytes each, which errs on the side of the budget.
 */
import { gzipSync } from "node:zlib";
import { percentile, round } from "./stats.ts";

/** One response the page received, as the scenario saw it. */
export interface PageResource {
	url: string;
	/** Playwright's `request.resourceType()`: `document`, `script`, `stylesheet`, `fetch`, `image`, … */
	type: string;
	body: Uint8Array;
	/** Its fetch started after the page's load event (an island's hydration chunk, a late fetch). */
	afterLoad: boolean;
}

/** One external script: where it came from (path only) and what it weighs. */
export interface ScriptWeight {
	path: string;
	bytes: number;
	gz_bytes: number;
	after_load: boolean;
}

export interface PageWeight {
	html_bytes: number;
	html_gz_bytes: number;
	/** External script files (each URL once). */
	js_files: number;
	/** Of those, the ones fetched after the load event. */
	js_files_after_load: number;
	/** External scripts' bytes plus inline scripts' bytes, uncompressed. */
	js_bytes: number;
	/** The same, each body gzipped on its own: the figure the 60 KB budget is about. */
	js_gz_bytes: number;
	inline_js_bytes: number;
	css_files: number;
	css_bytes: number;
	css_gz_bytes: number;
	/** Every response up to idle, the document included. */
	requests: number;
	/** The external scripts one by one, heaviest first: where a budget goes. */
	scripts: ScriptWeight[];
}

const INLINE_SCRIPT = /<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi;

/** The bodies of the HTML's inline scripts that run as JavaScript (not JSON or other data blocks). */
export function inlineScripts(html: string): string[] {
	const found: string[] = [];
	for (const [, attributes = "", body = ""] of html.matchAll(INLINE_SCRIPT)) {
		if (/\ssrc\s*=/i.test(attributes) || body.trim().length === 0) continue;
		const type = /\stype\s*=\s*["']?([^"'\s>]+)/i.exec(attributes)?.[1]?.toLowerCase();
		if (type !== undefined && type !== "module" && !type.includes("javascript")) continue;
		found.push(body);
	}
	return found;
}

export const gzipBytes = (body: Uint8Array | string) => gzipSync(body).length;

const utf8 = new TextEncoder();

/**
 * The page's weight from its responses. The first `document` response is the page; a URL seen
 * twice counts once (a cold context fetches each once; a retry would not ship twice).
 */
export function pageWeight(resources: readonly PageResource[]): PageWeight {
	const document = resources.find((resource) => resource.type === "document");
	if (!document) throw new Error("the page has no document response");
	const unique = [...new Map(resources.map((resource) => [resource.url, resource])).values()];
	const scripts = unique.filter((resource) => resource.type === "script");
	const styles = unique.filter((resource) => resource.type === "stylesheet");
	const inline = inlineScripts(new TextDecoder().decode(document.body)).map((body) => utf8.encode(body));
	const sum = (bodies: readonly Uint8Array[], size: (body: Uint8Array) => number) =>
		bodies.reduce((total, body) => total + size(body), 0);
	const scriptBodies = [...scripts.map((script) => script.body), ...inline];
	const styleBodies = styles.map((style) => style.body);
	return {
		html_bytes: document.body.length,
		html_gz_bytes: gzipBytes(document.body),
		js_files: scripts.length,
		js_files_after_load: scripts.filter((script) => script.afterLoad).length,
		js_bytes: sum(scriptBodies, (body) => body.length),
		js_gz_bytes: sum(scriptBodies, gzipBytes),
		inline_js_bytes: sum(inline, (body) => body.length),
		css_files: styles.length,
		css_bytes: sum(styleBodies, (body) => body.length),
		css_gz_bytes: sum(styleBodies, gzipBytes),
		requests: resources.length,
		scripts: scripts
			.map((script) => ({
				path: new URL(script.url).pathname,
				bytes: script.body.length,
				gz_bytes: gzipBytes(script.body),
				after_load: script.afterLoad,
			}))
			.sort((a, b) => b.gz_bytes - a.gz_bytes),
	};
}

/** One cold load's timings, in ms from the start of navigation (`null`: the browser reported none). */
export interface LoadTimings {
	fcp_ms: number | null;
	ttfb_ms: number;
	dom_content_loaded_ms: number;
	load_ms: number;
}

export interface TimingSummary {
	/** Loads measured, and how many of them reported a first contentful paint. */
	loads: number;
	painted: number;
	fcp_p50_ms: number | null;
	fcp_p95_ms: number | null;
	ttfb_p50_ms: number;
	dom_content_loaded_p50_ms: number;
	dom_content_loaded_p95_ms: number;
	load_p50_ms: number;
	load_p95_ms: number;
}

const nearest = (samples: readonly number[], p: number) => {
	const sorted = [...samples].sort((a, b) => a - b);
	return round(percentile(sorted, p), 1);
};

/** Medians and nearest-rank p95s over the cold loads of one page. */
export function summarizeLoads(loads: readonly LoadTimings[]): TimingSummary {
	if (loads.length === 0) throw new Error("no loads to summarise");
	const fcp = loads.flatMap((load) => (load.fcp_ms === null ? [] : [load.fcp_ms]));
	const ttfb = loads.map((load) => load.ttfb_ms);
	const dcl = loads.map((load) => load.dom_content_loaded_ms);
	const load = loads.map((sample) => sample.load_ms);
	return {
		loads: loads.length,
		painted: fcp.length,
		fcp_p50_ms: fcp.length === 0 ? null : nearest(fcp, 50),
		fcp_p95_ms: fcp.length === 0 ? null : nearest(fcp, 95),
		ttfb_p50_ms: nearest(ttfb, 50),
		dom_content_loaded_p50_ms: nearest(dcl, 50),
		dom_content_loaded_p95_ms: nearest(dcl, 95),
		load_p50_ms: nearest(load, 50),
		load_p95_ms: nearest(load, 95),
	};
}

/** The targets (issue 14): what the listing and search pages may ship, and when every page paints. */
export interface PageTargets {
	/** Gzipped JavaScript before interaction; absent where the issue sets no budget. */
	js_gz_max_bytes?: number;
	/** Median first contentful paint of a cold load. */
	fcp_p50_max_ms: number;
}

export const JS_BUDGET_BYTES = 60_000;
export const FCP_BUDGET_MS = 1_000;

export interface Verdict {
	/** The document answered 200. */
	ok: boolean;
	/** Within the JavaScript budget; `null` where the page has none. */
	js: boolean | null;
	fcp: boolean;
	pass: boolean;
}

/**
 * Whether a page meets its targets: it answered 200, ships no more gzipped JavaScript than its
 * budget, and painted on every load with a median within the paint target.
 */
export function verdict(status: number, weight: PageWeight, timings: TimingSummary, targets: PageTargets): Verdict {
	const ok = status === 200;
	const js = targets.js_gz_max_bytes === undefined ? null : weight.js_gz_bytes <= targets.js_gz_max_bytes;
	const fcp =
		timings.fcp_p50_ms !== null && timings.painted === timings.loads && timings.fcp_p50_ms <= targets.fcp_p50_max_ms;
	return { ok, js, fcp, pass: ok && js !== false && fcp };
}
