/**
 * Saved searches and the watchlist in a real browser against the local topology: a buyer saves
 * the search they are looking at ("Save this search" on the search page), finds it on "My saved
 * searches" and deletes it; watches a listing from its page, finds it on "My watchlist" and stops
 * watching it there. axe finds nothing serious on either page, nor on the search page with the
 * island, at phone and desktop widths (screenshots `watch-*.png`); no console errors.
 *
 * Setup that is not what a test is about (accounts, the listing) goes through the API.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ListingView } from "../../shared/contract/routes/listings.ts";
import { contract } from "../../shared/contract/table.ts";
import { testSecrets } from "../topology/secrets.ts";
import { auditPages, collectErrors, launchBrowser, visitor as newVisitor, signInContext } from "./browser.ts";
import { type Account, type E2eClient, topologyForFile } from "./client.ts";

const WORD = `quokka${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
const TITLE = `Routely ${WORD}`;

let client: E2eClient;
let browser: Browser;
let origin: string;
let seller: Account;
let listing: ListingView;
const errors: string[][] = [];

topologyForFile({ secrets: testSecrets(), localMail: true }, (file) => ({ client } = file));

beforeAll(async () => {
	browser = await launchBrowser();
	origin = client.origin();
	seller = await client.register("seller");
	listing = await client.listing(seller, { title: TITLE, asking_price_cents: 12_000_000 });
});

afterAll(async () => {
	await browser?.close();
});

async function contextFor(account: Account, options: { width?: number; bypassCSP?: boolean } = {}) {
	const context = await newVisitor(browser, options);
	if (!options.bypassCSP) errors.push(collectErrors(context));
	await signInContext(context, origin, { email: account.email, password: account.password });
	return context;
}

/** Wakes a `client:interaction` island the way a pointer over it does. */
const reachFor = (page: Page, selector: string) => page.locator(selector).first().dispatchEvent("pointerover");

describe("saved searches and the watchlist in the browser", () => {
	let context: BrowserContext;

	it("saves the current search from the search page, lists it and deletes it", async () => {
		const buyer = await client.register("buyer");
		context = await contextFor(buyer);
		const page = await context.newPage();
		await page.goto(`${origin}/search?q=${WORD}&max_price=200000`);
		await page.getByRole("heading", { name: `Results for “${WORD}”` }).waitFor();
		await page.getByRole("link", { name: TITLE }).waitFor();

		const open = page.getByRole("button", { name: "Save this search" });
		await reachFor(page, ".save-search-open");
		await expect.poll(() => open.isEnabled()).toBe(true);
		await open.click();
		const name = page.getByLabel("Name for this search", { exact: true });
		expect(await name.inputValue()).toBe(WORD);
		await name.fill("");
		await page.getByRole("button", { name: "Save search" }).click();
		await expect.poll(() => name.getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#save-search-name-error").textContent()).toBe("Give the search a name.");
		await name.fill("Routing tools");
		await page.getByRole("button", { name: "Save search" }).click();
		await page.getByText("Search saved. We will e-mail you when a new listing matches it.").waitFor();

		await page.getByRole("link", { name: "See your saved searches" }).click();
		await page.getByRole("heading", { name: "My saved searches", level: 1 }).waitFor();
		await page.getByRole("heading", { name: "Routing tools", level: 2 }).waitFor();
		expect(await page.getByText(`“${WORD}”, up to $200,000`).count()).toBe(1);
		expect(await page.getByRole("link", { name: "See the results" }).getAttribute("href")).toBe(
			`/search?q=${WORD}&max_price=200000`,
		);
		const remove = page.getByRole("button", { name: "Delete the saved search Routing tools" });
		await expect.poll(() => remove.isEnabled()).toBe(true);
		await remove.click();
		await page.getByText("Deleted “Routing tools”.").waitFor();
		await page.getByText("No saved searches.").waitFor();
		const left = await client.api.call(contract.listSavedSearches, { token: buyer.token });
		expect(left.status === 200 && left.body.items).toEqual([]);
		await page.close();
	});

	it("watches a listing from its page and stops watching it on the watchlist", async () => {
		const page = await context.newPage();
		await page.goto(`${origin}/listings/${listing.id}`);
		const watch = page.getByRole("button", { name: "Watch this listing" });
		await watch.waitFor();
		expect(await watch.getAttribute("aria-pressed")).toBe("false");
		await reachFor(page, ".watch-toggle");
		await expect.poll(() => watch.isEnabled()).toBe(true);
		await watch.click();
		const stop = page.getByRole("button", { name: "Stop watching" });
		await expect.poll(() => stop.getAttribute("aria-pressed")).toBe("true");
		await page.getByText("Added to your watchlist.", { exact: false }).waitFor();

		// The next load knows it is watched.
		await page.reload();
		expect(await page.getByRole("button", { name: "Stop watching" }).getAttribute("aria-pressed")).toBe("true");

		await page.goto(`${origin}/buyer/watchlist`);
		await page.getByRole("heading", { name: "My watchlist", level: 1 }).waitFor();
		await page.getByRole("link", { name: TITLE }).waitFor();
		const unwatch = page.getByRole("button", { name: `Stop watching: ${TITLE}` });
		await expect.poll(() => unwatch.isEnabled()).toBe(true);
		await unwatch.click();
		await page.getByText("Removed from your watchlist.").waitFor();
		expect(await page.getByRole("button", { name: `Watch this listing: ${TITLE}` }).getAttribute("aria-pressed")).toBe(
			"false",
		);
		await page.close();
		await context.close();
	});

	it("has no serious axe findings at phone and desktop widths, and no console errors", async () => {
		const buyer = await client.register("investor");
		await client.api.call(contract.createSavedSearch, {
			token: buyer.token,
			body: { name: "Routing tools", q: WORD, category: "saas", min_price: 1_000_000 },
		});
		await client.api.call(contract.watchListing, { token: buyer.token, params: { listingId: listing.id } });
		const found = await auditPages(
			(width) => contextFor(buyer, { width, bypassCSP: true }),
			[
				{ name: "watch-saved-searches", path: "/buyer/saved-searches" },
				{ name: "watch-watchlist", path: "/buyer/watchlist" },
				{ name: "watch-search", path: `/search?q=${WORD}` },
				{ name: "watch-listing", path: `/listings/${listing.id}` },
			],
			origin,
		);
		expect(found).toEqual({});
		expect(errors.flat()).toEqual([]);
	});
});
