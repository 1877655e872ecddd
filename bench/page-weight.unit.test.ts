/**
 * The web pages' arithmetic (bench/page-weight.ts): which responses count as JavaScript and
 * stylesheets, that inline scripts count and data blocks do not, that bodies are gzipped as
 * node:zlib would, the nearest-rank summaries, and the verdict against the issue's targets.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
	FCP_BUDGET_MS,
	inlineScripts,
	JS_BUDGET_BYTES,
	type LoadTimings,
	type PageResource,
	pageWeight,
	summarizeLoads,
	verdict,
} from "./page-weight.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const resource = (type: string, url: string, body: string, afterLoad = false): PageResource => ({
	url,
	type,
	body: bytes(body),
	afterLoad,
});

const LOADER = "(()=>{customElements.define('astro-island',class extends HTMLElement{})})();";
const HTML = [
	"<!doctype html><html><head>",
	'<script type="module" src="/_astro/page.js"></script>',
	`<script>${LOADER}</script>`,
	'<script type="application/ld+json">{"@type":"Product"}</script>',
	"</head><body><main>hello</main></body></html>",
].join("");
const ISLAND = "export const island = () => 'x'.repeat(100);".repeat(40);

describe("inlineScripts", () => {
	it("keeps classic and module inline scripts and skips external scripts and data blocks", () => {
		const html = `${HTML}<script type="module">import "/a.js";</script><script type="text/javascript">1</script><script> </script>`;
		expect(inlineScripts(html)).toEqual([LOADER, 'import "/a.js";', "1"]);
	});
});

describe("pageWeight", () => {
	const resources = [
		resource("document", "http://localhost/", HTML),
		resource("stylesheet", "http://localhost/_astro/base.css", "body{margin:0}".repeat(20)),
		resource("script", "http://localhost/_astro/page.js", "console.log(1);"),
		resource("script", "http://localhost/_astro/island.js", ISLAND, true),
		resource("script", "http://localhost/_astro/island.js", ISLAND, true),
		resource("fetch", "http://localhost/api/v1/auth/session", "{}"),
	];
	const weight = pageWeight(resources);

	it("measures the document raw and gzipped", () => {
		expect(weight.html_bytes).toBe(bytes(HTML).length);
		expect(weight.html_gz_bytes).toBe(gzipSync(bytes(HTML)).length);
	});

	it("counts each script URL once, inline scripts included, and each body gzipped on its own", () => {
		expect(weight.js_files).toBe(2);
		expect(weight.js_files_after_load).toBe(1);
		expect(weight.inline_js_bytes).toBe(LOADER.length);
		expect(weight.js_bytes).toBe("console.log(1);".length + ISLAND.length + LOADER.length);
		const gz = (text: string) => gzipSync(bytes(text)).length;
		expect(weight.js_gz_bytes).toBe(gz("console.log(1);") + gz(ISLAND) + gz(LOADER));
		expect(weight.js_gz_bytes).toBeLessThan(weight.js_bytes);
	});

	it("lists the external scripts by path, heaviest first", () => {
		expect(weight.scripts).toEqual([
			{ path: "/_astro/island.js", bytes: ISLAND.length, gz_bytes: gzipSync(bytes(ISLAND)).length, after_load: true },
			{ path: "/_astro/page.js", bytes: 15, gz_bytes: gzipSync(bytes("console.log(1);")).length, after_load: false },
		]);
	});

	it("measures stylesheets apart from scripts and counts every response as a request", () => {
		expect(weight.css_files).toBe(1);
		expect(weight.css_bytes).toBe("body{margin:0}".length * 20);
		expect(weight.requests).toBe(resources.length);
	});

	it("refuses a load without a document", () => {
		expect(() => pageWeight([resource("script", "http://localhost/a.js", "1")])).toThrow(/no document/);
	});
});

const load = (fcp: number | null, extra = 0): LoadTimings => ({
	fcp_ms: fcp,
	ttfb_ms: 10 + extra,
	dom_content_loaded_ms: 50 + extra,
	load_ms: 60 + extra,
});

describe("summarizeLoads", () => {
	it("takes nearest-rank medians and p95s over the loads", () => {
		const loads = Array.from({ length: 20 }, (_, i) => load(100 + i, i));
		const summary = summarizeLoads(loads);
		expect(summary).toMatchObject({ loads: 20, painted: 20, fcp_p50_ms: 109, fcp_p95_ms: 118 });
		expect(summary).toMatchObject({ ttfb_p50_ms: 19, dom_content_loaded_p95_ms: 68, load_p50_ms: 69 });
	});

	it("counts loads that never painted and summarises the ones that did", () => {
		const summary = summarizeLoads([load(null), load(200), load(300)]);
		expect(summary).toMatchObject({ loads: 3, painted: 2, fcp_p50_ms: 200, fcp_p95_ms: 300 });
		expect(summarizeLoads([load(null)]).fcp_p50_ms).toBeNull();
	});
});

describe("verdict", () => {
	const budgeted = { js_gz_max_bytes: JS_BUDGET_BYTES, fcp_p50_max_ms: FCP_BUDGET_MS };
	const light = pageWeight([resource("document", "http://localhost/", HTML)]);
	const heavy = { ...light, js_gz_bytes: JS_BUDGET_BYTES + 1 };
	const fast = summarizeLoads([load(120), load(130)]);

	it("passes a page within its JavaScript budget that paints in time", () => {
		expect(verdict(200, light, fast, budgeted)).toEqual({ ok: true, js: true, fcp: true, pass: true });
	});

	it("fails a page over its JavaScript budget, and ignores the weight where there is no budget", () => {
		expect(verdict(200, heavy, fast, budgeted)).toMatchObject({ js: false, pass: false });
		expect(verdict(200, heavy, fast, { fcp_p50_max_ms: FCP_BUDGET_MS })).toMatchObject({ js: null, pass: true });
	});

	it("fails a page that paints late, misses a paint, or does not answer 200", () => {
		expect(verdict(200, light, summarizeLoads([load(1_500), load(1_200)]), budgeted)).toMatchObject({
			fcp: false,
			pass: false,
		});
		expect(verdict(200, light, summarizeLoads([load(100), load(null), load(100)]), budgeted).fcp).toBe(false);
		expect(verdict(404, light, fast, budgeted)).toMatchObject({ ok: false, pass: false });
	});
});
