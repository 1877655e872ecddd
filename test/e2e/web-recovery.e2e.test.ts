/**
 * The recovery pages in a real browser against the local topology, following the links the
 * product e-mails (read from the local mail stand-in): a person signs up through the form, opens
 * the verification link and is verified; a used link says why and sends a new one; a forgotten
 * password is reset from the sign-in page's "Forgot your password?" link through the e-mailed
 * link, every other session ends, and the new password signs in. Field errors sit at their
 * fields. axe runs on the three pages at 390 and 1280 px; screenshots are `recovery-*.png`.
 */
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { register } from "../support/marketplace.ts";
import { testSecrets } from "../topology/secrets.ts";
import { startTopology, type Topology } from "../topology/topology.ts";
import {
	auditPages,
	collectErrors,
	launchBrowser,
	visitor as newVisitor,
	SCREENSHOTS,
	signInContext,
	type VisitorOptions,
} from "./browser.ts";
import { E2eClient, uniqueEmail, verifyInDatabase } from "./client.ts";
import { linkIn, SUBJECTS, waitForMail } from "./mailbox.ts";

const NEW_PASSWORD = "a brand new password, 2026";

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

const visitor = (options: VisitorOptions = {}): Promise<BrowserContext> => newVisitor(browser, options);
/** What a page logs besides the browser's own note on an answer the test asked for (a 400 or 409 the page shows). */
const unexpected = (errors: string[]) =>
	errors.filter((error) => !/Failed to load resource: the server responded with a status of 40[09]/.test(error));

async function meOf(context: BrowserContext): Promise<{ status: number; verified?: boolean }> {
	const res = await context.request.get(`${origin}/api/v1/me`);
	if (res.status() !== 200) return { status: res.status() };
	return { status: 200, verified: ((await res.json()) as { user: { email_verified: boolean } }).user.email_verified };
}

describe("verifying an e-mail address", () => {
	it("signs up through the form, opens the e-mailed link and is verified", async () => {
		const context = await visitor();
		const errors = collectErrors(context);
		const page = await context.newPage();
		const email = uniqueEmail("web-verify");
		await page.goto(`${origin}/sign-up`);
		await page.getByLabel("Your name").fill("Vera Verified");
		await page.getByLabel("Email").fill(email);
		await page.getByLabel("Password").fill("correct horse battery staple");
		await page.getByRole("button", { name: "Create account" }).click();
		await page.waitForURL(`${origin}/`);
		expect(await meOf(context)).toEqual({ status: 200, verified: false });

		const link = linkIn(await waitForMail(topology, email, SUBJECTS.verify), "/verify-email");
		expect(link.origin).toBe(origin);
		await page.goto(link.href);
		const done = page.getByRole("heading", { name: "Your e-mail address is confirmed" });
		await done.waitFor();
		expect(page.url()).toBe(`${origin}/verify-email`);
		expect(await page.getByRole("link", { name: "Go to your deals" }).getAttribute("href")).toBe("/buyer");
		expect(await meOf(context)).toEqual({ status: 200, verified: true });
		await page.screenshot({ path: join(SCREENSHOTS, "recovery-verified-1280.png"), fullPage: true });
		expect(errors).toEqual([]);
		await context.close();
	});

	it("says why a used link does not work, and sends a signed-in visitor a new one that does", async () => {
		const account = await register(client.api, "seller", { label: "web-recovery" });
		const first = linkIn(await waitForMail(topology, account.email, SUBJECTS.verify), "/verify-email");
		const token = first.searchParams.get("token") ?? "";
		expect((await client.api.call(contract.verifyEmail, { body: { token } })).status).toBe(200);
		// Unverify, as if that first link had been opened by someone else's scanner and the address then changed back.
		await (await topology.db())
			.prepare("UPDATE users SET email_verified_at = NULL WHERE id = ?1")
			.bind(account.user.id)
			.run();

		const context = await visitor();
		const errors = collectErrors(context);
		await signInContext(context, origin, { email: account.email, password: account.password });
		const page = await context.newPage();
		await page.goto(first.href);
		await page.getByRole("heading", { name: "We could not confirm your address" }).waitFor();
		expect(await page.getByRole("alert").textContent()).toContain("it was used already");
		await page.getByRole("button", { name: "Send the link again" }).click();
		await expect.poll(() => page.getByRole("status").textContent()).toContain("A new link is on its way.");

		const second = linkIn(await waitForMail(topology, account.email, SUBJECTS.verify, 2), "/verify-email");
		expect(second.href).not.toBe(first.href);
		await page.goto(second.href);
		await page.getByRole("heading", { name: "Your e-mail address is confirmed" }).waitFor();
		expect(await page.getByRole("link", { name: "Go to the seller portal" }).getAttribute("href")).toBe("/seller");
		expect(await meOf(context)).toEqual({ status: 200, verified: true });
		expect(unexpected(errors)).toEqual([]);
		await context.close();
	});
});

describe("resetting a forgotten password", () => {
	it("resets it from the sign-in page through the e-mailed link, ends every other session, and signs in anew", async () => {
		const account = await client.register("seller");
		const elsewhere = await visitor();
		await signInContext(elsewhere, origin, { email: account.email, password: account.password });
		expect((await meOf(elsewhere)).status).toBe(200);

		const context = await visitor();
		const errors = collectErrors(context);
		const page = await context.newPage();
		await page.goto(`${origin}/sign-in`);
		await page.getByRole("link", { name: "Forgot your password?" }).click();
		await page.waitForURL(`${origin}/forgot-password`);
		await page.getByLabel("E-mail address").fill(account.email);
		await page.getByRole("button", { name: "Send me a reset link" }).click();
		await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
		expect(await page.getByRole("status").textContent()).toContain(account.email);

		const link = linkIn(await waitForMail(topology, account.email, SUBJECTS.reset), "/reset-password");
		await page.goto(link.href);
		await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
		await page.getByLabel("Repeat the new password").fill(NEW_PASSWORD);
		await page.getByRole("button", { name: "Change password" }).click();
		await page.getByRole("heading", { name: "Your password is changed" }).waitFor();
		expect(page.url()).toBe(`${origin}/reset-password`);

		expect((await meOf(elsewhere)).status).toBe(401);
		const stale = await elsewhere.newPage();
		await stale.goto(`${origin}/account`);
		expect(stale.url()).toBe(`${origin}/sign-in?next=${encodeURIComponent("/account")}`);
		await waitForMail(topology, account.email, SUBJECTS.changed);

		await page.getByRole("link", { name: "Sign in", exact: true }).last().click();
		await page.waitForURL(`${origin}/sign-in`);
		await page.getByLabel("Email").fill(account.email);
		await page.getByLabel("Password").fill(NEW_PASSWORD);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.waitForURL(`${origin}/`);
		await expect.poll(() => page.getByText("Signed in as").count()).toBe(1);
		expect(errors).toEqual([]);
		await Promise.all([context.close(), elsewhere.close()]);
	});

	it("shows field errors at their fields, and a used link's problem with the way to a new one", async () => {
		const account = await client.register("buyer");
		const context = await visitor();
		const page = await context.newPage();

		await page.goto(`${origin}/forgot-password`);
		await page.getByLabel("E-mail address").fill("not an address");
		await page.getByRole("button", { name: "Send me a reset link" }).click();
		const email = page.getByLabel("E-mail address");
		await expect.poll(() => email.getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#forgot-email-error").textContent()).toMatch(/must be an email address/);

		expect((await client.api.call(contract.requestPasswordReset, { body: { email: account.email } })).status).toBe(202);
		const link = linkIn(await waitForMail(topology, account.email, SUBJECTS.reset), "/reset-password");
		await page.goto(link.href);
		const password = page.getByLabel("New password", { exact: true });
		await password.fill("too short");
		await page.getByLabel("Repeat the new password").fill("too short");
		await page.getByRole("button", { name: "Change password" }).click();
		await expect.poll(() => password.getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#reset-password-error").textContent()).toMatch(/at least 12 characters/);
		expect(await page.evaluate(() => document.activeElement?.id)).toBe("reset-password");

		await password.fill(NEW_PASSWORD);
		await page.getByLabel("Repeat the new password").fill(`${NEW_PASSWORD}!`);
		await page.getByRole("button", { name: "Change password" }).click();
		const repeat = page.getByLabel("Repeat the new password");
		await expect.poll(() => repeat.getAttribute("aria-invalid")).toBe("true");

		const token = link.searchParams.get("token") ?? "";
		const used = await client.api.call(contract.confirmPasswordReset, { body: { token, password: NEW_PASSWORD } });
		expect(used.status).toBe(200);
		await repeat.fill(NEW_PASSWORD);
		await page.getByRole("button", { name: "Change password" }).click();
		await expect.poll(() => page.getByRole("alert").textContent()).toContain("This reset link does not work");
		expect(await page.getByRole("link", { name: "Ask for a new link" }).getAttribute("href")).toBe("/forgot-password");
		await page.screenshot({ path: join(SCREENSHOTS, "recovery-used-link-390.png"), fullPage: true });
		await context.close();
	});
});

describe("accessibility", () => {
	it("finds no serious or critical axe violations on the recovery pages at phone and desktop widths", async () => {
		const found = await auditPages(
			(width) => visitor({ width, bypassCSP: true }),
			[
				{ name: "recovery-forgot-password", path: "/forgot-password" },
				{ name: "recovery-reset-password", path: "/reset-password?token=not-a-real-token" },
				{ name: "recovery-verify-email", path: "/verify-email" },
			],
			origin,
		);
		expect(found).toEqual({});
	});
});
