/**
 * The admin console's money and moderation pages in a real browser against the local topology
 * (with the local Stripe): a buyer's dispute is decided from /admin/disputes in two explicit steps
 * and leaves the list; a listing found on /admin/listings is archived for moderation with a
 * required reason and shows as archived to its seller, and a second try from a stale page shows
 * the API's refusal in place. axe runs on both pages with their cards and controls showing, at
 * 390 and 1280 px (screenshots `admin-disputes-open-*.png`, `admin-listings-found-*.png`).
 * Metrics, alerts, dead letters, the audit log and access are ./web-admin.e2e.test.ts.
 *
 * One topology and one admin browser session for the file (./web-admin-support.ts); accounts,
 * listings, the payment and the buyer's dispute are set up through the API.
 */
import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import { visitor as newVisitor, signInContext } from "./browser.ts";
import { type Account, type E2eClient, expectStatus, type SignedInAdmin } from "./client.ts";
import { heldPayment, onboardedSeller, paymentIn } from "./deals.ts";
import { type AdminBrowser, adminConsoleForFile } from "./web-admin-support.ts";

const WORD = `moderate${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;

let topology: Topology;
let client: E2eClient;
let admin: SignedInAdmin;
let ui: AdminBrowser;
let browser: Browser;
let origin: string;
let page: Page;
let seller: Account;

adminConsoleForFile({ secrets: testSecrets(), admin: "moderator", localStripe: true, localMail: true }, (file) => {
	({ topology, client, admin, ui } = file);
	({ browser, origin, page } = ui);
});

beforeAll(async () => {
	seller = await onboardedSeller(client, topology.stripe?.url);
});

describe("disputes", () => {
	it("decides a buyer's dispute after confirming, and the payment leaves the list", async () => {
		const buyer = await client.register("buyer");
		const title = `Disputed ${WORD}`;
		const { paymentId } = await heldPayment(client, topology.stripe?.url, { seller, buyer }, title, 500_000);
		expectStatus(
			await client.api.call(contract.openDispute, {
				token: buyer.token,
				params: { id: paymentId },
				body: { reason: "The repository was empty." },
			}),
			200,
			"disputing",
		);
		// The list filters on the consolidated status, a few seconds behind the payment itself.
		await ui.reloadUntil(
			"/admin/disputes",
			async () => (await page.getByRole("article", { name: title }).count()) === 1,
		);
		const card = page.getByRole("article", { name: title });
		expect(await card.textContent()).toContain("The repository was empty.");
		expect(await card.textContent()).toContain("$5,000");
		expect(await card.textContent()).toContain(buyer.tenant.id);
		expect(await card.textContent()).toContain(seller.tenant.id);
		expect(await ui.audit([{ name: "admin-disputes-open", path: "/admin/disputes" }])).toEqual({});

		// No reason: refused at the field before anything is sent.
		const refund = card.getByRole("button", { name: `Refund the buyer for ${title}` });
		await expect.poll(() => refund.isEnabled()).toBe(true);
		await refund.click();
		const reason = card.getByLabel(`Your decision's reason for ${title}`);
		await expect.poll(() => reason.getAttribute("aria-invalid")).toBe("true");
		await reason.fill("The seller did not hand the code over.");
		await refund.click();
		// The second, explicit step: cancelling sends nothing.
		await card.getByRole("button", { name: `Cancel the decision for ${title}` }).click();
		expect((await paymentIn(client, seller, paymentId, "disputed")).status).toBe("disputed");
		await refund.click();
		await card.getByRole("button", { name: "Yes, refund the buyer" }).click();
		await expect.poll(() => card.getByRole("status").textContent()).toContain("Refunded");
		await paymentIn(client, seller, paymentId, "refunded");

		await ui.reloadUntil(
			"/admin/disputes",
			async () => (await page.getByRole("article", { name: title }).count()) === 0,
		);
		expect(ui.unexpected()).toEqual([]);
	});
});

describe("listing moderation", () => {
	it("archives a listing with a required reason after confirming; its seller sees it archived", async () => {
		const title = `Spammy ${WORD}`;
		const listing = await client.listing(seller, { title });
		await page.goto(`${origin}/admin/listings`);
		await page.getByLabel("Words in the listing").fill(WORD);
		await page.getByRole("button", { name: "Find" }).click();
		await page.waitForURL(/q=/);
		expect(await ui.audit([{ name: "admin-listings-found", path: `/admin/listings?q=${WORD}` }])).toEqual({});
		const card = page.getByRole("article", { name: title });
		const archive = card.getByRole("button", { name: `Archive for moderation ${title}` });
		await expect.poll(() => archive.isEnabled()).toBe(true);
		await archive.click();
		const reason = card.getByLabel(`Reason for archiving ${title}`);
		await expect.poll(() => reason.getAttribute("aria-invalid")).toBe("true");
		await reason.fill("Copies another seller's listing word for word.");
		await archive.click();
		await card.getByRole("button", { name: `Yes, archive ${title}` }).click();
		await expect.poll(() => card.getByRole("status").textContent()).toContain("Archived");

		// The seller's own page of the listing says so.
		const sellerContext = await newVisitor(browser);
		await signInContext(sellerContext, origin, { email: seller.email, password: seller.password });
		const sellerPage = await sellerContext.newPage();
		await sellerPage.goto(`${origin}/seller/listings/${listing.id}`);
		expect(await sellerPage.locator("#listing-status").textContent()).toBe("Status: Archived");
		await sellerContext.close();

		// Found by id, an archived listing has nothing left to archive.
		await page.goto(`${origin}/admin/listings?id=${listing.id}`);
		expect(await page.getByRole("article", { name: title }).textContent()).toContain("Archived");
		expect(await page.getByRole("button", { name: `Archive for moderation ${title}` }).count()).toBe(0);
		expect(ui.unexpected()).toEqual([]);
	});

	it("shows the API's refusal in place when the listing was archived meanwhile", async () => {
		const title = `Twice ${WORD}`;
		const listing = await client.listing(seller, { title });
		await page.goto(`${origin}/admin/listings?id=${listing.id}`);
		expectStatus(
			await client.api.call(contract.archiveListingModeration, {
				token: admin.token,
				params: { id: listing.id },
				body: { reason: "Archived from elsewhere first." },
			}),
			200,
			"archiving over the API",
		);
		const card = page.getByRole("article", { name: title });
		await card.getByLabel(`Reason for archiving ${title}`).fill("Again.");
		const archive = card.getByRole("button", { name: `Archive for moderation ${title}` });
		await expect.poll(() => archive.isEnabled()).toBe(true);
		await archive.click();
		await card.getByRole("button", { name: `Yes, archive ${title}` }).click();
		await expect.poll(() => card.getByRole("alert").textContent()).not.toBe("");
		expect(await card.getByRole("status").count()).toBe(0);
		expect(ui.unexpected([409])).toEqual([]);
	});

	it("answers an id that is not a listing id with the error at its field", async () => {
		const res = await page.goto(`${origin}/admin/listings?id=nope`);
		expect(res?.status()).toBe(400);
		expect(await page.getByLabel("Or a listing id (any status)").getAttribute("aria-invalid")).toBe("true");
	});
});
