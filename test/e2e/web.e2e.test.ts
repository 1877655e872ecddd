/**
 * The web app in a real browser (headless Chromium from @sparticuz/chromium, which ships the
 * browser inside the npm package) against the local topology: public pages are rendered on the
 * server with their data, search and the listing page work, a new buyer signs up through the
 * form and is signed in by the `__Host-session` cookie alone (nothing in `localStorage`), signs
 * out and back in; the pages run under their Content-Security-Policy, and axe-core finds no serious or
 * critical violation on the main pages at phone and desktop widths. Screenshots go to
 * .artifacts/screenshots/ (git-ignored).
 */
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loopbackAgent } from "../support/loopback.ts";
import { testSecrets } from "../topology/secrets.ts";
import { startTopology, type Topology } from "../topology/topology.ts";
import {
	auditPages,
	collectErrors,
	launchBrowser,
	visitor as newVisitor,
	SCREENSHOTS,
	type VisitorOptions,
} from "./browser.ts";
import { type Account, E2eClient, freshIp, verifyInDatabase } from "./client.ts";

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
	[topology, browser] = await Promise.all([startTopology({ secrets: testSecrets() }), launchBrowser()]);
	client = new E2eClient(topology.url.port, { verify: verifyInDatabase(topology.db) });
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

const visitor = (options: VisitorOptions = {}): Promise<BrowserContext> => newVisitor(browser, options);

describe("public pages", () => {
	it("renders the newest listings into the home page's HTML, before any script runs", async () => {
		const res = await undiciFetch(`${origin}/`, {
			dispatcher: loopbackAgent(),
			headers: { "CF-Connecting-IP": freshIp() },
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

		// The header's sign-out island hydrates when reached for: a signed-in search page loads no
		// script at all, and the first press on "Sign out" still signs out.
		const scripts: string[] = [];
		page.on("request", (request) => {
			if (request.resourceType() === "script") scripts.push(new URL(request.url()).pathname);
		});
		await page.goto(`${origin}/search?q=${WORD}`);
		await page.waitForLoadState("networkidle");
		expect(scripts).toEqual([]);
		await page.getByRole("button", { name: "Sign out" }).click();
		await expect.poll(() => page.getByRole("link", { name: "Sign in" }).count()).toBe(1);
		expect(scripts.length).toBeGreaterThan(0);
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
	it("finds no serious or critical axe violations on the public pages at phone and desktop widths", async () => {
		const found = await auditPages(
			(width) => visitor({ width, bypassCSP: true }),
			[
				{ name: "home", path: "/" },
				{ name: "search", path: `/search?q=${WORD}` },
				{ name: "listing", path: `/listings/${listingId}` },
				{ name: "sign-in", path: "/sign-in" },
				{ name: "sign-up", path: "/sign-up" },
			],
			origin,
		);
		expect(found).toEqual({});
	});
});
