/**
 * The whole marketplace the way two people use it, in two real browsers (headless Chromium) and
 * nothing but the pages: a seller signs up, confirms the address from the e-mail in the local mail
 * stand-in, sets up payouts on the local Stripe page, creates a listing with an attachment and
 * publishes it; a buyer signs up and confirms too, finds the listing by search, accepts the NDA
 * and asks for access, which the seller approves, and makes an offer; the seller counters in the
 * negotiation room and the buyer's room shows it live; the buyer accepts, pays on the local
 * Stripe Checkout page, comes back to the payment page, which waits for the webhook-confirmed
 * state; both see the business sold; the buyer confirms the handover and the money is released.
 * The API is used only to look, and by an operator once (below), never to act for the two people.
 *
 * Pace: the pages spend each person's bucket like any client (about 60 calls for the buyer's
 * whole journey: docs/architecture.md, Web app). A person takes minutes over this, and a buyer's
 * bucket (burst 50, one token back every 7.2 s) carries it; the test does it in seconds, so an
 * admin raises both tenants' limits first, as the admin console would for a busy account.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { PASSWORD } from "../support/marketplace.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import { collectErrors, launchBrowser, visitor } from "./browser.ts";
import { type E2eClient, expectStatus, type SignedInAdmin, topologyForFile } from "./client.ts";
import { linkIn, SUBJECTS, waitForMail } from "./mailbox.ts";

const WORD = `flow${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
const TITLE = `Ledgerly ${WORD}`;
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
/** Chromium logs the API's refusals as resource errors; this flow makes none on purpose. */
const UNEXPECTED = (errors: string[]) => errors.filter((error) => !error.includes("favicon"));

let topology: Topology;
let client: E2eClient;
let admin: SignedInAdmin;
let browser: Browser;
let origin: string;

topologyForFile(
	{ secrets: testSecrets(), localStripe: true, localMail: true, admin: "flow" },
	(file) => ({ topology, client, admin } = file),
);

beforeAll(async () => {
	browser = await launchBrowser();
	origin = client.origin();
});

afterAll(async () => {
	await browser?.close();
});

/** The operator's step of the header comment: a test-speed bucket for the person's tenant. */
async function raiseLimit(page: Page): Promise<void> {
	const me = await page.context().request.get(`${origin}/api/v1/me`);
	const tenant = ((await me.json()) as { user: { tenant_id: string } }).user.tenant_id;
	const rate_limit = { limit: 10_000, window_seconds: 3600, burst: 1_000 };
	expectStatus(
		await client.api.call(contract.updateTenant, { token: admin.token, params: { id: tenant }, body: { rate_limit } }),
		200,
		"raising the limit",
	);
}

interface Person {
	context: BrowserContext;
	page: Page;
	errors: string[];
	email: string;
}

/** Signs a new person up through the sign-up page and confirms the address from the e-mail. */
async function signUp(role: "Seller" | "Buyer", name: string): Promise<Person> {
	const context = await visitor(browser);
	const errors = collectErrors(context);
	const page = await context.newPage();
	const email = `${name.toLowerCase().replace(" ", ".")}-${WORD}@example.test`;
	await page.goto(`${origin}/sign-up`);
	await page.getByLabel("Your name").fill(name);
	await page.getByLabel("Email").fill(email);
	await page.getByLabel("Password").fill(PASSWORD);
	await page.getByRole("radio", { name: new RegExp(role) }).check();
	await page.getByRole("button", { name: "Create account" }).click();
	await page.waitForURL(`${origin}/`);

	const mail = await waitForMail(topology, email, SUBJECTS.verify);
	await page.goto(linkIn(mail, "/verify-email").href);
	await page.getByRole("heading", { name: "Your e-mail address is confirmed" }).waitFor();
	await raiseLimit(page);
	return { context, page, errors, email };
}

/** The text of `page`'s element matching `selector`, once it matches `expected`. */
async function waitForText(page: Page, selector: string, expected: RegExp): Promise<void> {
	try {
		await expect.poll(() => page.locator(selector).first().textContent(), { timeout: 15_000 }).toMatch(expected);
	} catch (error) {
		// What the page said instead, so a failure reads as the person would have seen it.
		const alerts = await page.getByRole("alert").allTextContents();
		throw new Error(`${(error as Error).message}\n  on ${page.url()}, alerts: ${JSON.stringify(alerts)}`);
	}
}

describe("a seller and a buyer, from sign-up to the released payment", () => {
	let seller: Person;
	let buyer: Person;
	let listingId = "";
	let offerId = "";

	it("lets a seller sign up, confirm the address, set up payouts and publish a listing with a file", async () => {
		seller = await signUp("Seller", "Sandra Seller");
		const { page } = seller;

		await page.goto(`${origin}/seller/payouts`);
		await page.getByRole("button", { name: "Set up payouts" }).click();
		await page.getByRole("button", { name: "Complete onboarding" }).click();
		await page.waitForURL(/\/seller\/payouts\?from=return/);
		await page.getByRole("heading", { name: /Ready to receive payouts/ }).waitFor({ timeout: 30_000 });

		await page.goto(`${origin}/seller/listings/new`);
		await page.getByLabel("Title").fill(TITLE);
		await page.getByLabel("Summary").fill("Bookkeeping for freelancers, profitable");
		await page.getByLabel("Description").fill("Five years old, 800 paying customers, one part-time founder.");
		await page.getByLabel("Category").selectOption("saas");
		await page.getByLabel("Asking price (in dollars)").fill("250000");
		await page.getByLabel("Legal name of the business").fill(`Ledgerly ${WORD} Ltd`);
		await page.getByRole("button", { name: "Create listing" }).click();
		await page.waitForURL(/\/seller\/listings\/lst_[0-9a-z]+\?done=created/);
		listingId = /\/seller\/listings\/(lst_[0-9a-z]+)/.exec(page.url())?.[1] ?? "";

		await page
			.getByLabel("File to upload")
			.setInputFiles({ name: "Pitch deck.pdf", mimeType: "application/pdf", buffer: PDF });
		await page.getByRole("button", { name: "Upload file" }).click();
		await page.getByText("Uploaded Pitch-deck.pdf.").waitFor();
		expect(await page.locator("progress#attachment-progress").getAttribute("value")).toBe(
			await page.locator("progress#attachment-progress").getAttribute("max"),
		);

		await page.getByRole("button", { name: "Publish listing" }).click();
		await waitForText(page, "#listing-status", /Status: Active/);
	});

	it("lets a buyer sign up, find the listing by search, ask for access and see the details once approved", async () => {
		buyer = await signUp("Buyer", "Bruno Buyer");
		const { page } = buyer;

		await page.goto(`${origin}/`);
		await page.getByRole("searchbox", { name: "Search listings" }).fill(WORD);
		await page.getByRole("button", { name: "Search" }).click();
		await page.waitForURL(/\/search\?q=/);
		await page.getByRole("link", { name: TITLE }).click();
		await page.waitForURL(`${origin}/listings/${listingId}`);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(TITLE);

		await page.getByLabel("I have read and accept this NDA").check();
		await page.getByRole("button", { name: "Request access" }).click();
		await page.getByText("Your request: Waiting for the seller").waitFor();

		await seller.page.goto(`${origin}/seller/listings/${listingId}`);
		await seller.page.getByRole("button", { name: "Approve access" }).click();
		await seller.page.getByText(/Approved: the buyer can now see/).waitFor();

		await page.reload();
		await page.getByRole("heading", { name: "Confidential details" }).waitFor();
		expect(await page.getByText(`Ledgerly ${WORD} Ltd`).count()).toBeGreaterThan(0);
	});

	it("carries an offer and the seller's counter live between the two negotiation rooms", async () => {
		const { page } = buyer;
		await page.getByLabel("Your offer (USD)").fill("200000");
		await page.getByRole("button", { name: "Make an offer" }).click();
		await page.getByRole("link", { name: "Go to the negotiation room" }).click();
		await page.waitForURL(/\/offers\/off_[0-9a-z]+$/);
		offerId = /\/offers\/(off_[0-9a-z]+)/.exec(page.url())?.[1] ?? "";

		// The seller finds the offer on the listing's page and opens its room from there.
		await seller.page.reload();
		await seller.page.getByRole("link", { name: /^Open negotiation room/ }).click();
		await seller.page.waitForURL(`${origin}/offers/${offerId}`);
		for (const room of [page, seller.page]) {
			await waitForText(room, ".room-link", /^Live/);
		}
		await waitForText(page, "[aria-label='Who is in the room']", /The seller: online/);

		await seller.page.getByLabel("Counter-offer amount (USD)").fill("230000");
		await seller.page.getByRole("button", { name: "Send counter-offer" }).click();
		// No reload on the buyer's side: the room's frame moves the page.
		await waitForText(page, ".room-situation", /\$230,000/);
		await page.getByText("The seller countered with $230,000.").waitFor();

		await seller.page.getByLabel("Message to the buyer").fill("We can close this week.");
		await seller.page.getByRole("button", { name: "Send message" }).click();
		await page.getByText("We can close this week.").waitFor();
		// The room keeps the conversation: a page opened again shows it.
		await page.reload();
		await page.getByText("We can close this week.").waitFor();
		await waitForText(page, ".room-link", /^Live/);
	});

	it("takes the buyer's acceptance through the local Stripe Checkout to money held, and both see it sold", async () => {
		const { page } = buyer;
		await page.getByRole("button", { name: "Accept $230,000" }).click();
		await page.getByRole("button", { name: "Proceed to checkout" }).click();
		await page.getByRole("button", { name: "Pay by card" }).click();
		await page.waitForURL(/\/payments\/pay_[0-9a-z]+/);
		await waitForText(page, ".payment-status", /Paid: the money is held in escrow/);

		await waitForText(seller.page, ".room-situation", /paid, money held in escrow/);
		await seller.page.goto(`${origin}/seller`);
		await seller.page.getByRole("link", { name: "Sold (1)" }).waitFor();
		await page.goto(`${origin}/listings/${listingId}`);
		expect(await page.locator("dl.facts-large").textContent()).toContain("Sold");
	});

	it("releases the money when the buyer confirms the handover", async () => {
		const { page } = buyer;
		await page.goto(`${origin}/buyer/payments`);
		await page.getByRole("link", { name: "Payment details" }).click();
		await page.waitForURL(/\/payments\/pay_[0-9a-z]+$/);
		await page.getByRole("button", { name: "Confirm handover" }).click();
		await page.getByRole("button", { name: "Yes, release the money" }).click();
		await waitForText(page, ".payment-status", /Released to the seller/);

		await seller.page.goto(`${origin}/seller/sales`);
		await seller.page.getByText("Paid out").first().waitFor();
		expect(UNEXPECTED(seller.errors)).toEqual([]);
		expect(UNEXPECTED(buyer.errors)).toEqual([]);
	});
});
