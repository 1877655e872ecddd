/**
 * The notification pages in a real browser against the local topology: the settings page
 * (`/account/notifications`) turns a kind off and picks the daily digest, saved through the API and
 * shown again after a reload; the unsubscribe landing page (`/unsubscribe?token=…`, the e-mail's
 * visible link) says what it turns off, does nothing until the button is pressed, works signed
 * out, and says why a forged link does not work. axe at 390 and 1280 px; screenshots
 * `notifications-*.png`.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unsubscribeToken } from "../../shared/notifications/unsubscribe-token.ts";
import { testSecrets } from "../topology/secrets.ts";
import { startTopology, type Topology } from "../topology/topology.ts";
import { auditPages, collectErrors, launchBrowser, visitor as newVisitor, signInContext } from "./browser.ts";
import { E2eClient, verifyInDatabase } from "./client.ts";

const secrets = testSecrets();
let topology: Topology;
let client: E2eClient;
let browser: Browser;
let origin: string;

beforeAll(async () => {
	[topology, browser] = await Promise.all([startTopology({ secrets, localMail: true }), launchBrowser()]);
	client = new E2eClient(topology.url.port, { verify: verifyInDatabase(topology.db) });
	origin = client.origin();
});

afterAll(async () => {
	await browser?.close();
	await client?.close();
	await topology?.dispose();
});

const visitor = (width?: number): Promise<BrowserContext> =>
	newVisitor(browser, width === undefined ? {} : { width, bypassCSP: true });
/** The browser's own note on a 400 the page was asked to show. */
const unexpected = (errors: string[]) =>
	errors.filter((error) => !/Failed to load resource: the server responded with a status of 400/.test(error));

async function preferencesOf(token: string): Promise<Record<string, unknown>> {
	const res = await client.call("/api/v1/me/notifications", { token });
	expect(res.status).toBe(200);
	return (await res.json()) as Record<string, unknown>;
}

describe("notification settings page", () => {
	it("turns a kind off and picks the daily digest, and shows it again after a reload", async () => {
		const seller = await client.register("seller");
		const context = await visitor();
		const errors = collectErrors(context);
		await signInContext(context, origin, { email: seller.email, password: seller.password });
		const page = await context.newPage();
		// Reached from the account page, as a person finds it.
		await page.goto(`${origin}/account`);
		await page.getByRole("link", { name: "notification settings" }).click();
		await page.waitForURL(`${origin}/account/notifications`);
		await page.getByRole("heading", { name: "Notification settings", level: 1 }).waitFor();
		const offers = page.getByLabel("An offer arrives on your listing");
		expect(await offers.isChecked()).toBe(true);
		await offers.uncheck();
		await page.getByLabel("In a daily digest, at most one e-mail per saved search a day").check();
		await page.getByRole("button", { name: "Save notification settings" }).click();
		await page.getByRole("status").filter({ hasText: "Your notification settings are saved." }).waitFor();
		expect(await preferencesOf(seller.token)).toMatchObject({
			offer_received: false,
			offer_accepted: true,
			digest: "daily",
		});

		await page.reload();
		expect(await page.getByLabel("An offer arrives on your listing").isChecked()).toBe(false);
		expect(await page.getByLabel("In a daily digest, at most one e-mail per saved search a day").isChecked()).toBe(
			true,
		);
		await expect.poll(() => page.getByText("Resetting your password").count()).toBe(1);
		expect(errors).toEqual([]);
		await context.close();
	});

	it("sends a guest to sign in and back", async () => {
		const context = await visitor();
		const page = await context.newPage();
		await page.goto(`${origin}/account/notifications`);
		expect(new URL(page.url()).pathname).toBe("/sign-in");
		await context.close();
	});
});

describe("unsubscribe landing page", () => {
	it("says what it turns off and turns it off only when the button is pressed, signed out", async () => {
		const buyer = await client.register("buyer");
		const token = await unsubscribeToken(secrets.UNSUBSCRIBE_SECRET, buyer.user.id, "payment_paid");
		const context = await visitor();
		const errors = collectErrors(context);
		const page = await context.newPage();
		await page.goto(`${origin}/unsubscribe?token=${encodeURIComponent(token)}`);
		await page.getByRole("heading", { name: "Unsubscribe from these e-mails" }).waitFor();
		await page.getByText("A payment is made").waitFor();
		// Opening the page (as a link scanner does) changes nothing.
		expect((await preferencesOf(buyer.token)).payment_paid).toBe(true);

		await page.getByRole("button", { name: "Unsubscribe" }).click();
		await page.getByRole("heading", { name: "You are unsubscribed" }).waitFor();
		expect(await preferencesOf(buyer.token)).toMatchObject({ payment_paid: false, offer_accepted: true });
		expect(new URL(page.url()).search).toBe("");
		expect(errors).toEqual([]);
		await context.close();
	});

	it("says a forged link does not work, and changes nothing", async () => {
		const buyer = await client.register("buyer");
		const forged = await unsubscribeToken("not-the-secret", buyer.user.id, "payment_paid");
		const context = await visitor();
		const errors = collectErrors(context);
		const page = await context.newPage();
		await page.goto(`${origin}/unsubscribe?token=${encodeURIComponent(forged)}`);
		await page.getByRole("button", { name: "Unsubscribe" }).click();
		await page.getByRole("heading", { name: "We could not unsubscribe you" }).waitFor();
		await page.getByText("This unsubscribe link does not work").waitFor();
		expect((await preferencesOf(buyer.token)).payment_paid).toBe(true);
		expect(unexpected(errors)).toEqual([]);
		await context.close();
	});
});

describe("accessibility", () => {
	it("finds no serious or critical axe violations on the notification pages at phone and desktop widths", async () => {
		const account = await client.register("buyer");
		const token = await unsubscribeToken(secrets.UNSUBSCRIBE_SECRET, account.user.id, "offer_accepted");
		const found = await auditPages(
			async (width) => {
				const context = await visitor(width);
				await signInContext(context, origin, { email: account.email, password: account.password });
				return context;
			},
			[
				{ name: "notifications-settings", path: "/account/notifications" },
				{ name: "notifications-unsubscribe", path: `/unsubscribe?token=${encodeURIComponent(token)}` },
			],
			origin,
		);
		expect(found).toEqual({});
	});
});
