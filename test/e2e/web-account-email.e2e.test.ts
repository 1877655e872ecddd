/**
 * The account page's e-mail address and deletion sections, and the address-change link's page, in
 * a real browser against the local topology, following the link the product e-mails (read from
 * the local mail stand-in): the person asks for the change on /account, opens the link from the
 * new inbox, confirms, is signed out and signs in with the new address; a wrong password is a
 * field error at its field; an account is deleted behind its confirm step and the session ends.
 * axe runs on /account and /confirm-email-change at 390 and 1280 px (screenshots
 * `account-email-*.png`).
 */
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSecrets } from "../topology/secrets.ts";
import { startTopology, type Topology } from "../topology/topology.ts";
import {
	auditPages,
	collectErrors,
	launchBrowser,
	visitor as newVisitor,
	SCREENSHOTS,
	seriousViolations,
	signInContext,
} from "./browser.ts";
import { E2eClient, uniqueEmail, verifyInDatabase } from "./client.ts";
import { linkIn, waitForMail } from "./mailbox.ts";

const SUBJECTS = {
	link: "Confirm your new e-mail address",
	requested: "Your TechFlunky e-mail address is being changed",
	changed: "Your TechFlunky e-mail address was changed",
} as const;

let topology: Topology;
let client: E2eClient;
let browser: Browser;
let origin: string;

beforeAll(async () => {
	[topology, browser] = await Promise.all([
		startTopology({ secrets: testSecrets(), localMail: true }),
		launchBrowser(),
	]);
	client = new E2eClient(topology.url.port, { verify: verifyInDatabase(topology.db) });
	origin = client.origin();
});

afterAll(async () => {
	await browser?.close();
	await client?.close();
	await topology?.dispose();
});

/** What a page logs besides the browser's own note on an answer the test asked for (a 400 the page shows). */
const unexpected = (errors: string[]) =>
	errors.filter((error) => !/Failed to load resource: the server responded with a status of 40[019]/.test(error));

async function signedIn(
	account: { email: string; password: string },
	options: { width?: number; bypassCSP?: boolean } = {},
): Promise<BrowserContext> {
	const context = await newVisitor(browser, options);
	await signInContext(context, origin, { email: account.email, password: account.password });
	return context;
}

const meStatus = async (context: BrowserContext) => (await context.request.get(`${origin}/api/v1/me`)).status();

describe("changing the e-mail address on the account page", () => {
	it("sends the link to the new inbox, confirms on the link's page and signs in with the new address", async () => {
		const account = await client.register("buyer");
		const next = uniqueEmail("web-changed");
		const context = await signedIn(account);
		const errors = collectErrors(context);
		const page = await context.newPage();
		await page.goto(`${origin}/account`);
		const section = page.getByRole("region", { name: "E-mail address" });
		await expect.poll(() => section.textContent()).toContain(account.email);
		await expect.poll(() => section.textContent()).toContain("verified");
		await section.getByLabel("New e-mail address").fill(next);
		await section.getByLabel("Your password").fill(account.password);
		await section.getByRole("button", { name: "Change e-mail address" }).click();
		await expect.poll(() => section.getByRole("status").textContent()).toContain(`Check the inbox of ${next}`);
		await waitForMail(topology, account.email, SUBJECTS.requested);

		const link = linkIn(await waitForMail(topology, next, SUBJECTS.link), "/confirm-email-change");
		expect(link.origin).toBe(origin);
		await page.goto(link.href);
		await page.getByRole("button", { name: "Confirm new address" }).click();
		await page.getByRole("heading", { name: "Your e-mail address is changed" }).waitFor();
		expect(page.url()).toBe(`${origin}/confirm-email-change`);
		expect(await meStatus(context)).toBe(401);
		await waitForMail(topology, account.email, SUBJECTS.changed);

		const fresh = await newVisitor(browser);
		await signInContext(fresh, origin, { email: next, password: account.password });
		expect(await meStatus(fresh)).toBe(200);
		expect(unexpected(errors)).toEqual([]);
		await Promise.all([context.close(), fresh.close()]);
	});

	it("shows a wrong password at its field and changes nothing", async () => {
		const account = await client.register("seller");
		const context = await signedIn(account);
		const errors = collectErrors(context);
		const page = await context.newPage();
		await page.goto(`${origin}/account`);
		const section = page.getByRole("region", { name: "E-mail address" });
		await section.getByLabel("New e-mail address").fill(uniqueEmail("web-unchanged"));
		await section.getByLabel("Your password").fill("not the password at all");
		await section.getByRole("button", { name: "Change e-mail address" }).click();
		const password = section.getByLabel("Your password");
		await expect.poll(() => password.getAttribute("aria-invalid")).toBe("true");
		await expect.poll(() => section.getByRole("alert").first().textContent()).toContain("The password is wrong.");
		expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("password");
		expect(await meStatus(context)).toBe(200);
		expect(unexpected(errors)).toEqual([]);
		await context.close();
	});

	it("says why a used or incomplete link does not work", async () => {
		const context = await newVisitor(browser);
		const page = await context.newPage();
		await page.goto(`${origin}/confirm-email-change?token=an-unknown-token-of-the-right-length-abcdefg`);
		await page.getByRole("button", { name: "Confirm new address" }).click();
		await page.getByRole("heading", { name: "We could not change your address" }).waitFor();
		expect(await page.getByRole("alert").textContent()).toContain("it was used already, it has expired");
		await page.goto(`${origin}/confirm-email-change`);
		await page.getByRole("heading", { name: "We could not change your address" }).waitFor();
		await context.close();
	});
});

describe("deleting the account on the account page", () => {
	it("asks to confirm with the password, deletes, and the session is gone", async () => {
		const account = await client.register("seller");
		const context = await signedIn(account, { bypassCSP: true });
		const errors = collectErrors(context);
		const page = await context.newPage();
		await page.goto(`${origin}/account`);
		const section = page.getByRole("region", { name: "Delete your account" });
		await section.getByRole("button", { name: "Delete my account…" }).click();
		await section.getByRole("button", { name: "Keep my account" }).click();
		await section.getByRole("button", { name: "Delete my account…" }).click();
		await section.getByRole("button", { name: "Delete my account for good" }).click();
		await expect.poll(() => section.getByLabel("Your password").getAttribute("aria-invalid")).toBe("true");
		expect(await seriousViolations(page)).toEqual([]);
		await page.screenshot({ path: join(SCREENSHOTS, "account-email-delete-confirm-1280.png"), fullPage: true });
		await section.getByLabel("Your password").fill(account.password);
		await section.getByRole("button", { name: "Delete my account for good" }).click();
		await page.getByRole("heading", { name: "Your account is deleted" }).waitFor();
		expect(await meStatus(context)).toBe(401);
		const login = await context.request.post(`${origin}/api/v1/auth/login`, {
			data: { email: account.email, password: account.password },
			headers: { Origin: origin },
		});
		expect(login.status()).toBe(401);
		expect(unexpected(errors)).toEqual([]);
		await context.close();
	});
});

describe("accessibility", () => {
	it("has no serious axe findings on the account page and the link's page at 390 and 1280 px", async () => {
		const account = await client.register("buyer");
		const found = await auditPages(
			(width) => signedIn(account, { width, bypassCSP: true }),
			[
				{ name: "account-email-account", path: "/account" },
				{ name: "account-email-confirm", path: "/confirm-email-change?token=abc" },
			],
			origin,
		);
		expect(found).toEqual({});
	});
});
