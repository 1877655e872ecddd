/**
 * Storefronts and featured listings in a real browser against the local topology. A seller sets
 * up a storefront in the settings page (a reserved address refused at its field, one another
 * seller holds refused as taken, then saved and its address shown); a guest opens
 * `http://<slug>.localhost:<port>/` and sees the seller's published listings but not the draft,
 * follows one to its listing page on the apex, which shows the seller box with the way back to the
 * storefront; an unknown storefront is the page's 404. The home page grows a "Featured listings"
 * section once an admin (seeded, as `npm run admin:create` makes one) features a listing. axe
 * finds nothing serious on the storefront and the settings page at phone and desktop widths
 * (screenshots `storefront-*.png`, `storefront-settings-*.png`, `listing-seller-*.png`).
 *
 * Setup that is not what a test is about goes through the API; what it is about is done in the
 * page. Each test has its own seller and slug.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { testSecrets } from "../topology/secrets.ts";
import { auditPages, collectErrors, launchBrowser, visitor as newVisitor, signInContext } from "./browser.ts";
import { type Account, type E2eClient, expectStatus, type SignedInAdmin, topologyForFile } from "./client.ts";

const RUN = crypto.randomUUID().replaceAll("-", "").slice(0, 8);

let client: E2eClient;
let admin: SignedInAdmin;
let browser: Browser;
let origin: string;
const errors: string[][] = [];
/**
 * The console lines Chromium writes for the refusals the tests provoke on purpose ("Failed to
 * load resource: … 400"); any other console error, or one of these more often, fails the file.
 */
const provoked: string[] = [];
const refusal = (status: number, text: string) =>
	provoked.push(`Failed to load resource: the server responded with a status of ${status} (${text})`);

topologyForFile({ secrets: testSecrets(), admin: "storefront" }, (file) => ({ client, admin } = file));

beforeAll(async () => {
	browser = await launchBrowser();
	origin = client.origin();
});

afterAll(async () => {
	await browser?.close();
	// Every page every context opened ran without a console error or an uncaught exception,
	// but for the API's refusals the tests asked for.
	expect(errors.flat().sort()).toEqual(provoked.sort());
});

const slugFor = (label: string) => `${label}-${RUN}`;
const storefrontUrl = (slug: string) => `http://${slug}.localhost:${client.port}/`;

async function context(options: { width?: number; bypassCSP?: boolean } = {}): Promise<BrowserContext> {
	const opened = await newVisitor(browser, options);
	errors.push(collectErrors(opened));
	return opened;
}

async function sellerContext(seller: Account, options: { width?: number; bypassCSP?: boolean } = {}) {
	const opened = await context(options);
	await signInContext(opened, origin, { email: seller.email, password: seller.password });
	return opened;
}

/** Waits until an island's button can be pressed (it is disabled until the island has hydrated). */
async function pressable(page: Page, name: string) {
	const button = page.getByRole("button", { name, exact: true });
	await expect.poll(() => button.isEnabled()).toBe(true);
	return button;
}

async function storefrontOf(seller: Account, slug: string, display_name: string) {
	const body = { slug, display_name, bio: "Software businesses, sold with their numbers open." };
	expectStatus(await client.api.call(contract.putOwnStorefront, { token: seller.token, body }), 201, "a storefront");
}

describe("the storefront settings", () => {
	it("lets a seller set up a storefront, with the API's refusals at the address field", async () => {
		const [seller, other] = await Promise.all([client.register("seller"), client.register("seller")]);
		const taken = slugFor("taken");
		await storefrontOf(other, taken, "Someone Else");
		const opened = await sellerContext(seller);
		const page = await opened.newPage();
		expect((await page.goto(`${origin}/seller/storefront`))?.status()).toBe(200);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Storefront");
		expect(await page.getByText("You have no storefront yet.").count()).toBe(1);

		const address = page.getByLabel("Storefront address", { exact: true });
		await page.getByLabel("Storefront name", { exact: true }).fill("Ada Ventures");
		await address.fill("admin");
		refusal(400, "Bad Request");
		await (await pressable(page, "Save storefront")).click();
		await expect.poll(() => address.getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#storefront-error-slug").textContent()).toBe("is kept for TechFlunky's own use");
		expect(await page.evaluate(() => document.activeElement?.id)).toBe("storefront-slug");

		await address.fill(taken);
		refusal(409, "Conflict");
		await (await pressable(page, "Save storefront")).click();
		await expect
			.poll(() => page.locator("#storefront-error-slug").textContent())
			.toBe(`The storefront address "${taken}" is taken. Choose another.`);

		const slug = slugFor("ada");
		await address.fill(slug.toUpperCase());
		expect(await page.locator("#storefront-slug-hint").textContent()).toContain(storefrontUrl(slug));
		await page.getByLabel("About your business", { exact: true }).fill("Founder-run software businesses.");
		await (await pressable(page, "Save storefront")).click();
		const live = page.getByRole("link", { name: storefrontUrl(slug) });
		await expect.poll(() => live.count()).toBe(1);
		expect(await live.getAttribute("href")).toBe(storefrontUrl(slug));
		expect(await address.getAttribute("aria-invalid")).toBeNull();
		expect(await page.getByText("Your storefront is live.").count()).toBe(1);

		await page.reload();
		expect(await address.inputValue()).toBe(slug);
		expect(await page.getByLabel("Storefront name", { exact: true }).inputValue()).toBe("Ada Ventures");
		const own = expectStatus(await client.api.call(contract.getOwnStorefront, { token: seller.token }), 200, "own");
		expect(own.body).toMatchObject({ slug, display_name: "Ada Ventures", bio: "Founder-run software businesses." });
		await opened.close();
	});

	it("shows buyers the portal's 403 text and sends guests to sign in", async () => {
		const buyer = await client.register("buyer");
		// Not collecting console errors: Chromium logs a page answered 403 as one.
		const opened = await newVisitor(browser);
		await signInContext(opened, origin, { email: buyer.email, password: buyer.password });
		const page = await opened.newPage();
		expect((await page.goto(`${origin}/seller/storefront`))?.status()).toBe(403);
		expect(await page.getByText("This page is for sellers.", { exact: false }).count()).toBe(1);
		const guest = await (await newVisitor(browser)).newPage();
		await guest.goto(`${origin}/seller/storefront`);
		expect(new URL(guest.url()).pathname).toBe("/sign-in");
		await opened.close();
	});
});

describe("a storefront on its own host", () => {
	it("shows a guest the seller's published listings, not the draft, and leads to the listing with the seller box", async () => {
		const seller = await client.register("seller");
		const slug = slugFor("grace");
		await storefrontOf(seller, slug, "Grace Labs");
		const first = await client.listing(seller, { title: `Shopwave ${RUN}` });
		await client.listing(seller, { title: `Promptforge ${RUN}` });
		await client.listing(seller, { title: `Secret draft ${RUN}` }, { publish: false });

		const opened = await context();
		const page = await opened.newPage();
		expect((await page.goto(storefrontUrl(slug)))?.status()).toBe(200);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Grace Labs");
		expect(await page.getByText("Software businesses, sold with their numbers open.").count()).toBe(1);
		expect(await page.getByRole("link", { name: `Promptforge ${RUN}` }).count()).toBe(1);
		expect(await page.getByText(`Secret draft ${RUN}`).count()).toBe(0);
		// The site's own links lead back to the marketplace on the apex, where signing in works.
		const main = page.getByRole("navigation", { name: "Main" });
		expect(await main.getByRole("link", { name: "Home" }).getAttribute("href")).toBe(`${origin}/`);
		expect(await main.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe(`${origin}/sign-in`);

		await page.getByRole("link", { name: `Shopwave ${RUN}` }).click();
		await page.waitForURL(`${origin}/listings/${first.id}`);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(`Shopwave ${RUN}`);
		const box = page.getByRole("region", { name: "About the seller" });
		expect(await box.getByText("Grace Labs", { exact: true }).count()).toBe(1);
		const back = box.getByRole("link", { name: "Visit the storefront of Grace Labs" });
		expect(await back.getAttribute("href")).toBe(storefrontUrl(slug));
		expect(await box.locator("dd").allTextContents()).toContain("2");

		await back.click();
		await page.waitForURL(storefrontUrl(slug));
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Grace Labs");
		await opened.close();
	});

	it("answers an unknown storefront, on its host and on the apex, with the page's 404", async () => {
		// Not collecting console errors: Chromium logs a page answered 404 as one.
		const page = await (await newVisitor(browser)).newPage();
		for (const url of [storefrontUrl(slugFor("nobody")), `${origin}/storefronts/${slugFor("nobody")}`]) {
			expect((await page.goto(url))?.status()).toBe(404);
			expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Storefront not found");
		}
	});

	it("shows a seller without a storefront on the listing page, with no storefront link", async () => {
		const seller = await client.register("seller");
		const listing = await client.listing(seller, { title: `Plain seller ${RUN}` });
		const page = await (await context()).newPage();
		await page.goto(`${origin}/listings/${listing.id}`);
		const box = page.getByRole("region", { name: "About the seller" });
		expect(await box.getByText("A TechFlunky seller").count()).toBe(1);
		expect(await box.getByRole("link").count()).toBe(0);
	});
});

describe("featured listings", () => {
	it("puts a listing in the home page's featured section once an admin features it", async () => {
		const seller = await client.register("seller");
		const title = `Featured pick ${RUN}`;
		const listing = await client.listing(seller, { title });
		const page = await (await context()).newPage();
		await page.goto(`${origin}/`);
		expect(await page.getByRole("heading", { name: "Featured listings" }).count()).toBe(0);
		expect(await page.getByRole("heading", { name: "Newest listings" }).count()).toBe(1);

		const featured = await client.api.call(contract.featureListing, { token: admin.token, params: { id: listing.id } });
		expectStatus(featured, 200, "featuring");
		await page.reload();
		const section = page.getByRole("region", { name: "Featured listings" });
		expect(await section.getByRole("link", { name: title }).count()).toBe(1);
		const headings = await page.getByRole("heading", { level: 2 }).allTextContents();
		expect(headings.indexOf("Featured listings")).toBeLessThan(headings.indexOf("Newest listings"));

		expectStatus(
			await client.api.call(contract.unfeatureListing, { token: admin.token, params: { id: listing.id } }),
			204,
			"unfeaturing",
		);
		await page.reload();
		expect(await page.getByRole("heading", { name: "Featured listings" }).count()).toBe(0);
	});

	it("refuses a seller featuring a listing, at the edge", async () => {
		const seller = await client.register("seller");
		const listing = await client.listing(seller);
		const res = await client.api.call(contract.featureListing, { token: seller.token, params: { id: listing.id } });
		expect(res.status).toBe(403);
	});
});

describe("accessibility", () => {
	it("finds no serious or critical axe violations on the storefront and its settings at phone and desktop widths", async () => {
		const seller = await client.register("seller");
		const slug = slugFor("audit");
		await storefrontOf(seller, slug, "Audit Ventures");
		const listing = await client.listing(seller, { title: `Audited ${RUN}` });
		const guest = await auditPages(
			(width) => context({ width, bypassCSP: true }),
			[{ name: "storefront", path: "/" }],
			storefrontUrl(slug).slice(0, -1),
		);
		const apex = await auditPages(
			(width) => sellerContext(seller, { width, bypassCSP: true }),
			[
				{ name: "storefront-settings", path: "/seller/storefront" },
				{ name: "listing-seller", path: `/listings/${listing.id}` },
			],
			origin,
		);
		expect({ ...guest, ...apex }).toEqual({});
	});
});
