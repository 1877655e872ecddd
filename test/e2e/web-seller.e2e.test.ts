/**
 * The seller portal in a real browser against the local topology (with the local Stripe): a
 * seller creates a listing through the form (the API's field errors shown at their fields,
 * nested metrics and details included, and nothing created), uploads a file with a progress bar
 * (a file that is not what its name says refused with the API's detail), is told which fields a
 * publish misses, publishes and finds the listing on the public page; approves and revokes a
 * buyer's access request in place and finds the buyer's offer with a link to its room; archives
 * a listing only after confirming; onboards for payouts through the local Stripe's page and
 * back; and sees a paid sale with its 8% fee and payout. Guests are sent to sign in, buyers get
 * the portal's 403 text; axe finds nothing serious on any seller page at phone and desktop widths
 * (screenshots `seller-*.png`).
 *
 * Setup that is not what a test is about goes through the API (./web-seller-setup.ts: accounts,
 * listings, the buyer's requests and offers, Stripe's side of a payment); what the test is about
 * is done in the page.
 * Each test has its own seller: a seller's sign-ins are limited per account (burst 5), and each
 * test's pages spend their own bucket.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import { auditPages, collectErrors, launchBrowser, visitor as newVisitor, signInContext } from "./browser.ts";
import { type Account, type E2eClient, topologyForFile } from "./client.ts";
import { interestedBuyer, onboardedSeller, ownListings, paidSale } from "./web-seller-setup.ts";

const WORD = `quillon${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
const TITLE = `Shopwise ${WORD}`;
const MESSAGE = `We would like to see the numbers (${WORD}).`;
/** A small PDF as the sniffing sees one: `%PDF-` and then anything. */
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(256 * 1024, 0x20)]);

let topology: Topology;
let client: E2eClient;
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

topologyForFile(
	{ secrets: testSecrets(), localStripe: true, localMail: true },
	(file) => ({ topology, client } = file),
);

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

/** A browser context signed in as `account` on the apex, its console errors collected. */
async function contextFor(account: Account, options: { width?: number; bypassCSP?: boolean } = {}) {
	const context = await newVisitor(browser, options);
	errors.push(collectErrors(context));
	await signInContext(context, origin, { email: account.email, password: account.password });
	return context;
}

async function openPage(context: BrowserContext, path: string): Promise<Page> {
	const page = await context.newPage();
	const res = await page.goto(`${origin}${path}`);
	expect(res?.status(), path).toBe(200);
	return page;
}

/** Waits until an island's button can be pressed (it is disabled until the island has hydrated). */
async function pressable(page: Page, name: string) {
	const button = page.getByRole("button", { name, exact: true });
	await expect.poll(() => button.isEnabled()).toBe(true);
	return button;
}

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

describe("a listing from the form to the marketplace", () => {
	it("shows the API's field errors at their fields and creates nothing, then creates the draft", async () => {
		const seller = await client.register("seller");
		const context = await contextFor(seller);
		const page = await openPage(context, "/seller");
		await page.getByRole("heading", { name: "You have no listings yet" }).waitFor();
		await page.getByRole("link", { name: "Create your first listing" }).click();
		await page.waitForURL(`${origin}/seller/listings/new`);

		await field(page, "Summary").fill("Shopify analytics for small stores");
		await field(page, "Description").fill("Five years old, 900 paying stores.");
		await page.getByLabel("Category").selectOption("ecommerce");
		await field(page, "Asking price (in dollars)").fill("250,000");
		await field(page, "Monthly recurring revenue (dollars)").fill("12,500");
		await field(page, "Visitors per month").fill("42000");
		await field(page, "Age (months)").fill("2000");
		await field(page, "Tech stack").fill("TypeScript, Postgres");
		await field(page, "Website address").fill("not a web address");
		await (await pressable(page, "Create listing")).click();
		refusal(400, "Bad Request");

		// No title, an age the API caps, a details URL that is none: each at its own field.
		const title = field(page, "Title");
		await expect.poll(() => title.getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#listing-title-error").textContent()).toBe("Fill this in.");
		expect(await field(page, "Age (months)").getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#listing-metrics-age_months-error").textContent()).toBe("Enter at most 1,200.");
		expect(await field(page, "Website address").getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#listing-confidential-website_url-error").textContent()).not.toBe("");
		expect(await page.getByRole("alert").filter({ hasText: /\w/ }).first().textContent()).not.toBe("");
		expect(await page.evaluate(() => document.activeElement?.id)).toBe("listing-title");
		expect(await ownListings(client, seller)).toEqual([]);

		await title.fill(TITLE);
		await field(page, "Age (months)").fill("60");
		await field(page, "Website address").fill("https://shopwise.example/");
		await page.getByRole("button", { name: "Create listing" }).click();
		await page.waitForURL(/\/seller\/listings\/lst_[0-9a-f]+\?done=created$/);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(TITLE);
		expect(await page.locator("#listing-status").textContent()).toBe("Status: Draft");
		await page.getByText("Listing created as a draft.").waitFor();
		const [stored] = await ownListings(client, seller);
		expect(stored).toMatchObject({
			title: TITLE,
			category: "ecommerce",
			asking_price_cents: 25_000_000,
			status: "draft",
			tech_stack: ["TypeScript", "Postgres"],
			metrics: { mrr_cents: 1_250_000, revenue_cents: null, monthly_visitors: 42_000, age_months: 60 },
			confidential: { website_url: "https://shopwise.example/" },
		});
		await context.close();
	});

	it("uploads a file with progress, names what a publish misses, publishes and shows the public page", async () => {
		const seller = await client.register("seller");
		const listing = await client.listing(seller, { title: TITLE, description: "" }, { publish: false });
		const context = await contextFor(seller);
		const page = await openPage(context, `/seller/listings/${listing.id}`);

		// A "PDF" whose bytes are not one: the API's 415 detail, and nothing listed.
		await field(page, "File to upload").setInputFiles({
			name: "fake.pdf",
			mimeType: "application/pdf",
			buffer: Buffer.from("just text"),
		});
		await (await pressable(page, "Upload file")).click();
		refusal(415, "Unsupported Media Type");
		await page.getByRole("alert").filter({ hasText: "The file is not a valid application/pdf." }).waitFor();
		expect(await page.getByRole("link", { name: "fake.pdf" }).count()).toBe(0);

		await field(page, "File to upload").setInputFiles({
			name: "Pitch deck.pdf",
			mimeType: "application/pdf",
			buffer: PDF,
		});
		await page.getByRole("button", { name: "Upload file" }).click();
		await page.getByRole("status").filter({ hasText: "Uploaded Pitch-deck.pdf." }).waitFor();
		const progress = page.locator("progress#attachment-progress");
		expect(await progress.evaluate((bar: HTMLProgressElement) => bar.value / bar.max)).toBe(1);
		expect(await page.getByText("Pitch-deck.pdf: upload complete").count()).toBe(1);
		const link = page.getByRole("list", { name: "Files" }).getByRole("link", { name: "Pitch-deck.pdf" });
		const href = (await link.getAttribute("href")) ?? "";
		expect(href).toBe(`/api/v1/listings/${listing.id}/attachments/Pitch-deck.pdf`);
		const download = await context.request.get(`${origin}${href}`);
		expect(download.status()).toBe(200);
		expect(Buffer.from(await download.body()).equals(PDF)).toBe(true);

		// Publishing without a description: the API says what is missing, in words.
		await (await pressable(page, "Publish listing")).click();
		refusal(400, "Bad Request");
		const missing = page.getByRole("alert").filter({ hasText: "Description:" });
		await missing.waitFor();
		expect(await page.locator("#listing-status").textContent()).toBe("Status: Draft");

		await field(page, "Description").fill("Five years old, 900 paying stores.");
		await (await pressable(page, "Save changes")).click();
		await page.waitForURL(`${origin}/seller/listings/${listing.id}?done=saved`);
		await (await pressable(page, "Publish listing")).click();
		await page.waitForURL(`${origin}/seller/listings/${listing.id}?done=published`);
		expect(await page.locator("#listing-status").textContent()).toBe("Status: Active");
		await page.getByText("Published: your listing is live on the marketplace.").waitFor();
		// Its file survived the edit; the page now links the public view.
		expect(await page.getByRole("link", { name: "Pitch-deck.pdf" }).count()).toBe(1);

		await page.getByRole("link", { name: "View the public page" }).click();
		await page.waitForURL(`${origin}/listings/${listing.id}`);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(TITLE);
		expect(await page.getByText("Five years old, 900 paying stores.").count()).toBe(1);
		await context.close();
	});
});

describe("buyers' interest in a listing", () => {
	it("approves and revokes an access request in place, and links the buyer's offer to its room", async () => {
		const seller = await client.register("seller");
		const listing = await client.listing(seller, {
			title: TITLE,
			confidential: { legal_name: `Shopwise ${WORD} LLC` },
		});
		const { buyer, offerId } = await interestedBuyer(client, listing.id, 24_000_000, MESSAGE);
		const context = await contextFor(seller);
		const page = await openPage(context, `/seller/listings/${listing.id}`);

		const request = page.getByRole("list", { name: "Access requests" }).getByRole("listitem");
		expect(await request.textContent()).toMatch(
			/Waiting for you.*Accepted NDA version 1.*We would like to see the numbers/,
		);
		await (await pressable(page, "Approve access")).click();
		await request.getByText("Approved", { exact: true }).waitFor();
		await page.getByRole("status").filter({ hasText: "Approved: the buyer can now see" }).waitFor();
		const seen = await client.api.call(contract.getListing, { token: buyer.token, params: { id: listing.id } });
		expect(seen.status === 200 && "confidential" in seen.body ? seen.body.confidential : null).toEqual({
			legal_name: `Shopwise ${WORD} LLC`,
		});

		await (await pressable(page, "Revoke access")).click();
		await page.getByRole("button", { name: "Yes, revoke access" }).click();
		await request.getByText("Revoked", { exact: true }).waitFor();
		const after = await client.api.call(contract.getListing, { token: buyer.token, params: { id: listing.id } });
		expect(after.status === 200 && "confidential" in after.body).toBe(false);

		const offer = page.getByRole("list", { name: "Offers" }).getByRole("listitem");
		expect(await offer.textContent()).toMatch(/\$240,000 from buyer.*Version 1.*Your turn to answer.*Pending/);
		expect(await offer.getByRole("link", { name: /Open negotiation room/ }).getAttribute("href")).toBe(
			`/offers/${offerId}`,
		);
		await context.close();
	});

	it("archives a listing only after the seller confirms", async () => {
		const seller = await client.register("seller");
		const listing = await client.listing(seller, { title: TITLE });
		const context = await contextFor(seller);
		const page = await openPage(context, `/seller/listings/${listing.id}`);

		await (await pressable(page, "Archive listing")).click();
		await page.getByRole("group", { name: /Archive this listing\?/ }).waitFor();
		await page.getByRole("button", { name: "Keep it as it is" }).click();
		expect((await ownListings(client, seller))[0]?.status).toBe("active");

		await page.getByRole("button", { name: "Archive listing" }).click();
		await page.getByRole("button", { name: "Yes, archive it" }).click();
		await page.waitForURL(`${origin}/seller/listings/${listing.id}?done=archived`);
		expect(await page.locator("#listing-status").textContent()).toBe("Status: Archived");
		expect(await page.getByRole("button", { name: "Publish listing" }).count()).toBe(0);
		expect((await ownListings(client, seller))[0]?.status).toBe("archived");
		const publicView = await client.api.call(contract.getListing, { params: { id: listing.id } });
		expect(publicView.status).toBe(404);

		await page.goto(`${origin}/seller?status=archived`);
		expect(await page.getByRole("link", { name: "Archived (1)" }).getAttribute("aria-current")).toBe("page");
		expect(await page.getByRole("link", { name: TITLE }).getAttribute("href")).toBe(`/seller/listings/${listing.id}`);
		await context.close();
	});
});

describe("payouts and sales", () => {
	it("shows the payout state and takes the seller through the local Stripe onboarding and back", async () => {
		const seller = await client.register("seller");
		const context = await contextFor(seller);
		const page = await openPage(context, "/seller/payouts");
		await page.getByRole("heading", { name: "Payout account: Not set up" }).waitFor();
		await (await pressable(page, "Set up payouts")).click();
		await page.waitForURL(/\/onboarding\/acct_/);
		expect(page.url().startsWith(topology.stripe?.url ?? "no stand-in")).toBe(true);
		await page.getByRole("heading", { name: "Set up payouts" }).waitFor();
		await page.getByRole("button", { name: "Complete onboarding" }).click();
		await page.waitForURL(`${origin}/seller/payouts?from=return`);
		// Stripe's account.updated arrives a moment later; the page waits for it.
		await page.getByRole("heading", { name: "Payout account: Ready to receive payouts" }).waitFor({ timeout: 30_000 });
		expect(await page.getByRole("button", { name: "Update payout details" }).count()).toBe(1);

		await page.goto(`${origin}/seller`);
		await page.getByText("Payouts: ready.").waitFor();
		await context.close();
	});

	it("lists a paid sale with its 8% fee and the seller's payout", async () => {
		const seller = await onboardedSeller(client, topology.stripe?.url);
		const sale = await paidSale(client, topology.stripe?.url, seller, `Sold ${WORD}`, 1_000_000);
		const context = await contextFor(seller);
		const page = await openPage(context, "/seller/sales");
		const row = page.getByRole("list", { name: "Sales" }).getByRole("listitem");
		expect(await row.count()).toBe(1);
		expect(await row.textContent()).toMatch(
			/Buyer paid\s*\$10,000.*Fee \(8%\)\s*\$800.*Your payout\s*\$9,200.*Release due/,
		);
		expect(await row.getByText("Paid, held in escrow").count()).toBe(1);
		expect(await row.getByRole("link", { name: `Sold ${WORD}`, exact: true }).getAttribute("href")).toBe(
			`/seller/listings/${sale.listingId}`,
		);
		expect(await page.getByRole("definition").filter({ hasText: "$9,200" }).count()).toBeGreaterThan(0);

		await page.getByLabel("Status").selectOption("released");
		await page.getByRole("button", { name: "Show" }).click();
		await page.waitForURL(`${origin}/seller/sales?status=released`);
		await page.getByText("No sales with the status “Paid out”.").waitFor();

		await page.goto(`${origin}/seller`);
		expect(await page.getByRole("link", { name: "Sold (1)" }).count()).toBe(1);
		await context.close();
	});
});

describe("who may open the seller portal", () => {
	it("sends a guest to sign in and back, and answers a buyer with the portal's 403 text", async () => {
		const guest = await newVisitor(browser);
		const page = await guest.newPage();
		await page.goto(`${origin}/seller/sales`);
		expect(page.url()).toBe(`${origin}/sign-in?next=%2Fseller%2Fsales`);
		await guest.close();

		const buyer = await client.register("buyer");
		const context = await newVisitor(browser);
		await signInContext(context, origin, { email: buyer.email, password: buyer.password });
		const own = await context.newPage();
		const res = await own.goto(`${origin}/seller/listings/new`);
		expect(res?.status()).toBe(403);
		await own.getByText("This page is for sellers. You are signed in as a buyer.").waitFor();
		expect(await own.getByRole("button", { name: "Create listing" }).count()).toBe(0);
		await context.close();
	});
});

describe("accessibility", () => {
	it("finds no serious or critical axe violations on the seller pages at phone and desktop widths", async () => {
		// A seller with one of everything: a sale, an active listing with a file, a request and an offer, a draft.
		const seller = await onboardedSeller(client, topology.stripe?.url);
		await paidSale(client, topology.stripe?.url, seller, `Audit sale ${WORD}`, 1_500_000);
		const listing = await client.listing(seller, { title: `Audit ${WORD}` });
		await interestedBuyer(client, listing.id, 12_000_000, MESSAGE);
		const uploaded = await client.call(`/api/v1/listings/${listing.id}/attachments/deck.pdf`, {
			method: "PUT",
			token: seller.token,
			headers: { "Content-Type": "application/pdf" },
			body: "%PDF-1.4 audit",
		});
		expect(uploaded.status).toBe(201);
		await client.listing(seller, { title: `Draft ${WORD}` }, { publish: false });
		const found = await auditPages(
			(width) => contextFor(seller, { width, bypassCSP: true }),
			[
				{ name: "seller-dashboard", path: "/seller" },
				{ name: "seller-dashboard-active", path: "/seller?status=active" },
				{ name: "seller-new-listing", path: "/seller/listings/new" },
				{ name: "seller-listing", path: `/seller/listings/${listing.id}` },
				{ name: "seller-payouts", path: "/seller/payouts" },
				{ name: "seller-sales", path: "/seller/sales" },
			],
			origin,
		);
		expect(found).toEqual({});
	});
});
