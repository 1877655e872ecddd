/**
 * The documentation site as built: `astro build` runs once (scripts/docs-site.ts, skipped while
 * its inputs are unchanged), then every internal link and anchor of every page must resolve, every
 * external link must go to a host the docs are meant to send readers to (they are listed, never
 * fetched), the CSP must hash every inline script, and the site must be deployed and bound where
 * the edge expects it. The scale plan's figures must be the model's.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { deploySteps } from "../scripts/deploy-plan.ts";
import { buildDocsSite, DOCS_DIST, DOCS_WORKER, writeHeaders } from "../scripts/docs-site.ts";
import { checkLinks } from "./check-links.ts";
import { inlineScripts, scriptHash } from "./html.ts";
import { DEMO_MIX, SCALES } from "./scale/model.ts";
import { figure } from "./scale/report.ts";
import { simulate } from "./scale/simulate.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SITE_ORIGIN = "https://docs.techflunky.com";
/** Where the docs may send a reader; a new host fails here until someone adds it on purpose. */
const EXTERNAL_HOSTS = [
	"developers.cloudflare.com",
	"docs.stripe.com",
	"developers.mailersend.com",
	"www.rfc-editor.org",
	"starlight.astro.build",
];

beforeAll(async () => {
	await buildDocsSite();
}, 240_000);

describe("the built site", () => {
	it("has no internal link or anchor that resolves to nothing", () => {
		const report = checkLinks(DOCS_DIST, SITE_ORIGIN);
		expect(report.pages).toBeGreaterThan(40);
		expect(report.checked).toBeGreaterThan(1_000);
		expect(report.broken).toEqual([]);
	});

	it("links out only to the hosts it means to", () => {
		const { external } = checkLinks(DOCS_DIST, SITE_ORIGIN);
		const hosts = new Set(external.map((href) => new URL(href).host));
		expect([...hosts].filter((host) => !EXTERNAL_HOSTS.includes(host))).toEqual([]);
		expect(hosts).toContain("developers.cloudflare.com");
	});

	it("has every section of the sidebar, and the reference for the contract", () => {
		const home = readFileSync(join(DOCS_DIST, "index.html"), "utf8");
		for (const section of ["Getting started", "Architecture", "Guides", "Operations", "API reference", "Scale"]) {
			expect(home, section).toContain(section);
		}
		expect(readFileSync(join(DOCS_DIST, "api/operations/login/index.html"), "utf8")).toContain("/api/v1/auth/login");
	});

	it("allows exactly the inline scripts it has in its Content-Security-Policy", () => {
		const policy = writeHeaders();
		const home = readFileSync(join(DOCS_DIST, "index.html"), "utf8");
		const scripts = inlineScripts(home);
		expect(scripts.length).toBeGreaterThan(0);
		for (const script of scripts) expect(policy).toContain(scriptHash(script));
		expect(readFileSync(join(DOCS_DIST, "_headers"), "utf8")).toContain(`Content-Security-Policy: ${policy}`);
		expect(policy).not.toContain("'unsafe-inline' 'sha");
		expect(policy).toMatch(/^default-src 'self'; script-src 'self' 'sha256-/);
	});
});

describe("where the site runs", () => {
	it("is deployed before the dispatch Worker that forwards to it", () => {
		const workers = deploySteps.map((step) => step.worker);
		expect(workers).toContain(DOCS_WORKER);
		expect(workers.indexOf(DOCS_WORKER)).toBeLessThan(workers.indexOf("techflunky-dispatch"));
		const step = deploySteps.find((s) => s.worker === DOCS_WORKER);
		expect(step?.args).toEqual(["deploy", "-c", "site/wrangler.toml"]);
	});

	it("is bound as DOCS to the dispatch Worker locally and in production", () => {
		const config = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
		const binding = `binding = "DOCS"\nservice = "${DOCS_WORKER}"`;
		expect(config).toContain(`[[services]]\n${binding}`);
		expect(config).toContain(`[[env.production.services]]\n${binding}`);
		expect(readFileSync(join(ROOT, "site/wrangler.toml"), "utf8")).toContain(`name = "${DOCS_WORKER}"`);
		expect(readFileSync(join(ROOT, "scripts/start.ts"), "utf8")).toContain('"site/wrangler.toml"');
	});
});

describe("the scale chapter", () => {
	it("names, in its plan, the factor at which the model reaches each limit", () => {
		const plan = readFileSync(join(import.meta.dirname, "src/content/docs/scale/plan.md"), "utf8");
		const [row] = simulate(DEMO_MIX, SCALES);
		for (const id of [
			"d1_size_year",
			"d1_primary",
			"queue_backoffice_jobs",
			"queue_offer_events",
			"edge_limiter_shard",
			"stripe_live",
		]) {
			const use = row?.uses.find((u) => u.limit.id === id);
			expect(plan, id).toContain(`${figure(use?.reachedAt ?? 0)}×`);
		}
	});
});
