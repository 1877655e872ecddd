/**
 * What the admin console's browser tests (./web-admin.e2e.test.ts, ./web-admin-ops.e2e.test.ts)
 * set themselves up with: one topology for the file with a seeded admin, and one browser whose
 * admin context is signed in once through the API, with the page the tests drive, the console
 * lines it logged (cleared before each test, less the refusals a test provokes), a bounded
 * reload-until for what arrives through a queue, and axe at both widths in contexts carrying the
 * same session (no extra sign-in: sign-in is limited per account).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { auditPages, collectErrors, launchBrowser, visitor as newVisitor, signInContext } from "./browser.ts";
import { type FileTopology, type FileTopologyOptions, type SignedInAdmin, topologyForFile, waitFor } from "./client.ts";

export class AdminBrowser {
	private constructor(
		readonly browser: Browser,
		readonly origin: string,
		readonly context: BrowserContext,
		readonly page: Page,
		/** The admin context's console errors since the running test began. */
		readonly errors: string[],
	) {}

	static async open(origin: string, admin: { email: string; password: string }): Promise<AdminBrowser> {
		const browser = await launchBrowser();
		try {
			const context = await newVisitor(browser);
			const errors = collectErrors(context);
			await signInContext(context, origin, { email: admin.email, password: admin.password });
			return new AdminBrowser(browser, origin, context, await context.newPage(), errors);
		} catch (error) {
			await browser.close();
			throw error;
		}
	}

	/** Console errors of the admin's pages but for the browser's note of a refusal a test provokes (e.g. a 409). */
	unexpected(allowed: readonly number[] = []): string[] {
		return this.errors.filter(
			(text) =>
				!allowed.some((status) =>
					text.startsWith(`Failed to load resource: the server responded with a status of ${status}`),
				),
		);
	}

	/** Reloads `path` until `ready` holds on it, for what arrives through a queue or is consolidated later (bounded). */
	async reloadUntil(path: string, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
		await waitFor(async () => {
			await this.page.goto(`${this.origin}${path}`);
			return (await ready()) ? true : undefined;
		}, timeoutMs);
	}

	/** axe on `pages` as the admin (contexts with the same session, CSP bypassed for axe), at both widths. */
	audit(pages: readonly { name: string; path: string }[]): ReturnType<typeof auditPages> {
		return auditPages(
			async (width) => {
				const context = await newVisitor(this.browser, { width, bypassCSP: true });
				await context.addCookies(await this.context.cookies(this.origin));
				return context;
			},
			pages,
			this.origin,
		);
	}

	async close(): Promise<void> {
		await this.context.close();
		await this.browser.close();
	}
}

export type AdminConsoleFile = FileTopology & { admin: SignedInAdmin; ui: AdminBrowser };

/**
 * One topology (with `options`, an admin labelled `options.admin` among them) and one admin
 * browser for the calling test file, handed to `started` before its tests; closed after them.
 */
export function adminConsoleForFile(
	options: FileTopologyOptions & { admin: string },
	started: (file: AdminConsoleFile) => void,
): void {
	let file: (FileTopology & { admin: SignedInAdmin }) | undefined;
	let ui: AdminBrowser | undefined;
	topologyForFile(options, (topology) => {
		file = topology;
	});
	beforeAll(async () => {
		if (file === undefined) throw new Error("the topology did not start");
		ui = await AdminBrowser.open(file.client.origin(), file.admin);
		started({ ...file, ui });
	});
	beforeEach(() => {
		if (ui) ui.errors.length = 0;
	});
	afterAll(async () => {
		await ui?.close();
	});
}
