/**
 * The web app in a real browser (headless Chromium from @sparticuz/chromium, which ships the
 * browser inside the npm package) against the local topology: public pages are rendered on the
 * server with their data, search and the listing page work, a new buyer signs up through the
 * form and is signed in by the `__Host-session` cookie alone (nothing in `localStorage`), signs
 * out and back in; the pages run under their Content-Security-Policy, and axe-core finds no serious or
 * critical violation on the main pages at phone and desktop widths. Screenshots go to
 * .artifacts/screenshots/ (git-ignored).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import chromium from "@sparticuz/chromium";
import { type Browser, type BrowserContext, chromium as playwright } from "playwright-core";
import { fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSecrets } from "../topology/secrets.ts";
import { startTopology, type Topology } from "../topology/topology.ts";
import { type Account, E2eClient, freshIp } from "./client.ts";

const SCREENSHOTS = resolve(import.meta.dirname, "../../.artifacts/screenshots");
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** In the listing's title, so a search finds this file's listing only. */
const WORD = `lumen${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const TITLE = `Invoicely ${WORD}`;

let topology: Topology;
let client: E2eClient;
let browser: Browser;
let seller: Account;
let listingId: string;
let origin: string;

beforeAll(async () => {
	mkdirSync(SCREENSHOTS, { recursive: true });
	const [started, launched] = await Promise.all([
		startTopology({ secrets: testSecrets() }),
		chromium.executablePath().then((executablePath) =>
			// Not @sparticuz/chromium's own `args`: they turn web security off and run one process.
			playwright.launch({ executablePath, args: ["--no-sandbox"], headless: true }),
		),
	]);
	topology = started;
	browser = launched;
	client = new E2eClient(topology.url.port);
	origin = client.origin();
	seller = await client.register("seller");
	const listing = await client.listing(seller, {
		title: TITLE,
		summary: "Invoicing for small agencies",
		description: "Six years old, 300 paying customers.",
		metrics: { mrr_cents: 1_250_000, monthly_visitors: 42_000 },
		tech_stack: ["TypeScript", "Postgres"],
	});
	listingId = listing.id;
});

afterAll(async () => {
	await browser?.close();
	await client?.close();
	await topology?.dispose();
});

/** A browser context posing as one client address (the API's per-address buckets see one visitor). */
function visitor(options: { width?: number; bypassCSP?: boolean } = {}): Promise<BrowserContext> {
	return browser.newContext({
		viewport: { width: options.width ?? 1280, height: 900 },
		extraHTTPHeaders: { "CF-Connecting-IP": freshIp() },
		bypassCSP: options.bypassCSP ?? false,
	});
}

/** Console errors and refused scripts of every page in `context`. */
function collectErrors(context: BrowserContext): string[] {
	const errors: string[] = [];
	context.on("page", (page) => {
		page.on("console", (message) => {
			if (message.type() === "error") errors.push(message.text());
		});
		page.on("pageerror", (error) => errors.push(error.message));
	});
	return errors;
}

describe("public pages", () => {
	it("renders the newest listings into the home page's HTML, before any script runs", async () => {
		const res = await undiciFetch(`${topology.url.origin}/`, {
			headers: { Host: `localhost:${topology.url.port}`, "CF-Connecting-IP": freshIp() },
		});
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
		expect(res.headers.get("Content-Security-Policy")).toMatch(/script-src 'self'/);
		const html = await res.text();
		expect(html).toContain(TITLE);
		expect(html).toContain(`href="/listings/${listingId}"`);
	});

	it("lets a visitor find the listing by search and open its page, under the pages' CSP", async () => {
		const context = await visitor();
		const errors = collectErrors(context);
		const page = await context.newPage();
		await page.goto(`${origin}/`);
		await expect.poll(() => page.getByRole("link", { name: TITLE }).count()).toBe(1);
		await page.getByRole("searchbox", { name: "Search listings" }).fill(WORD);
		await page.getByRole("button", { name: "Search" }).click();
		await page.waitForURL(/\/search\?q=/);
		const result = page.getByRole("link", { name: TITLE });
		expect(await result.count()).toBe(1);
		await result.click();
		await page.waitForURL(`${origin}/listings/${listingId}`);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(TITLE);
		expect(await page.getByText("$12,500").count()).toBeGreaterThan(0);
		expect(errors).toEqual([]);
		await context.close();
	});

	it("answers a page that does not exist with the app's 404 page, and an unknown API path with a problem", async () => {
		const context = await visitor();
		const page = await context.newPage();
		const missing = await page.goto(`${origin}/listings/lst_00000000000000000000000000000000`);
		expect(missing?.status()).toBe(404);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Listing not found");
		const api = await page.goto(`${origin}/api/v1/nothing-here`);
		expect(api?.status()).toBe(404);
		expect(api?.headers()["content-type"]).toMatch(/application\/problem\+json/);
		await context.close();
	});
});

describe("signing up, in and out", () => {
	it("shows the API's field errors at the fields", async () => {
		const context = await visitor();
		const page = await context.newPage();
		await page.goto(`${origin}/sign-up`);
		await page.getByLabel("Your name").fill("Short Password");
		await page.getByLabel("Email").fill(`short-${WORD}@example.test`);
		await page.getByLabel("Password").fill("short");
		await page.getByRole("button", { name: "Create account" }).click();
		const password = page.getByLabel("Password");
		await expect.poll(() => password.getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#error-password").textContent()).toMatch(/at least 12 characters/);
		expect(await page.getByRole("alert").first().textContent()).not.toBe("");
		await context.close();
	});

	it("signs a new buyer up through the form with the session cookie only, signs them out and in again", async () => {
		const context = await visitor();
		const errors = collectErrors(context);
		const page = await context.newPage();
		await page.goto(`${origin}/sign-up`);
		await page.getByLabel("Your name").fill("Bea Buyer");
		await page.getByLabel("Email").fill(`bea-${WORD}@example.test`);
		await page.getByLabel("Password").fill("correct horse battery staple");
		expect(await page.getByRole("radio", { name: /Buyer/ }).isChecked()).toBe(true);
		await page.getByRole("button", { name: "Create account" }).click();
		await page.waitForURL(`${origin}/`);
		await expect.poll(() => page.getByText("Signed in as").count()).toBe(1);
		expect(await page.locator("header").textContent()).toContain("Bea Buyer");

		const cookies = await context.cookies(origin);
		const session = cookies.find((cookie) => cookie.name === "__Host-session");
		expect(session).toMatchObject({ httpOnly: true, secure: true, path: "/" });
		const stored = await page.evaluate(() => ({
			local: Object.entries(localStorage),
			session: Object.entries(sessionStorage),
			cookie: document.cookie,
		}));
		expect(stored).toEqual({ local: [], session: [], cookie: "" });
		await page.screenshot({ path: join(SCREENSHOTS, "home-signed-in-1280.png"), fullPage: true });

		await page.getByRole("button", { name: "Sign out" }).click();
		await expect.poll(() => page.getByRole("link", { name: "Sign in" }).count()).toBe(1);
		expect((await context.cookies(origin)).some((cookie) => cookie.name === "__Host-session")).toBe(false);

		await page.getByRole("link", { name: "Sign in" }).click();
		await page.waitForURL(`${origin}/sign-in`);
		await page.getByLabel("Email").fill(`bea-${WORD}@example.test`);
		await page.getByLabel("Password").fill("correct horse battery staple");
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.waitForURL(`${origin}/`);
		await expect.poll(() => page.getByText("Signed in as").count()).toBe(1);
		expect(errors).toEqual([]);
		await context.close();
	});
});

describe("accessibility", () => {
	const pages = () => [
		{ name: "home", path: "/" },
		{ name: "search", path: `/search?q=${WORD}` },
		{ name: "listing", path: `/listings/${listingId}` },
		{ name: "sign-in", path: "/sign-in" },
	];

	for (const width of [390, 1280]) {
		it(`finds no serious or critical axe violations on the main pages at ${width} px`, async () => {
			// axe is injected as an inline script, which the pages' own CSP rightly refuses.
			const context = await visitor({ width, bypassCSP: true });
			const page = await context.newPage();
			const found: Record<string, unknown[]> = {};
			for (const { name, path } of pages()) {
				const res = await page.goto(`${origin}${path}`);
				expect(res?.status(), path).toBe(200);
				await page.addScriptTag({ content: AXE_SOURCE });
				const violations = await page.evaluate(async () => {
					const axe = (
						window as unknown as {
							axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }> };
						}
					).axe;
					const result = await axe.run();
					return result.violations
						.filter((violation) => violation.impact === "serious" || violation.impact === "critical")
						.map((violation) => ({
							id: violation.id,
							impact: violation.impact,
							targets: violation.nodes.map((node) => node.target),
						}));
				});
				if (violations.length > 0) found[name] = violations;
				await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
			}
			expect(found).toEqual({});
			await context.close();
		});
	}
});
