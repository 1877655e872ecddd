/**
 * `web_pages`: what each public page of the web app weighs and how fast it paints, in headless
 * Chromium (test/e2e/browser.ts, the browser the e2e suites use) against a topology of its own
 * seeded with the demo marketplace (scripts/demo-data.ts) and a catalogue of 24 more listings that
 * the search matches, so home and search show full pages of cards, and the pages have the same
 * content in every run whatever the other scenarios seeded. The browser talks to the dispatch
 * Worker's direct socket like every other scenario, as a visitor from its own client address.
 *
 * Each page is loaded once to warm the Workers (not counted), then `loads` times, the pages taken
 * in turn so that a change in the machine's load falls on all of them alike. Every load is cold
 * for the browser: a fresh context (empty HTTP cache, new connection, no cookie; the buyer's view
 * of the listing page signs a new buyer up in it first, outside what is timed). A load ends
 * when the network has been idle for 500 ms after the load event, so the islands' hydration
 * chunks are counted. The weight is the first measured load's (the pages are rendered from fixed
 * demo data, so it is the same every time); the timings are over all of them.
 *
 * Trade-off: the browser runs on the same two cores as workerd, and a paint in headless
 * Chromium is a raster without a screen; the times are this machine's, for comparing runs.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { demoData, demoListingId } from "../scripts/demo-data.ts";
import { demoStorefronts } from "../scripts/demo-storefronts.ts";
import { DESKTOP, launchBrowser, visitor } from "../test/e2e/browser.ts";
import { newAccount } from "../test/support/marketplace.ts";
import { testSecrets } from "../test/topology/secrets.ts";
import { startTopology } from "../test/topology/topology.ts";
import {
	FCP_BUDGET_MS,
	JS_BUDGET_BYTES,
	type LoadTimings,
	type PageResource,
	type PageTargets,
	type PageWeight,
	pageWeight,
	summarizeLoads,
	type TimingSummary,
	type Verdict,
	verdict,
} from "./page-weight.ts";

/** The demo storefront measured (Ada Lovelace Ventures', with two of the demo listings). */
const STOREFRONT = demoStorefronts[0]?.slug;
if (!STOREFRONT) throw new Error("the demo data has no storefront to measure");

/** The search page's query: every catalogue listing's title has it, no demo listing's does. */
const SEARCH_WORD = "analytics";
const CATALOGUE = 24;
const AUDIENCES = ["dentists", "freelancers", "bakeries", "agencies", "schools", "gyms", "lawyers", "podcasters"];

/**
 * The catalogue: active listings of one seller, published two months ago and earlier, so the
 * home page shows the demo listings first and fills its page with these.
 */
function catalogueSql(now: number): string {
	const seller = `seller_bench${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
	const at = new Date(now).toISOString();
	const rows = Array.from({ length: CATALOGUE }, (_, i) => {
		const audience = AUDIENCES[i % AUDIENCES.length] ?? "teams";
		const published = new Date(now - (60 + i) * 86_400_000).toISOString();
		const values = [
			`'lst_${crypto.randomUUID().replaceAll("-", "")}'`,
			`'${seller}'`,
			`'Analytics for ${audience} ${i + 1}'`,
			`'Dashboards and reports for ${audience}, ${(i % 9) + 2} years of paying customers'`,
			"'Seeded by the benchmark.'",
			"'saas'",
			String(2_000_000 + i * 150_000),
			`'["typescript","postgres"]'`,
			String(100_000 + i * 25_000),
			"'active'",
			`'${published}'`,
			`'${published}'`,
			`'${published}'`,
		];
		return `(${values.join(", ")})`;
	});
	return [
		`INSERT INTO tenants (id, kind, name, status, created_at, updated_at) VALUES ('${seller}', 'seller', 'Catalogue Seller', 'active', '${at}', '${at}');`,
		`INSERT INTO listings (id, seller_tenant_id, title, summary, description, category, asking_price_cents, tech_stack, mrr_cents, status, created_at, updated_at, published_at) VALUES ${rows.join(", ")};`,
	].join("\n");
}

export interface PageSpec {
	name: string;
	path: string;
	/** Who looks: a guest (the default), or a buyer signed up just before the load, who has not yet asked or offered. */
	as?: "guest" | "new_buyer";
	targets: PageTargets;
}

/**
 * The public pages, as a guest and (search and listing) as a signed-in buyer: the issue's
 * JavaScript budget applies to listing and search whoever looks; every page is held to the paint
 * target.
 */
export const PUBLIC_PAGES: readonly PageSpec[] = [
	{ name: "home", path: "/", targets: { fcp_p50_max_ms: FCP_BUDGET_MS } },
	{
		name: "search",
		path: `/search?q=${SEARCH_WORD}`,
		targets: { js_gz_max_bytes: JS_BUDGET_BYTES, fcp_p50_max_ms: FCP_BUDGET_MS },
	},
	// The same search as a signed-in buyer sees it (the header's account controls).
	{
		name: "search_buyer",
		path: `/search?q=${SEARCH_WORD}`,
		as: "new_buyer",
		targets: { js_gz_max_bytes: JS_BUDGET_BYTES, fcp_p50_max_ms: FCP_BUDGET_MS },
	},
	{
		name: "listing",
		path: `/listings/${demoListingId("invoicely")}`,
		targets: { js_gz_max_bytes: JS_BUDGET_BYTES, fcp_p50_max_ms: FCP_BUDGET_MS },
	},
	// The same page as a buyer sees it: the NDA, the request-access form and the offer form.
	{
		name: "listing_buyer",
		path: `/listings/${demoListingId("invoicely")}`,
		as: "new_buyer",
		targets: { js_gz_max_bytes: JS_BUDGET_BYTES, fcp_p50_max_ms: FCP_BUDGET_MS },
	},
	{ name: "sign_in", path: "/sign-in", targets: { fcp_p50_max_ms: FCP_BUDGET_MS } },
	// The page `<slug>.<domain>/` renders; measured on the apex path, which renders the same page.
	{ name: "storefront", path: `/storefronts/${STOREFRONT}`, targets: { fcp_p50_max_ms: FCP_BUDGET_MS } },
];

export type PageFigures = PageWeight &
	TimingSummary & {
		name: string;
		path: string;
		as: "guest" | "new_buyer";
		/** 200 when every measured load answered 200, else the first other status (a broken page). */
		status: number;
		/** The page's `<h1>` and its listing links: shows it was rendered with its data. */
		heading: string;
		listing_links: number;
		targets: PageTargets;
		verdict: Verdict;
	};

export interface WebPagesResult {
	generated_at: string;
	command: string;
	machine: { cores: number; cpu_model: string; node: string; workerd: string };
	description: string;
	viewport: { width: number; height: number };
	loads_per_page: number;
	pages: PageFigures[];
}

interface ColdLoad {
	status: number;
	resources: PageResource[];
	timings: LoadTimings;
	heading: string;
	listingLinks: number;
}

const IDLE_TIMEOUT_MS = 15_000;

/**
 * Signs a new buyer up in `context` through the API (the sign-up sets the session cookie, as the
 * form's does). A new one for every load: each has its own tenant bucket, so no load is refused
 * for the ones before it, and its page is that of a buyer who has not yet asked or offered.
 */
async function signUpBuyer(context: BrowserContext, origin: string): Promise<void> {
	const res = await context.request.post(`${origin}/api/v1/auth/register`, {
		data: newAccount("buyer", "bench-pages"),
		headers: { Origin: origin },
	});
	if (res.status() !== 201) throw new Error(`signing a buyer up answered ${res.status()}: ${await res.text()}`);
}

/** One load of `page` in a context of its own; what it fetched and when it painted. */
async function coldLoad(browser: Browser, origin: string, spec: PageSpec): Promise<ColdLoad> {
	const context = await visitor(browser, { width: DESKTOP });
	try {
		if (spec.as === "new_buyer") await signUpBuyer(context, origin);
		const page = await context.newPage();
		const received: Promise<Omit<PageResource, "afterLoad"> | null>[] = [];
		page.on("response", (response) => {
			const type = response.request().resourceType();
			// A redirect has no body; its target arrives as a response of its own.
			received.push(
				response.body().then(
					(body) => ({ url: response.url(), type, body: new Uint8Array(body) }),
					() => null,
				),
			);
		});
		const answer = await page.goto(`${origin}${spec.path}`, { waitUntil: "load", timeout: IDLE_TIMEOUT_MS });
		await page.waitForLoadState("networkidle", { timeout: IDLE_TIMEOUT_MS });
		const seen = await page.evaluate(() => {
			const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
			const fcp = performance.getEntriesByName("first-contentful-paint")[0];
			const loadAt = navigation?.loadEventStart ?? 0;
			const late = performance
				.getEntriesByType("resource")
				.filter((entry) => entry.startTime > loadAt)
				.map((entry) => entry.name);
			return {
				fcp: fcp?.startTime ?? null,
				ttfb: navigation?.responseStart ?? 0,
				dcl: navigation?.domContentLoadedEventEnd ?? 0,
				load: navigation?.loadEventEnd ?? 0,
				late,
				heading: document.querySelector("h1")?.textContent?.trim() ?? "",
				listingLinks: document.querySelectorAll('main a[href^="/listings/"]').length,
			};
		});
		const late = new Set(seen.late);
		const resources = (await Promise.all(received)).flatMap((resource) =>
			resource === null ? [] : [{ ...resource, afterLoad: late.has(resource.url) }],
		);
		return {
			status: answer?.status() ?? 0,
			resources,
			timings: { fcp_ms: seen.fcp, ttfb_ms: seen.ttfb, dom_content_loaded_ms: seen.dcl, load_ms: seen.load },
			heading: seen.heading,
			listingLinks: seen.listingLinks,
		};
	} finally {
		await context.close();
	}
}

export interface WebPagesOptions {
	loads: number;
	command: string;
	machine: WebPagesResult["machine"];
	pages?: readonly PageSpec[];
	log?: (message: string) => void;
}

export async function webPages(options: WebPagesOptions): Promise<WebPagesResult> {
	const pages = options.pages ?? PUBLIC_PAGES;
	const secrets = testSecrets();
	const demo = await demoData({ pepper: secrets.PASSWORD_PEPPER, encryptionKey: secrets.ENCRYPTION_KEY });
	const seedSql = `${demo.sql}\n${catalogueSql(Date.now())}`;
	const [topology, browser] = await Promise.all([
		startTopology({ secrets, seedSql, seedObjects: demo.objects, directSocket: true, localMail: true }),
		launchBrowser(),
	]);
	try {
		if (!topology.directUrl) throw new Error("the topology has no direct socket");
		// The apex host on the direct socket (Chromium resolves `localhost` to the loopback address).
		const origin = `http://localhost:${topology.directUrl.port}`;
		const load = (page: PageSpec) => coldLoad(browser, origin, page);
		for (const page of pages) await load(page);
		const loads = new Map<string, ColdLoad[]>(pages.map((page) => [page.name, []]));
		for (let round = 0; round < options.loads; round++) {
			for (const page of pages) loads.get(page.name)?.push(await load(page));
			options.log?.(`web_pages: round ${round + 1} of ${options.loads}`);
		}
		const figures = pages.map((page): PageFigures => {
			const all = loads.get(page.name) ?? [];
			const [first] = all;
			if (!first) throw new Error(`no loads of ${page.path}`);
			const status = all.find((load) => load.status !== 200)?.status ?? first.status;
			const weight = pageWeight(first.resources);
			const timings = summarizeLoads(all.map((load) => load.timings));
			return {
				name: page.name,
				path: page.path,
				as: page.as ?? "guest",
				status,
				heading: first.heading,
				listing_links: first.listingLinks,
				...weight,
				...timings,
				targets: page.targets,
				verdict: verdict(status, weight, timings, page.targets),
			};
		});
		return {
			generated_at: new Date().toISOString(),
			command: options.command,
			machine: options.machine,
			description:
				"Headless Chromium (@sparticuz/chromium, test/e2e/browser.ts) against the dispatch Worker's direct socket, apex host, demo data plus 24 catalogue listings; each load in a fresh browser context (cold cache; a buyer's view signs a new buyer up in it first, untimed), ended 500 ms after the network went idle; bodies gzipped with node:zlib at its default level.",
			viewport: { width: DESKTOP, height: 900 },
			loads_per_page: options.loads,
			pages: figures,
		};
	} finally {
		await browser.close();
		await topology.dispose();
	}
}
