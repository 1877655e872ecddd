/**
 * The browser suites' tools: headless Chromium from @sparticuz/chromium (the browser inside the
 * npm package, so nothing comes from apt), contexts posing as one client address each, console
 * errors collected, axe-core run on a page, screenshots into .artifacts/screenshots/
 * (git-ignored). Launched with `--no-sandbox` only: the package's default `args` turn web
 * security off and run one process, which would hide CORS/CSP/CSRF bugs and crash a second
 * context.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import chromium from "@sparticuz/chromium";
import { type Browser, type BrowserContext, type Page, chromium as playwright } from "playwright-core";
import { freshIp } from "../support/fresh-ip.ts";

export const SCREENSHOTS = resolve(import.meta.dirname, "../../.artifacts/screenshots");
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export const PHONE = 390;
export const DESKTOP = 1280;

export async function launchBrowser(): Promise<Browser> {
	mkdirSync(SCREENSHOTS, { recursive: true });
	const executablePath = await chromium.executablePath();
	return playwright.launch({ executablePath, args: ["--no-sandbox"], headless: true });
}

export interface VisitorOptions {
	width?: number;
	/** For axe only: it is injected as an inline script, which the pages' own CSP rightly refuses. */
	bypassCSP?: boolean;
	/** The client address the API's per-address buckets see; a fresh one when absent. */
	ip?: string;
}

/** A browser context posing as one client address (the API's per-address buckets see one visitor). */
export function visitor(browser: Browser, options: VisitorOptions = {}): Promise<BrowserContext> {
	return browser.newContext({
		viewport: { width: options.width ?? DESKTOP, height: 900 },
		extraHTTPHeaders: { "CF-Connecting-IP": options.ip ?? freshIp() },
		bypassCSP: options.bypassCSP ?? false,
	});
}

/** Console errors and uncaught exceptions of every page `context` opens from now on. */
export function collectErrors(context: BrowserContext): string[] {
	const errors: string[] = [];
	context.on("page", (page) => {
		page.on("console", (message) => {
			if (message.type() === "error") errors.push(message.text());
		});
		page.on("pageerror", (error) => errors.push(error.message));
	});
	return errors;
}

export interface AxeFinding {
	id: string;
	impact: string;
	targets: unknown[];
}

/** axe-core's serious and critical violations on the page as it is now (needs `bypassCSP`). */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
	await page.addScriptTag({ content: AXE_SOURCE });
	return page.evaluate(async () => {
		const axe = (
			window as unknown as {
				axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }> };
			}
		).axe;
		const result = await axe.run();
		return result.violations
			.filter((violation) => violation.impact === "serious" || violation.impact === "critical")
			.map((violation) => ({
				id: violation.id,
				impact: violation.impact,
				targets: violation.nodes.map((node) => node.target),
			}));
	});
}

/**
 * Opens each path at a phone and a desktop width, runs axe on it and saves a full-page screenshot
 * `<name>-<width>.png`; answers the violations by page and width (empty when there are none).
 * `context(width)` makes the context (signed in or not), with `bypassCSP: true`.
 */
export async function auditPages(
	context: (width: number) => Promise<BrowserContext>,
	pages: readonly { name: string; path: string }[],
	origin: string,
): Promise<Record<string, AxeFinding[] | string>> {
	const found: Record<string, AxeFinding[] | string> = {};
	for (const width of [PHONE, DESKTOP]) {
		const opened = await context(width);
		const page = await opened.newPage();
		for (const { name, path } of pages) {
			const res = await page.goto(`${origin}${path}`);
			if (res?.status() !== 200) {
				found[`${name}@${width}`] = `HTTP ${res?.status()}`;
				continue;
			}
			const violations = await seriousViolations(page);
			if (violations.length > 0) found[`${name}@${width}`] = violations;
			await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
		}
		await opened.close();
	}
	return found;
}

/** Signs `context` in on `origin` through the API (the same cookie the sign-in form gets). */
export async function signInContext(
	context: BrowserContext,
	origin: string,
	credentials: { email: string; password: string },
): Promise<void> {
	const res = await context.request.post(`${origin}/api/v1/auth/login`, {
		data: credentials,
		headers: { Origin: origin },
	});
	if (res.status() !== 200) throw new Error(`sign-in answered ${res.status()}: ${await res.text()}`);
}
