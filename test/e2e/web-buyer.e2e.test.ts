/**
 * The buyer's side of the web app in a real browser against the local topology (with the local
 * Stripe): on a listing page a buyer accepts the NDA and asks for access, sees the confidential
 * details once the seller approves, makes an offer (a refused amount shown at its field, then the
 * link to the room) and is told of the open thread on a second try; the buyer portal lists the
 * offers and access requests, and on its payments page the buyer confirms one held payment's
 * handover and disputes another. Guests are sent to sign in, sellers get the portal's 403 text
 * and their own listing's "manage" link; axe finds nothing serious on the listing (signed in)
 * and any portal page at phone and desktop widths (screenshots `buyer-*.png`).
 *
 * Setup that is not what a test is about goes through the API (accounts, listings, the seller's
 * decision, accepted offers, Stripe's side of a payment: ./web-buyer-deals.ts); what the test is about is done in the
 * page. Each buyer account spends its own rate-limit bucket (burst 50), so the flows, the
 * payments and the audit each have their own buyer: the pages' cost is the product's, and a test
 * that exhausted one bucket would be testing the limit instead.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ListingView } from "../../shared/contract/routes/listings.ts";
import { contract } from "../../shared/contract/table.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import { auditPages, collectErrors, launchBrowser, visitor as newVisitor, signInContext } from "./browser.ts";
import { type Account, type E2eClient, expectStatus, topologyForFile } from "./client.ts";
import { heldPayment, onboardedSeller, paymentIn } from "./deals.ts";

const WORD = `halyard${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
const TITLE = `Ledgerly ${WORD}`;
const LEGAL_NAME = `Ledgerly Labs ${WORD} LLC`;
const NDA = "Keep everything you learn about Ledgerly to yourself for two years.";

let topology: Topology;
let client: E2eClient;
let browser: Browser;
let origin: string;
let seller: Account;
let listing: ListingView;
const errors: string[][] = [];

topologyForFile(
	{ secrets: testSecrets(), localStripe: true, localMail: true },
	(file) => ({ topology, client } = file),
);

beforeAll(async () => {
	browser = await launchBrowser();
	origin = client.origin();
	seller = await onboardedSeller(client, topology.stripe?.url);
	listing = await client.listing(seller, {
		title: TITLE,
		asking_price_cents: 30_000_000,
		confidential: { legal_name: LEGAL_NAME, financials: "Revenue 2025: $1.2M, margin 41%." },
		nda_text: NDA,
	});
});

afterAll(async () => {
	await browser?.close();
});

/**
 * Console errors and uncaught exceptions so far, of every page the buyers' contexts opened, but
 * for the browser's own note of each API refusal a test provokes on purpose (a 400 for a bad
 * amount or an empty reason, the 409 of a second offer): the pages handle those in words.
 */
function unexpectedErrors(): string[] {
	return errors
		.flat()
		.filter((text) => !/^Failed to load resource: the server responded with a status of 40[09]/.test(text));
}

/**
 * A signed-in browser context for `account` on the apex, its console errors collected unless it
 * is an audit's: axe and the screenshots change the page under React's hydration, which React
 * reports as a mismatch of its own making.
 */
async function contextFor(account: Account, options: { width?: number; bypassCSP?: boolean } = {}) {
	const context = await newVisitor(browser, options);
	if (!options.bypassCSP) errors.push(collectErrors(context));
	await signInContext(context, origin, { email: account.email, password: account.password });
	return context;
}

/** The payment as the seller reads it, once it is in `status`. */
const paymentStatus = (id: string, status: string) => paymentIn(client, seller, id, status);
const held = (buyer: Account, title: string, amount_cents: number) =>
	heldPayment(client, topology.stripe?.url, { seller, buyer }, title, amount_cents);

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

describe("the listing page, signed in as a buyer", () => {
	let buyer: Account;
	let context: BrowserContext;
	let offerId: string;

	beforeAll(async () => {
		buyer = await client.register("buyer");
		context = await contextFor(buyer);
	});
	afterAll(() => context?.close());

	it("asks for access with the listing's NDA and shows the confidential details once the seller approves", async () => {
		const page = await context.newPage();
		await page.goto(`${origin}/listings/${listing.id}`);
		await page.getByRole("heading", { name: "Request access" }).waitFor();
		expect(await page.getByRole("region", { name: /Non-disclosure agreement \(version 1\)/ }).textContent()).toContain(
			NDA,
		);
		expect(await page.getByText(LEGAL_NAME).count()).toBe(0);

		// Without the box ticked the request is not sent.
		const accept = page.getByRole("checkbox", { name: "I have read and accept this NDA" });
		const request = page.getByRole("button", { name: "Request access" });
		// The listing's forms hydrate when first reached for (client:interaction), as a pointer does.
		await accept.hover();
		await expect.poll(() => request.isEnabled()).toBe(true);
		await request.click();
		await expect.poll(() => accept.getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#access-accept-error").textContent()).toMatch(/Accept the NDA/);

		await accept.check();
		await page
			.getByRole("region", { name: "Request access" })
			.getByLabel("Message to the seller (optional)")
			.fill("We run two invoicing tools already.");
		await request.click();
		await page.getByText("Your request: Waiting for the seller").waitFor();

		// The seller approves over the API; the next load of the page carries the details.
		const requests = expectStatus(
			await client.api.call(contract.listAccessRequests, {
				token: seller.token,
				query: { listing_id: listing.id },
			}),
			200,
			"listing the requests",
		);
		expect(requests.body.items.map((item) => item.status)).toEqual(["pending"]);
		expect(requests.body.items[0]?.message).toBe("We run two invoicing tools already.");
		expectStatus(
			await client.api.call(contract.approveAccessRequest, {
				token: seller.token,
				params: { id: requests.body.items[0]?.id ?? "" },
			}),
			200,
			"approving",
		);
		await page.reload();
		await page.getByRole("heading", { name: "Confidential details" }).waitFor();
		expect(await page.getByText(LEGAL_NAME).count()).toBe(1);
		expect(await page.getByText("Revenue 2025: $1.2M, margin 41%.").count()).toBe(1);
		expect(await page.getByRole("button", { name: "Request access" }).count()).toBe(0);
		await page.close();
		expect(unexpectedErrors()).toEqual([]);
	});

	it("refuses an amount at its field, links a new offer to its room, and names the open thread on a second try", async () => {
		// Two tabs on the listing before any offer: the second one cannot know of the first's.
		const [first, second] = [await context.newPage(), await context.newPage()];
		await Promise.all([first, second].map((page) => page.goto(`${origin}/listings/${listing.id}`)));
		const amount = field(first, "Your offer (USD)");
		const submit = first.getByRole("button", { name: "Make an offer" });
		await amount.hover();
		await expect.poll(() => submit.isEnabled()).toBe(true);

		// Not an amount at all: refused before sending.
		await amount.fill("lots");
		await submit.click();
		await expect.poll(() => amount.getAttribute("aria-invalid")).toBe("true");
		expect(await first.locator("#offer-amount-error").textContent()).toMatch(/in dollars/);
		// An amount the API refuses (zero): its field error, in dollars, at the field.
		await amount.fill("0");
		await submit.click();
		await expect
			.poll(() => first.locator("#offer-amount-error").textContent())
			.toBe("Enter an amount between $0.01 and $1,000,000,000,000.");
		expect(await amount.getAttribute("aria-invalid")).toBe("true");
		expect(await first.evaluate(() => document.activeElement?.id)).toBe("offer-amount");

		await amount.fill("$240,000");
		await first
			.getByRole("region", { name: "Make an offer" })
			.getByLabel("Message to the seller (optional)")
			.fill("Cash, closing in 30 days.");
		await submit.click();
		const room = first.getByRole("link", { name: "Go to the negotiation room" });
		await room.waitFor();
		expect(await first.getByRole("status").filter({ hasText: "Your offer of" }).textContent()).toContain("$240,000");
		const href = (await room.getAttribute("href")) ?? "";
		expect(href).toMatch(/^\/offers\/off_/);
		offerId = href.split("/").pop() ?? "";
		const thread = expectStatus(
			await client.api.call(contract.getOffer, { token: buyer.token, params: { id: offerId } }),
			200,
			"reading the thread",
		);
		expect(thread.body).toMatchObject({ amount_cents: 24_000_000, status: "pending", listing_id: listing.id });

		// The other tab tries again: the API's 409 names the open thread, and the page links to it.
		const again = second.getByRole("button", { name: "Make an offer" });
		await field(second, "Your offer (USD)").hover();
		await expect.poll(() => again.isEnabled()).toBe(true);
		await field(second, "Your offer (USD)").fill("250000");
		await again.click();
		const alert = second.getByRole("alert").filter({ hasText: "already have an open offer" });
		await alert.waitFor();
		expect(await alert.getByRole("link", { name: "Open your current offer" }).getAttribute("href")).toBe(href);

		// Loaded afresh, the page knows of the thread and offers the room instead of the form.
		await first.reload();
		await first.getByRole("heading", { name: "Your offer" }).waitFor();
		expect(await first.getByRole("link", { name: "Go to the negotiation room" }).getAttribute("href")).toBe(href);
		expect(await first.getByRole("button", { name: "Make an offer" }).count()).toBe(0);
		await Promise.all([first.close(), second.close()]);
		expect(unexpectedErrors()).toEqual([]);
	});

	it("lists the offer and the access request in the buyer portal", async () => {
		const page = await context.newPage();
		await page.goto(`${origin}/buyer`);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("My deals");
		expect(await page.getByRole("link", { name: /open offer/ }).textContent()).toMatch(/^1\s*open offer$/);
		expect(await page.getByRole("link", { name: /approved for details/ }).textContent()).toMatch(/^1/);
		expect(await page.getByRole("link", { name: TITLE }).getAttribute("href")).toBe(`/offers/${offerId}`);

		await page.getByRole("navigation", { name: "My deals" }).getByRole("link", { name: "Offers" }).click();
		await page.waitForURL(`${origin}/buyer/offers`);
		const thread = page.getByRole("listitem").filter({ hasText: TITLE });
		expect(await thread.textContent()).toMatch(/\$240,000.*Offer sent.*Waiting for the seller/);
		expect(await thread.getByRole("link", { name: /Open the negotiation room/ }).getAttribute("href")).toBe(
			`/offers/${offerId}`,
		);

		await page.getByRole("navigation", { name: "My deals" }).getByRole("link", { name: "Access requests" }).click();
		await page.waitForURL(`${origin}/buyer/access`);
		const request = page.getByRole("listitem").filter({ hasText: TITLE });
		expect(await request.textContent()).toMatch(/Approved.*Version 1/);
		expect(await request.getByRole("link", { name: /See the confidential details/ }).getAttribute("href")).toBe(
			`/listings/${listing.id}`,
		);
		await page.getByRole("link", { name: "Waiting for the seller" }).click();
		await page.waitForURL(`${origin}/buyer/access?status=pending`);
		await page.getByText("No requests here.").waitFor();
		await page.close();
		expect(unexpectedErrors()).toEqual([]);
	});
});

describe("the buyer's payments page", () => {
	let buyer: Account;
	let context: BrowserContext;

	beforeAll(async () => {
		buyer = await client.register("investor");
		context = await contextFor(buyer);
	});
	afterAll(() => context?.close());

	it("releases a held payment once the buyer confirms the handover in a second step", async () => {
		const deal = await held(buyer, `Handover ${WORD}`, 1_000_000);
		const page = await context.newPage();
		await page.goto(`${origin}/buyer/payments`);
		const card = page.getByRole("listitem").filter({ hasText: `Handover ${WORD}` });
		expect(await card.textContent()).toMatch(/\$10,000.*\$800.*\$9,200/);
		await card.getByText("Status: Held in escrow").waitFor();
		expect(await card.getByRole("link", { name: /Payment details/ }).getAttribute("href")).toBe(
			`/payments/${deal.paymentId}`,
		);
		const confirm = card.getByRole("button", { name: "Confirm handover" });
		await expect.poll(() => confirm.isEnabled()).toBe(true);
		await confirm.click();
		// The confirm step says what the click does before anything moves.
		expect(await card.getByText(/cannot be undone/).textContent()).toContain("$9,200 goes to the seller");
		expect((await paymentStatus(deal.paymentId, "paid")).status).toBe("paid");
		await card.getByRole("button", { name: "Yes, release the money to the seller" }).click();
		await card.getByText("Status: Released to the seller").waitFor();
		expect(await card.getByRole("status").textContent()).toMatch(/Handover confirmed/);
		expect(await card.getByRole("button", { name: "Confirm handover" }).count()).toBe(0);
		expect((await paymentStatus(deal.paymentId, "released")).status).toBe("released");
		await page.close();
		expect(unexpectedErrors()).toEqual([]);
	});

	it("opens a dispute on another held payment, asking for the reason first", async () => {
		const deal = await held(buyer, `Dispute ${WORD}`, 2_000_000);
		const page = await context.newPage();
		await page.goto(`${origin}/buyer/payments`);
		const card = page.getByRole("listitem").filter({ hasText: `Dispute ${WORD}` });
		const open = card.getByRole("button", { name: "Open a dispute" });
		await expect.poll(() => open.isEnabled()).toBe(true);
		await open.click();
		const reason = card.getByLabel("What went wrong?");
		await expect.poll(() => reason.evaluate((element) => element === document.activeElement)).toBe(true);
		// No reason: the API refuses it, and the page says so at the field.
		await card.getByRole("button", { name: "Open the dispute" }).click();
		await expect.poll(() => reason.getAttribute("aria-invalid")).toBe("true");
		expect(await card.getByText("Say what went wrong, in up to 2,000 characters.").count()).toBe(1);
		expect((await paymentStatus(deal.paymentId, "paid")).status).toBe("paid");

		await reason.fill("The source code repository was never transferred.");
		await card.getByRole("button", { name: "Open the dispute" }).click();
		await card.getByText("Status: Disputed: release frozen").waitFor();
		const disputed = await paymentStatus(deal.paymentId, "disputed");
		expect(disputed.dispute).toMatchObject({
			reason: "The source code repository was never transferred.",
			opened_by: "buyer",
		});
		await page.reload();
		const after = page.getByRole("listitem").filter({ hasText: `Dispute ${WORD}` });
		await after.getByText("Status: Disputed: release frozen").waitFor();
		expect(await after.getByRole("button", { name: "Confirm handover" }).count()).toBe(0);
		await page.close();
		expect(unexpectedErrors()).toEqual([]);
	});
});

describe("who may see what", () => {
	it("sends a guest to sign in and back, and answers a seller with the portal's 403 text", async () => {
		const guest = await newVisitor(browser);
		errors.push(collectErrors(guest));
		const page = await guest.newPage();
		await page.goto(`${origin}/buyer/payments`);
		expect(page.url()).toBe(`${origin}/sign-in?next=%2Fbuyer%2Fpayments`);
		await page.goto(`${origin}/listings/${listing.id}`);
		const callout = page.getByText(/to ask the seller for the confidential details/);
		expect(await callout.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe(
			`/sign-in?next=/listings/${listing.id}`,
		);
		expect(await page.getByRole("button", { name: "Make an offer" }).count()).toBe(0);
		await guest.close();
		expect(unexpectedErrors()).toEqual([]);

		// Not collected: the browser reports the page's own 403 as a failed load.
		const sellers = await newVisitor(browser);
		await signInContext(sellers, origin, { email: seller.email, password: seller.password });
		const own = await sellers.newPage();
		const res = await own.goto(`${origin}/buyer`);
		expect(res?.status()).toBe(403);
		await own.getByText("This page is for buyers and investors. You are signed in as a seller.").waitFor();
		await own.goto(`${origin}/listings/${listing.id}`);
		await own.getByText("This is your listing.").waitFor();
		expect(await own.getByRole("link", { name: "Manage this listing" }).getAttribute("href")).toBe(
			`/seller/listings/${listing.id}`,
		);
		expect(await own.getByRole("button", { name: "Make an offer" }).count()).toBe(0);
		expect(await own.getByRole("button", { name: "Request access" }).count()).toBe(0);
		await sellers.close();
	});
});

describe("accessibility", () => {
	it("finds no serious or critical axe violations on the signed-in listing page and the buyer portal", async () => {
		// A buyer with one of everything: a pending request, an open offer, a held payment.
		const buyer = await client.register("buyer");
		const other = await client.listing(seller, { title: `Audit ${WORD}`, nda_text: NDA });
		expectStatus(
			await client.api.call(contract.createAccessRequest, {
				token: buyer.token,
				params: { id: other.id },
				body: { accept_nda: true, nda_version: 1 },
			}),
			201,
			"asking for access",
		);
		await held(buyer, `Audit payment ${WORD}`, 1_500_000);
		const found = await auditPages(
			(width) => contextFor(buyer, { width, bypassCSP: true }),
			[
				{ name: "buyer-listing", path: `/listings/${listing.id}` },
				{ name: "buyer-overview", path: "/buyer" },
				{ name: "buyer-offers", path: "/buyer/offers" },
				{ name: "buyer-access", path: "/buyer/access" },
				{ name: "buyer-payments", path: "/buyer/payments" },
			],
			origin,
		);
		expect(found).toEqual({});
	});
});
