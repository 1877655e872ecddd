/**
 * The admin console's operations pages in a real browser against the local topology: after
 * traffic an admin sees the metrics charts (the rollup is awaited with a bound, never a fixed
 * sleep) and the overview's live summaries; a dead letter put in place the way production makes
 * one (a message on a `*-dlq` queue) makes the dead-letter alert fire on the consumers' scheduled
 * run, the admin replays it from its page, it leaves "waiting", the alert resolves and the audit
 * log shows the replay; a whole queue is replayed after confirming. Other roles get each page's
 * 403 sentence and guests are sent to sign in; axe finds nothing serious on any console page at
 * 390 and 1280 px (screenshots `admin-*.png`; `admin-metrics-1280.png` is the README's
 * docs/screenshots/admin-metrics.png). Disputes and moderation: ./web-admin-ops.e2e.test.ts.
 *
 * One topology and one admin browser session for the file (./web-admin-support.ts).
 */
import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { newId } from "../../shared/encoding.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import { visitor as newVisitor, signInContext } from "./browser.ts";
import { type E2eClient, expectStatus, type SignedInAdmin, waitFor } from "./client.ts";
import { type AdminBrowser, adminConsoleForFile } from "./web-admin-support.ts";

/** Every page of the console, as the nav lists them. */
const PAGES = [
	{ name: "admin-console-overview", path: "/admin" },
	{ name: "admin-metrics", path: "/admin/metrics" },
	{ name: "admin-alerts", path: "/admin/alerts" },
	{ name: "admin-dead-letters", path: "/admin/dead-letters" },
	{ name: "admin-disputes", path: "/admin/disputes" },
	{ name: "admin-listings", path: "/admin/listings" },
	{ name: "admin-audit", path: "/admin/audit" },
] as const;

let topology: Topology;
let client: E2eClient;
let admin: SignedInAdmin;
let ui: AdminBrowser;
let browser: Browser;
let origin: string;
let page: Page;

adminConsoleForFile({ secrets: testSecrets(), admin: "console", localMail: true }, (file) => {
	({ topology, client, admin, ui } = file);
	({ browser, origin, page } = ui);
});

/** Runs the consumers Worker's every-minute scheduled work (the alert rules among it) now. */
async function runEveryMinute(): Promise<void> {
	const consumers = await topology.mf.getWorker("techflunky-consumers");
	await consumers.scheduled({ cron: "* * * * *" });
}

describe("metrics and the overview", () => {
	it("draws the latency, error-rate and requests-by-tenant charts from the traffic, with the numbers in tables", async () => {
		const seller = await client.register("seller");
		for (let i = 0; i < 5; i++)
			expectStatus(await client.api.call(contract.getMe, { token: seller.token }), 200, "reading me");
		await ui.reloadUntil(
			"/admin/metrics",
			async () => (await page.getByRole("img", { name: "Latency percentiles (ms)" }).count()) === 1,
		);
		for (const name of ["Latency percentiles (ms)", "Error rate", "Requests by tenant"])
			expect(await page.getByRole("img", { name }).count()).toBe(1);
		const latency = page.getByRole("img", { name: "Latency percentiles (ms)" });
		expect(await latency.locator("polyline, circle").count()).toBeGreaterThan(0);
		// The numbers behind the picture, readable without it.
		await page.locator(".chart-data summary").first().click();
		const table = page.getByRole("table", { name: "Latency percentiles (ms)" });
		expect(await table.getByRole("columnheader").allTextContents()).toEqual(["Time", "p50", "p95", "p99"]);
		expect(await table.getByRole("row").count()).toBeGreaterThan(1);
		// The seller's tenant is in the table by tenant, linking to its own view.
		const byTenant = page.getByRole("table", { name: "By tenant" });
		await expect.poll(() => byTenant.getByRole("link", { name: seller.tenant.id }).count()).toBe(1);
		await byTenant.getByRole("link", { name: seller.tenant.id }).click();
		await page.waitForURL(new RegExp(`tenant=${seller.tenant.id}`));
		expect(await page.getByRole("textbox", { name: "Tenant", exact: true }).inputValue()).toBe(seller.tenant.id);

		// A range the API refuses is the form's error, not a broken chart.
		const bad = await page.goto(`${origin}/admin/metrics?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`);
		expect(bad?.status()).toBe(400);
		expect(await page.getByRole("alert").first().textContent()).not.toBe("");
		expect(await page.getByRole("img", { name: "Latency percentiles (ms)" }).count()).toBe(0);
		expect(ui.unexpected([400])).toEqual([]);
	});

	it("reads the hour's recorded history: a tenant's sums, its error rate over time and its security events by kind", async () => {
		// Rows as the consumer's flushes would have left them over the last hour, for a tenant of its own.
		const tenant = `seller_${crypto.randomUUID().replaceAll("-", "")}`;
		const now = Math.floor(Date.now() / 60_000);
		const statements: string[] = [];
		let requests = 0;
		for (let i = 2; i <= 58; i++) {
			const total = 20 + (i % 7) * 3;
			// Mostly fast, a few slow: the p95 stays under the latency alert's 500 ms.
			const [h03, h05, h08, h11] = [0.3, 0.2, 0.08, 0.02].map((share) => Math.floor(total * share)) as [
				number,
				number,
				number,
				number,
			];
			const h02 = total - h03 - h05 - h08 - h11;
			const errors = i % 11 === 0 ? 2 : 0;
			requests += total;
			statements.push(
				`INSERT INTO metrics_minutes (minute, tenant_id, route, portal, requests, errors, limited, latency_sum_ms, latency_max_ms, h02, h03, h05, h08, h11)
				 VALUES (${now - i}, '${tenant}', 'GET /api/v1/listings', 'apex', ${total}, ${errors}, 0, ${total * 60}, 480, ${h02}, ${h03}, ${h05}, ${h08}, ${h11})`,
			);
		}
		statements.push(
			`INSERT INTO security_minutes (minute, tenant_id, kind, count) VALUES (${now - 10}, '${tenant}', 'sign_in_failed', 4), (${now - 9}, '${tenant}', 'rate_limited', 2)`,
		);
		const db = await topology.db();
		await db.batch(statements.map((sql) => db.prepare(sql)));

		await page.goto(`${origin}/admin/metrics`);
		const row = page.getByRole("table", { name: "By tenant" }).getByRole("row").filter({ hasText: tenant });
		expect(await row.getByRole("cell").first().textContent()).toBe(requests.toLocaleString("en-US"));
		await row.getByRole("link", { name: tenant }).click();
		await page.waitForURL(new RegExp(`tenant=${tenant}`));
		expect(await page.getByRole("heading", { level: 2 }).first().textContent()).toBe(`Tenant ${tenant}, last hour`);
		const errorRate = page.getByRole("img", { name: "Error rate" });
		expect(await errorRate.locator("polyline").count()).toBeGreaterThan(0);
		const security = page.getByRole("table", { name: "Security events by kind" });
		const events = async (kind: string) =>
			security.getByRole("row").filter({ hasText: kind }).getByRole("cell").textContent();
		expect(await events("Failed sign-ins")).toBe("4");
		expect(await events("Rate-limited requests")).toBe("2");
		expect(await events("CSRF refusals")).toBe("0");
		expect(ui.unexpected()).toEqual([]);
	});

	it("summarises the last hour, alerts, dead letters and disputes on the overview, linking to each tool", async () => {
		await page.goto(`${origin}/admin`);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Admin console");
		expect(await page.getByText("Coming with operations").count()).toBe(0);
		const requests = page.locator(".summary-card", { has: page.getByRole("link", { name: "Requests, last hour" }) });
		expect(await requests.locator(".summary-figure").textContent()).toMatch(/^\d[\d,]*$/);
		const operations = page.getByRole("region", { name: "Operations" });
		for (const name of ["Alerts firing", "Dead letters waiting", "Disputes awaiting a decision"])
			expect(await operations.getByRole("link", { name }).count()).toBe(1);
		expect(
			await page.getByRole("region", { name: "Other tools" }).getByRole("link", { name: "Audit log" }).count(),
		).toBe(1);
		await page.getByRole("link", { name: "Dead letters waiting" }).click();
		await page.waitForURL(`${origin}/admin/dead-letters`);
	});
});

describe("a dead letter, its alert, its replay and the audit log", () => {
	const probeAction = `e2e.replay_probe_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
	let messageId: string;

	/**
	 * A valid backoffice job (an audit record of `action`) put straight on its dead-letter queue,
	 * as exhausted retries would; answers its message id once the dead letter is recorded.
	 */
	async function deadLetter(action: string): Promise<string> {
		const dlq = await topology.mf.getQueueProducer("BACKOFFICE_JOBS_DLQ", "techflunky-consumers");
		await dlq.send({
			id: newId("evt"),
			kind: "audit.record",
			occurred_at: new Date().toISOString(),
			actor_user_id: null,
			actor_tenant_id: null,
			subject_tenant_id: null,
			action,
			detail: { note: "replayed from the console" },
		});
		return waitFor(async () => {
			const row = await (await topology.db())
				.prepare("SELECT message_id FROM dead_letters WHERE body LIKE ?")
				.bind(`%"${action}"%`)
				.first<{ message_id: string }>();
			return row?.message_id;
		}, 20_000);
	}

	beforeAll(async () => {
		messageId = await deadLetter(probeAction);
	});

	it("shows the dead-letter alert firing once the scheduled rules run, with what the rule means", async () => {
		await runEveryMinute();
		await page.goto(`${origin}/admin/alerts`);
		const firing = page.getByRole("region", { name: "Firing now" });
		const alert = firing.getByRole("article", { name: /Dead letters waiting/ });
		expect(await alert.count()).toBe(1);
		expect(await alert.textContent()).toContain("Queue backoffice-jobs");
		expect(await alert.textContent()).toContain("replay them from Dead letters");
		await alert.getByRole("link", { name: "See the dead letters of backoffice-jobs" }).click();
		await page.waitForURL(`${origin}/admin/dead-letters?queue=backoffice-jobs`);
	});

	it("replays the dead letter from its page: it leaves waiting, its message is consumed once, and the audit log shows it", async () => {
		await page.goto(`${origin}/admin/dead-letters?queue=backoffice-jobs`);
		const card = page.getByRole("article", { name: new RegExp(messageId) });
		expect(await card.textContent()).toContain("retries exhausted");
		await card.getByText("Original message").click();
		expect(await card.locator("pre").textContent()).toContain(`"action": "${probeAction}"`);
		await card.getByRole("button", { name: `Replay message ${messageId}` }).click();
		await expect
			.poll(() => card.getByRole("status").textContent())
			.toContain("Sent back to backoffice-jobs (replay 1)");

		await page.goto(`${origin}/admin/dead-letters?queue=backoffice-jobs&status=waiting`);
		expect(await page.getByRole("article", { name: new RegExp(messageId) }).count()).toBe(0);
		await page.goto(`${origin}/admin/dead-letters?queue=backoffice-jobs&status=replayed`);
		expect(await page.getByRole("article", { name: new RegExp(messageId) }).count()).toBe(1);

		// The replayed job itself is recorded (once), and so is the admin's replay.
		await ui.reloadUntil(
			`/admin/audit?action=${probeAction}`,
			async () => (await page.locator(".audit-card").count()) > 0,
		);
		expect(await page.locator(".audit-card").count()).toBe(1);
		await ui.reloadUntil(
			"/admin/audit?action=admin.dead_letter_replayed",
			async () => (await page.getByText(messageId).count()) > 0,
		);
		const record = page.locator(".audit-card").filter({ hasText: messageId });
		expect(await record.getByRole("heading").textContent()).toBe("admin.dead_letter_replayed");
		expect(await record.textContent()).toContain(admin.userId);

		// The alert resolves on the next run, and shows under "Recently resolved".
		await runEveryMinute();
		await page.goto(`${origin}/admin/alerts`);
		expect(
			await page
				.getByRole("region", { name: "Firing now" })
				.getByRole("article", { name: /Dead letters waiting/ })
				.count(),
		).toBe(0);
		expect(
			await page
				.getByRole("region", { name: "Recently resolved" })
				.getByRole("article", { name: /Dead letters waiting/ })
				.count(),
		).toBe(1);
		expect(ui.unexpected()).toEqual([]);
	});

	it("replays every waiting dead letter of a queue after confirming, and none are left waiting", async () => {
		const ids = [await deadLetter(`${probeAction}_a`), await deadLetter(`${probeAction}_b`)];
		await page.goto(`${origin}/admin/dead-letters`);
		const queue = page.getByRole("region", { name: "Replay a whole queue" });
		await queue.getByRole("button", { name: "Replay all waiting in backoffice-jobs" }).click();
		expect(await queue.getByText("Send the 2 shown waiting").count()).toBe(1);
		await queue.getByRole("button", { name: "Yes, replay backoffice-jobs" }).click();
		await expect
			.poll(() => queue.getByRole("status").textContent())
			.toBe("Sent 2 back to backoffice-jobs. None of those waiting are left.");
		await page.goto(`${origin}/admin/dead-letters?queue=backoffice-jobs`);
		expect(await page.getByText("No dead letters are waiting.").count()).toBe(1);
		for (const id of ids) {
			const row = await (await topology.db())
				.prepare("SELECT replays FROM dead_letters WHERE message_id = ?")
				.bind(id)
				.first<{ replays: number }>();
			expect(row?.replays).toBe(1);
		}
		expect(ui.unexpected()).toEqual([]);
	});

	it("answers an audit filter it cannot read with the error at its field", async () => {
		const res = await page.goto(`${origin}/admin/audit?actor=someone`);
		expect(res?.status()).toBe(400);
		expect(await page.getByLabel("Actor (user or tenant id)").getAttribute("aria-invalid")).toBe("true");
	});
});

describe("access and accessibility", () => {
	it("gives other roles each page's 403 sentence and sends guests to sign in", async () => {
		const seller = await client.register("seller");
		const context = await newVisitor(browser);
		await signInContext(context, origin, { email: seller.email, password: seller.password });
		const other = await context.newPage();
		for (const { path } of PAGES) {
			const res = await other.goto(`${origin}${path}`);
			expect(res?.status(), path).toBe(403);
			expect(await other.getByRole("alert").textContent()).toBe(
				"This page is for admins. You are signed in as a seller.",
			);
			expect(await other.getByRole("navigation", { name: "Admin console" }).count()).toBe(0);
		}
		await context.close();

		const guest = await newVisitor(browser);
		const guestPage = await guest.newPage();
		for (const { path } of PAGES) {
			await guestPage.goto(`${origin}${path}?view=1`);
			expect(guestPage.url()).toBe(`${origin}/sign-in?next=${encodeURIComponent(`${path}?view=1`)}`);
		}
		await guest.close();
	});

	it("finds no serious or critical axe violations on any console page at phone and desktop widths", async () => {
		// With the replayed dead letter listed too: its card, message and "Replay again".
		const pages = [...PAGES, { name: "admin-dead-letters-all", path: "/admin/dead-letters?status=all" }];
		expect(await ui.audit(pages)).toEqual({});
	});
});
