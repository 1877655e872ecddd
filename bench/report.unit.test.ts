/**
 * The web pages' part of the report (bench/report.ts): the table says pass or which target a page
 * missed, and `--only pages` replaces its own block of docs/performance.md and `web_pages` in
 * `results.json` while everything else in both stays as the last full run wrote it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FCP_BUDGET_MS, JS_BUDGET_BYTES, pageWeight, summarizeLoads, verdict } from "./page-weight.ts";
import type { PageFigures, WebPagesResult } from "./pages.ts";
import { pagesTable, splice, writePagesResults } from "./report.ts";

const html = new TextEncoder().encode("<!doctype html><h1>Listing</h1>");
const weight = pageWeight([{ url: "http://localhost/listings/x", type: "document", body: html, afterLoad: false }]);

function page(name: string, jsGz: number, fcp: number): PageFigures {
	const timings = summarizeLoads([{ fcp_ms: fcp, ttfb_ms: 5, dom_content_loaded_ms: 40, load_ms: 50 }]);
	const targets = { js_gz_max_bytes: JS_BUDGET_BYTES, fcp_p50_max_ms: FCP_BUDGET_MS };
	const heavy = { ...weight, js_gz_bytes: jsGz };
	return {
		name,
		path: `/${name}`,
		as: "guest",
		status: 200,
		heading: "Listing | one",
		listing_links: 0,
		...heavy,
		...timings,
		targets,
		verdict: verdict(200, heavy, timings, targets),
	};
}

const result = (pages: PageFigures[], at = "2026-12-01T00:00:00.000Z"): WebPagesResult => ({
	generated_at: at,
	command: "npm run bench -- --only pages",
	machine: { cores: 2, cpu_model: "test", node: "22", workerd: "1" },
	description: "test",
	viewport: { width: 1280, height: 900 },
	loads_per_page: 1,
	pages,
});

describe("pagesTable", () => {
	it("passes a page within its targets and names the target a page missed", () => {
		const rows = pagesTable(result([page("listing", 1_000, 120), page("search", 70_000, 1_500)])).split("\n");
		expect(rows).toHaveLength(4);
		expect(rows[2]).toMatch(/\| pass \|$/);
		expect(rows[3]).toMatch(/\| \*\*fail\*\* \(JS, FCP\) \|$/);
		expect(rows[2]).toContain("Listing \\| one");
	});
});

describe("splice", () => {
	it("replaces what is between the markers, or appends the block when they are missing", () => {
		expect(splice("a <!--s-->old<!--e--> b", "<!--s-->", "<!--e-->", "<!--s-->new<!--e-->")).toBe(
			"a <!--s-->new<!--e--> b",
		);
		expect(splice("a\n\n", "<!--s-->", "<!--e-->", "<!--s-->new<!--e-->")).toBe("a\n\n<!--s-->new<!--e-->\n");
	});
});

describe("writePagesResults", () => {
	it("replaces the pages' numbers and keeps the last full run's", () => {
		const dir = mkdtempSync(join(tmpdir(), "bench-report-"));
		const json = join(dir, "results.json");
		const doc = join(dir, "performance.md");
		writeFileSync(json, JSON.stringify({ command: "npm run bench", scenarios: { healthz: { rps: 1 } } }));
		writeFileSync(doc, "# Performance\n\nprose\n");
		writePagesResults(result([page("listing", 1_000, 120)]), json, doc);
		writePagesResults(result([page("listing", 2_000, 130)], "2026-12-02T00:00:00.000Z"), json, doc);
		const written = JSON.parse(readFileSync(json, "utf8"));
		expect(written.scenarios).toEqual({ healthz: { rps: 1 } });
		expect(written.web_pages.pages[0].js_gz_bytes).toBe(2_000);
		const text = readFileSync(doc, "utf8");
		expect(text.startsWith("# Performance\n\nprose\n")).toBe(true);
		expect(text.match(/bench:pages:start/g)).toHaveLength(1);
		expect(text).toContain("Generated 2026-12-02T00:00:00.000Z");
		expect(text).not.toContain("2026-12-01T00:00:00.000Z");
	});
});
