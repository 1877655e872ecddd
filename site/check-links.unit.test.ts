import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLinks, pagePath } from "./check-links.ts";
import { contentSecurityPolicy, hrefsOf, idsOf, inlineScripts, scriptHash } from "./html.ts";

const ORIGIN = "https://docs.example.test";
let root: string;

function page(path: string, html: string): void {
	const file = join(root, path);
	mkdirSync(dirname(file), { recursive: true });
	writeFileSync(file, html);
}

beforeAll(() => {
	root = mkdtempSync(join(tmpdir(), "docs-links-"));
	page(
		"index.html",
		`<link rel="canonical" href="${ORIGIN}/gone/"><link rel="stylesheet" href="/_astro/a.css">
		<a href="/guides/one/">ok</a> <a href="guides/one/#setup">ok anchor</a> <a href="#top">self</a>
		<a href="/guides/missing/">missing page</a> <a href="/guides/one/#nowhere">missing anchor</a>
		<a href="${ORIGIN}/guides/one/">own origin</a> <a href="https://developers.cloudflare.com/d1/">out</a>
		<a href="mailto:ops@example.test">mail</a> <h1 id="top">Home</h1>`,
	);
	page("guides/one/index.html", `<h2 id="setup">Setup</h2><a href="../../">up</a><a href="/404.html">404</a>`);
	page("404.html", "<p>not found</p>");
	page("_astro/a.css", "body{}");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the link check", () => {
	it("finds the missing page and the missing anchor, and nothing else", () => {
		const report = checkLinks(root, ORIGIN);
		expect(report.pages).toBe(3);
		expect(report.broken).toEqual([
			{ page: "/", href: "/guides/missing/", reason: "missing_page" },
			{ page: "/", href: "/guides/one/#nowhere", reason: "missing_anchor" },
		]);
	});

	it("lists links to other sites without checking them, and skips canonical links", () => {
		const report = checkLinks(root, ORIGIN);
		expect(report.external).toEqual(["https://developers.cloudflare.com/d1/", "mailto:ops@example.test"]);
		expect(report.checked).toBe(9);
	});

	it("names pages by the URL path they are served at", () => {
		expect(pagePath(root, join(root, "guides/one/index.html"))).toBe("/guides/one/");
		expect(pagePath(root, join(root, "index.html"))).toBe("/");
		expect(pagePath(root, join(root, "404.html"))).toBe("/404.html");
	});
});

describe("reading the built HTML", () => {
	it("finds inline scripts but not external ones, hashed as CSP source expressions", () => {
		const html = `<script>a()</script><script type="module" src="/x.js"></script><script type="module">b()</script>`;
		expect(inlineScripts(html)).toEqual(["a()", "b()"]);
		// sha256("a()") in base64.
		expect(scriptHash("a()")).toBe("'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='");
	});

	it("writes one hash per distinct script into script-src, and the edge's other defaults", () => {
		const policy = contentSecurityPolicy(["'sha256-b'", "'sha256-a'", "'sha256-b'"]);
		expect(policy).toContain("script-src 'self' 'sha256-a' 'sha256-b';");
		expect(policy).toContain("frame-ancestors 'none'");
		expect(policy).toContain("object-src 'none'");
	});

	it("decodes attributes and reads ids", () => {
		expect(hrefsOf(`<a class="x" href="/a/?q=1&amp;r=2">`)).toEqual(["/a/?q=1&r=2"]);
		expect([...idsOf(`<h2 id="a&amp;b"></h2><div id='c'></div>`)]).toEqual(["a&b", "c"]);
	});
});
