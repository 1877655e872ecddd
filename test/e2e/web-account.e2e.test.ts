/**
 * The account page and the admin console in a real browser against the local topology. A person
 * changes their password (their other sessions end, the old password stops working), sets up
 * two-factor sign-in from the QR code (the code is computed from the key the page shows, with the
 * project's own TOTP code, and the QR is checked to encode that key), signs out and back in
 * through the form's code step, and turns it off again. An admin suspends a tenant after
 * confirming (its token is refused, it cannot sign in), reactivates it, sets and clears a
 * rate-limit override (the tenant's own answers carry the new policy), sees the API's refusal
 * when suspending their own tenant, and pages through tenants; other roles get the 403 text.
 * axe runs on each page at 390 and 1280 px; screenshots are `account-*.png` and `admin-*.png`.
 *
 * Sign-in is limited per account (a burst of 5), so each flow has its own account and sessions
 * are made by registering (which spends no per-account token) or copied between contexts.
 */
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { encode } from "uqr";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { otpauthUri } from "../../shared/crypto/totp.ts";
import { testSecrets } from "../topology/secrets.ts";
import { type SeededAdmin, seededAdmin } from "../topology/seed.ts";
import { startTopology, type Topology } from "../topology/topology.ts";
import {
	auditPages,
	collectErrors,
	DESKTOP,
	launchBrowser,
	visitor as newVisitor,
	PHONE,
	SCREENSHOTS,
	seriousViolations,
	signInContext,
	type VisitorOptions,
} from "./browser.ts";
import { E2eClient, expectStatus } from "./client.ts";
import { nextCode, People, qrModules, type Role, signInThroughForm, unexpected, wrong } from "./web-account-support.ts";

const NEW_PASSWORD = "a much longer new passphrase";

let topology: Topology;
let client: E2eClient;
let browser: Browser;
let origin: string;
let admin: SeededAdmin;
let people: People;

beforeAll(async () => {
	const secrets = testSecrets();
	admin = await seededAdmin(secrets.PASSWORD_PEPPER, "account");
	[topology, browser] = await Promise.all([
		startTopology({ secrets, seedSql: admin.sql, localMail: true }),
		launchBrowser(),
	]);
	client = new E2eClient(topology.url.port);
	origin = client.origin();
	people = new People(client, browser);
});

afterAll(async () => {
	await browser?.close();
	await client?.close();
	await topology?.dispose();
});

const visitor = (options: VisitorOptions = {}): Promise<BrowserContext> => newVisitor(browser, options);
const adminCredentials = () => ({ email: admin.email, password: admin.password });
const person = (role: Role, label: string) => people.person(role, label);
const personIn = (context: BrowserContext, role: Role, label: string) => people.personIn(context, role, label);
const sameSession = (from: BrowserContext, width: number) => people.sameSession(from, width);

describe("account page", () => {
	it("sends a guest to sign in and back to the account page", async () => {
		const context = await visitor();
		const page = await context.newPage();
		await page.goto(`${origin}/account`);
		expect(page.url()).toBe(`${origin}/sign-in?next=${encodeURIComponent("/account")}`);
		await context.close();
	});

	it("changes the password: every other session ends, the old password stops working and the new one works", async () => {
		const account = await person("buyer", "Pat Password");
		const context = await visitor();
		const errors = collectErrors(context);
		const page = await context.newPage();
		await page.goto(`${origin}/account`);
		await signInThroughForm(page, account.email, account.password);
		await page.waitForURL(`${origin}/account`);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Your account");
		expect(await page.getByText(account.email, { exact: true }).count()).toBe(1);

		const current = page.getByLabel("Current password");
		const fresh = page.getByLabel("New password", { exact: true });
		const repeat = page.getByLabel("Repeat the new password");
		const change = page.getByRole("button", { name: "Change password" });
		await current.fill(account.password);
		await fresh.fill(NEW_PASSWORD);
		await repeat.fill(`${NEW_PASSWORD}!`);
		await change.click();
		await expect.poll(() => repeat.getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#password-repeat_password-error").textContent()).toBe(
			"The two new passwords are not the same.",
		);

		await current.fill("not my password at all");
		await repeat.fill(NEW_PASSWORD);
		await change.click();
		await expect.poll(() => current.getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#password-current_password-error").textContent()).toBe("Current password is wrong.");
		expect(await page.locator(".form-problem").textContent()).toBe("The current password is wrong.");
		await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("password-current_password");

		await current.fill(account.password);
		await fresh.fill(NEW_PASSWORD);
		await repeat.fill(NEW_PASSWORD);
		await change.click();
		await expect.poll(() => page.getByRole("status").filter({ hasText: "Your password is changed" }).count()).toBe(1);
		expect(await current.inputValue()).toBe("");

		// The session from registering has ended; this browser's new one goes on.
		expect((await client.api.call(contract.getMe, { token: account.token })).status).toBe(401);
		await page.reload();
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Your account");
		expect((await client.login({ email: account.email, password: account.password })).status).toBe(401);
		expect((await client.login({ email: account.email, password: NEW_PASSWORD })).status).toBe(200);
		expect(unexpected(errors, [400])).toEqual([]);
		await context.close();
	});

	it("sets up two-factor sign-in from the QR code and signs in again through the form's code step", async () => {
		const context = await visitor();
		const errors = collectErrors(context);
		const account = await personIn(context, "seller", "Tess Totp");
		const page = await context.newPage();
		await page.goto(`${origin}/account`);
		const mfa = page.getByRole("region", { name: "Two-factor sign-in" });
		expect(await mfa.textContent()).toContain("Two-factor sign-in is off");
		await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
		const step = page.getByRole("heading", { name: "Scan this code with your authenticator app" });
		await step.waitFor();
		await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe("H3");

		const secret = ((await page.locator("#mfa-secret").textContent()) ?? "").replaceAll(" ", "");
		expect(secret).toMatch(/^[A-Z2-7]{32}$/);
		// The QR holds the otpauth URI of exactly the key shown as text.
		const expected = encode(otpauthUri(secret, account.email), { ecc: "M", border: 4 }).data;
		expect(await qrModules(page)).toEqual(expected);
		await page.screenshot({ path: join(SCREENSHOTS, "account-mfa-setup-1280.png"), fullPage: true });

		const code = page.getByLabel("Code from your authenticator app");
		const turnOn = page.getByRole("button", { name: "Turn on two-factor sign-in" });
		await code.fill("12ab");
		await turnOn.click();
		await expect.poll(() => code.getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#mfa-otp-error").textContent()).toBe(
			"Enter the 6-digit code your authenticator app shows.",
		);

		const first = await nextCode(secret, null);
		await code.fill(wrong(first.code));
		await turnOn.click();
		await expect.poll(() => page.locator(".form-problem").textContent()).toBe("The one-time code is not valid.");
		expect(await page.locator("#mfa-otp-error").textContent()).toBe("The code is wrong, expired or already used.");

		await code.fill(first.code);
		await turnOn.click();
		await expect.poll(() => page.getByRole("status").filter({ hasText: "Two-factor sign-in is on." }).count()).toBe(1);
		await page.reload();
		expect(await mfa.textContent()).toContain("Two-factor sign-in is on");

		await page.getByRole("button", { name: "Sign out" }).click();
		await expect.poll(() => page.getByRole("link", { name: "Sign in" }).count()).toBe(1);
		await page.goto(`${origin}/sign-in`);
		await signInThroughForm(page, account.email, account.password);
		const otp = page.getByLabel("Code from your authenticator app");
		await otp.waitFor();
		expect(page.url()).toBe(`${origin}/sign-in`);
		const second = await nextCode(secret, first.step);
		await otp.fill(second.code);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.waitForURL(`${origin}/`);
		await expect.poll(() => page.getByText("Signed in as").count()).toBe(1);
		expect(await page.locator("header").textContent()).toContain(account.name);
		expect(unexpected(errors, [400, 401])).toEqual([]);
		await context.close();
	});

	it("turns two-factor sign-in off with a current code", async () => {
		const context = await visitor();
		const errors = collectErrors(context);
		const account = await personIn(context, "investor", "Otto Off");
		const setup = expectStatus(await client.api.call(contract.setupMfa, { token: account.token }), 200, "MFA setup");
		const enabled = await nextCode(setup.body.secret, null);
		expectStatus(
			await client.api.call(contract.enableMfa, { token: account.token, body: { otp: enabled.code } }),
			200,
			"MFA enable",
		);
		const page = await context.newPage();
		await page.goto(`${origin}/account`);
		expect(await page.getByRole("region", { name: "Two-factor sign-in" }).textContent()).toContain(
			"Two-factor sign-in is on",
		);
		const next = await nextCode(setup.body.secret, enabled.step);
		await page.getByLabel("Code from your authenticator app").fill(next.code);
		await page.getByRole("button", { name: "Turn off two-factor sign-in" }).click();
		await expect.poll(() => page.getByRole("status").filter({ hasText: "Two-factor sign-in is off." }).count()).toBe(1);
		expect(await page.getByRole("button", { name: "Set up two-factor sign-in" }).count()).toBe(1);
		const me = expectStatus(await client.api.call(contract.getMe, { token: account.token }), 200, "me");
		expect(me.body.user.mfa_enabled).toBe(false);
		expect(errors).toEqual([]);
		await context.close();
	});
});

describe("admin console", () => {
	let adminContext: BrowserContext;
	let adminErrors: string[];
	let page: Page;
	/** The admin's API session, for checking what the page did (one sign-in: they are limited per account). */
	let adminToken: string;

	beforeAll(async () => {
		adminToken = (await client.signIn(admin.email, admin.password)).token;
		adminContext = await visitor();
		adminErrors = collectErrors(adminContext);
		await signInContext(adminContext, origin, adminCredentials());
		page = await adminContext.newPage();
	});

	beforeEach(() => {
		adminErrors.length = 0;
	});

	afterAll(async () => {
		await adminContext?.close();
	});

	const card = (name: string) => page.getByRole("article", { name });
	const adminTenant = async (id: string) => {
		for (let cursor: string | undefined; ; ) {
			const query = { limit: 100, ...(cursor ? { cursor } : {}) };
			const res = expectStatus(
				await client.api.call(contract.listTenants, { token: adminToken, query }),
				200,
				"listing tenants",
			);
			const found = res.body.items.find((tenant) => tenant.id === id);
			if (found || !res.body.next_cursor) return found;
			cursor = res.body.next_cursor;
		}
	};

	it("suspends a tenant after confirming, which locks it out, and reactivates it", async () => {
		const target = await person("seller", "Sam Suspend");
		await page.goto(`${origin}/admin`);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Admin console");
		expect(await page.getByRole("link", { name: "Alerts firing" }).count()).toBe(1);
		await page.getByRole("link", { name: "All tenants" }).click();
		await page.waitForURL(`${origin}/admin/tenants`);
		await page.getByLabel("Kind").selectOption("seller");
		await page.getByRole("button", { name: "Filter" }).click();
		await page.waitForURL(`${origin}/admin/tenants?status=&kind=seller`);
		expect(await page.getByRole("heading", { level: 2 }).first().textContent()).toBe("Sellers");

		const tenant = card(target.name);
		await tenant.getByRole("button", { name: `Suspend ${target.name}` }).click();
		expect(await tenant.getByText(`Suspend ${target.name}? Every session`).count()).toBe(1);
		await tenant.getByRole("button", { name: `Cancel suspending ${target.name}` }).click();
		await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(`Suspend ${target.name}`);
		expect(await tenant.getByText("Active", { exact: true }).count()).toBe(1);
		expect((await client.api.call(contract.getMe, { token: target.token })).status).toBe(200);

		await tenant.getByRole("button", { name: `Suspend ${target.name}` }).click();
		await tenant.getByRole("button", { name: `Yes, suspend ${target.name}` }).click();
		await expect.poll(() => tenant.getByText("Suspended", { exact: true }).count()).toBe(1);
		expect(await tenant.getByRole("status").textContent()).toContain("is suspended");

		const refused = await client.api.call(contract.getMe, { token: target.token });
		expect(refused.status).toBe(403);
		expect(refused.body).toMatchObject({ detail: "This account is suspended." });
		expect((await client.login({ email: target.email, password: target.password })).status).toBe(403);

		await page.goto(`${origin}/admin/tenants?status=suspended&kind=seller`);
		expect(await page.getByRole("heading", { name: "Suspended sellers" }).count()).toBe(1);
		await card(target.name)
			.getByRole("button", { name: `Reactivate ${target.name}` })
			.click();
		await expect.poll(() => card(target.name).getByText("Active", { exact: true }).count()).toBe(1);
		// Reactivation does not revive the sessions a suspension ended; signing in works again.
		expect((await client.api.call(contract.getMe, { token: target.token })).status).toBe(401);
		expect((await client.login({ email: target.email, password: target.password })).status).toBe(200);
		expect((await adminTenant(target.tenantId))?.status).toBe("active");
		expect(adminErrors).toEqual([]);
	});

	it("sets a rate-limit override and clears it in place; the tenant's answers follow", async () => {
		const target = await person("buyer", "Lee Limit");
		await page.goto(`${origin}/admin/tenants?kind=buyer`);
		const tenant = card(target.name);
		expect(await tenant.textContent()).toContain("500 requests per hour, bursts of 50 (role default)");
		await tenant.getByText(`Rate limit override ${target.name}`).click();
		const requests = tenant.getByLabel("Requests");
		const windowSeconds = tenant.getByLabel("Per (seconds)");
		const burst = tenant.getByLabel("Burst");
		const save = tenant.getByRole("button", { name: `Save override ${target.name}` });

		await requests.fill("0");
		await save.click();
		await expect.poll(() => requests.getAttribute("aria-invalid")).toBe("true");
		expect(await tenant.locator(".field-error").first().textContent()).toBe(
			"Requests: enter a whole number of 1 or more.",
		);

		await requests.fill("7");
		await windowSeconds.fill("60");
		await burst.fill("3");
		await save.click();
		await expect.poll(() => tenant.textContent()).toContain("7 requests per minute, bursts of 3 (override)");
		expect((await adminTenant(target.tenantId))?.rate_limit).toEqual({ limit: 7, window_seconds: 60, burst: 3 });
		const limited = await client.api.call(contract.getMe, { token: target.token });
		expect(limited.headers.get("RateLimit-Policy")).toMatch(/;q=7;w=60$/);

		// Out of the API's range: its problem is shown and nothing changes.
		await burst.fill("200000");
		await save.click();
		await expect.poll(() => tenant.locator(".form-problem").count()).toBe(1);
		expect(await tenant.locator(".form-problem").textContent()).not.toBe("");
		expect(await tenant.locator(".limit-form .field-error").textContent()).toMatch(/^The limit /);
		expect((await adminTenant(target.tenantId))?.rate_limit).toEqual({ limit: 7, window_seconds: 60, burst: 3 });

		await tenant.getByRole("button", { name: `Clear override ${target.name}` }).click();
		await expect.poll(() => tenant.textContent()).toContain("500 requests per hour, bursts of 50 (role default)");
		expect((await adminTenant(target.tenantId))?.rate_limit).toBeNull();
		const restored = await client.api.call(contract.getMe, { token: target.token });
		expect(restored.headers.get("RateLimit-Policy")).toMatch(/;q=500;w=3600$/);
		expect(unexpected(adminErrors, [400])).toEqual([]);
	});

	it("shows the API's refusal when an admin tries to suspend their own tenant", async () => {
		await page.goto(`${origin}/admin/tenants?kind=admin`);
		const own = card("account admin");
		await own.getByRole("button", { name: "Suspend account admin" }).click();
		await own.getByRole("button", { name: "Yes, suspend account admin" }).click();
		await expect.poll(() => own.getByRole("alert").textContent()).toBe("You cannot suspend your own tenant.");
		expect(await own.getByText("Active", { exact: true }).count()).toBe(1);
		await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Suspend account admin");
		expect((await adminTenant(admin.tenantId))?.status).toBe("active");
		expect(unexpected(adminErrors, [409])).toEqual([]);
	});

	it("pages through tenants with the API's cursor", async () => {
		const names: string[] = [];
		for (const label of ["Ivy Investor", "Ian Investor", "Ida Investor"])
			names.push((await person("investor", label)).name);
		await page.goto(`${origin}/admin/tenants?kind=investor&limit=2`);
		const shown = () => page.locator(".tenant-card h3").allTextContents();
		const first = await shown();
		expect(first).toHaveLength(2);
		await page.getByRole("link", { name: "Next page" }).click();
		await page.waitForURL(/cursor=/);
		const second = await shown();
		expect(second.length).toBeGreaterThan(0);
		expect(second.some((name) => first.includes(name))).toBe(false);
		expect([...first, ...second]).toEqual(expect.arrayContaining(names));
		expect(await page.getByRole("link", { name: "First page" }).count()).toBe(1);
		expect(adminErrors).toEqual([]);
	});

	it("answers filters it does not know with a 400 and the error at the field", async () => {
		const res = await page.goto(`${origin}/admin/tenants?status=frozen`);
		expect(res?.status()).toBe(400);
		expect(await page.getByLabel("Status").getAttribute("aria-invalid")).toBe("true");
		expect(await page.locator("#error-status").textContent()).toBe("Choose a status from the list.");
	});

	it("gives other roles the page's 403 text and sends guests to sign in", async () => {
		const context = await visitor();
		const seller = await personIn(context, "seller", "Nell Nonadmin");
		const other = await context.newPage();
		for (const path of ["/admin", "/admin/tenants"]) {
			const res = await other.goto(`${origin}${path}`);
			expect(res?.status()).toBe(403);
			expect(await other.getByRole("alert").textContent()).toBe(
				"This page is for admins. You are signed in as a seller.",
			);
			expect(await other.locator(".tenant-card").count()).toBe(0);
		}
		expect(seller.tenantId).toMatch(/^seller_/);
		await context.close();

		const guest = await visitor();
		const guestPage = await guest.newPage();
		await guestPage.goto(`${origin}/admin/tenants?kind=seller`);
		expect(guestPage.url()).toBe(`${origin}/sign-in?next=${encodeURIComponent("/admin/tenants?kind=seller")}`);
		await guest.close();
	});
});

describe("accessibility", () => {
	it("finds no serious or critical axe violations on the account and admin pages at phone and desktop widths", async () => {
		const user = await visitor();
		await personIn(user, "buyer", "Ada Audit");
		const adminSession = await visitor();
		await signInContext(adminSession, origin, adminCredentials());
		const found = {
			...(await auditPages((width) => sameSession(user, width), [{ name: "account", path: "/account" }], origin)),
			...(await auditPages(
				(width) => sameSession(adminSession, width),
				[
					{ name: "admin-overview", path: "/admin" },
					{ name: "admin-tenants", path: "/admin/tenants" },
				],
				origin,
			)),
		};
		expect(found).toEqual({});

		// The setup step and an open override form, which only exist after a click.
		for (const width of [PHONE, DESKTOP]) {
			const context = await sameSession(user, width);
			const page = await context.newPage();
			await page.goto(`${origin}/account`);
			await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
			await page.getByRole("img", { name: /QR code/ }).waitFor();
			expect(await seriousViolations(page)).toEqual([]);
			await page.screenshot({ path: join(SCREENSHOTS, `account-mfa-${width}.png`), fullPage: true });
			await context.close();

			const adminPage = await (await sameSession(adminSession, width)).newPage();
			await adminPage.goto(`${origin}/admin/tenants?kind=admin`);
			await adminPage.locator(".limit-details summary").first().click();
			await adminPage.getByRole("button", { name: "Suspend account admin" }).click();
			expect(await seriousViolations(adminPage)).toEqual([]);
			await adminPage.screenshot({ path: join(SCREENSHOTS, `admin-tenant-controls-${width}.png`), fullPage: true });
			await adminPage.context().close();
		}
		await user.close();
		await adminSession.close();
	});
});
