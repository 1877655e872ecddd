/**
 * What test/e2e/web-account.e2e.test.ts sets itself up with, apart from the flows it drives:
 * accounts made over the API or from a browser context (registering spends no per-account
 * sign-in token, and sign-in is limited to a burst of 5 per account), a context that carries
 * another's session, TOTP codes from the project's own code (shared/crypto/totp.ts) that the API
 * still accepts, the QR code read back from the page's SVG, and the console lines of requests a
 * test meant to be refused.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { totpCode, totpStep } from "../../shared/crypto/totp.ts";
import { visitor } from "./browser.ts";
import { type E2eClient, expectStatus, uniqueEmail } from "./client.ts";

export const PASSWORD = "correct horse battery staple";

export interface Person {
	name: string;
	email: string;
	password: string;
	token: string;
	tenantId: string;
}

export type Role = "seller" | "buyer" | "investor";

/** Accounts named `<label> <run>`, unique to this run, so a page can be searched for them by name. */
export class People {
	readonly #run = crypto.randomUUID().slice(0, 8);

	constructor(
		readonly client: E2eClient,
		readonly browser: Browser,
	) {}

	get origin(): string {
		return this.client.origin();
	}

	#account(role: Role, label: string) {
		const slug = `${label.toLowerCase().replaceAll(" ", "-")}-${this.#run}`;
		return { email: uniqueEmail(slug), password: PASSWORD, name: `${label} ${this.#run}`, role };
	}

	/** A new account over the API. */
	async person(role: Role, label: string): Promise<Person> {
		const body = this.#account(role, label);
		const res = expectStatus(await this.client.api.call(contract.register, { body }), 201, `registering ${label}`);
		return { ...body, token: res.body.token, tenantId: res.body.tenant.id };
	}

	/** A new account registered from `context`, which the API's cookie then signs in. */
	async personIn(context: BrowserContext, role: Role, label: string): Promise<Person> {
		const data = this.#account(role, label);
		const origin = this.origin;
		const res = await context.request.post(`${origin}/api/v1/auth/register`, { data, headers: { Origin: origin } });
		expect(res.status()).toBe(201);
		const body = (await res.json()) as { token: string; tenant: { id: string } };
		return { ...data, token: body.token, tenantId: body.tenant.id };
	}

	/** A context of `width` (for axe: CSP bypassed) carrying `from`'s cookies: the same session, no extra sign-in. */
	async sameSession(from: BrowserContext, width: number): Promise<BrowserContext> {
		const context = await visitor(this.browser, { width, bypassCSP: true });
		await context.addCookies(await from.cookies(this.origin));
		return context;
	}
}

/** A code for the first step after `lastStep` that the API still accepts (it allows one step of drift). */
export async function nextCode(secret: string, lastStep: number | null): Promise<{ code: string; step: number }> {
	const step = Math.max(totpStep(Date.now()), (lastStep ?? -1) + 1);
	return { code: await totpCode(secret, step), step };
}

/** A 6-digit code that is not `code`. */
export const wrong = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, "0");

/** `errors` less the browser's console lines for requests answered with one of `expected` (4xx a test meant). */
export function unexpected(errors: string[], expected: number[]): string[] {
	const refused = (status: number) => `Failed to load resource: the server responded with a status of ${status}`;
	return errors.filter((error) => !expected.some((status) => error.startsWith(refused(status))));
}

/** The dark modules of the page's QR code, read back from its path's runs. */
export async function qrModules(page: Page): Promise<boolean[][]> {
	const svg = page.getByRole("img", { name: /QR code/ });
	const size = Number((await svg.getAttribute("viewBox"))?.split(" ")[2]);
	const d = (await svg.locator("path").getAttribute("d")) ?? "";
	const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
	for (const [, x, y, run] of d.matchAll(/M(\d+),(\d+)h(\d+)v1h-\d+z/g)) {
		for (let i = 0; i < Number(run); i++) (grid[Number(y)] as boolean[])[Number(x) + i] = true;
	}
	return grid;
}

export async function signInThroughForm(page: Page, email: string, password: string): Promise<void> {
	await page.getByLabel("Email").fill(email);
	await page.getByLabel("Password").fill(password);
	await page.getByRole("button", { name: "Sign in" }).click();
}
