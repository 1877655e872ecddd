/**
 * The documentation site against the local topology: the guides' code samples (site/samples/,
 * included into the pages as they are) run against the demo marketplace and do what the guides
 * say, and the built site is served through the edge on `docs.localhost` with its own CSP, its
 * reference generated from the contract, and a real 404.
 */
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, demoData, demoListingId } from "../../scripts/demo-data.ts";
import { routeTable } from "../../shared/contract/table.ts";
import { signInAndBrowse } from "../../site/samples/browse.ts";
import { negotiate } from "../../site/samples/negotiate.ts";
import { verifyStripeWebhook } from "../../site/samples/verify-webhook.ts";
import { type Fetch, loopbackAgent, loopbackFetch } from "../support/loopback.ts";
import { testSecrets } from "../topology/secrets.ts";
import { startTopology, type Topology } from "../topology/topology.ts";
import { auditPages, collectErrors, launchBrowser, visitor } from "./browser.ts";

let topology: Topology;
let base: string;
let secrets: ReturnType<typeof testSecrets>;
const agent = loopbackAgent();
const loopback: Fetch = loopbackFetch(() => agent);
const docs = (path: string, init: RequestInit = {}) =>
	loopback(`http://docs.localhost:${topology.url.port}${path}`, init);

beforeAll(async () => {
	secrets = testSecrets();
	const demo = await demoData({ pepper: secrets.PASSWORD_PEPPER, encryptionKey: secrets.ENCRYPTION_KEY });
	topology = await startTopology({ secrets, seedSql: demo.sql, seedObjects: demo.objects, docs: true });
	base = `http://127.0.0.1:${topology.url.port}`;
});

afterAll(async () => {
	await agent.close();
	await topology?.dispose();
});

describe("the guides' samples", () => {
	it("signs a demo seller in and lists the newest listings (getting started)", async () => {
		const { token, user, listings } = await signInAndBrowse(base, "ada@seller.techflunky.test", DEMO_PASSWORD);
		expect(token).toMatch(/^ey/);
		expect(user).toMatchObject({ email: "ada@seller.techflunky.test", role: "seller" });
		expect(user.tenant_id).toMatch(/^seller_/);
		expect(listings).toHaveLength(3);
		for (const listing of listings) expect(listing.id).toMatch(/^lst_/);
	});

	it("negotiates a demo listing to acceptance over the WebSocket (negotiation guide)", async () => {
		const [buyer, seller] = await Promise.all([
			signInAndBrowse(base, "barbara@buyer.techflunky.test", DEMO_PASSWORD),
			signInAndBrowse(base, "ada@seller.techflunky.test", DEMO_PASSWORD),
		]);
		const accepted = await negotiate({
			baseUrl: base,
			buyerToken: buyer.token,
			sellerToken: seller.token,
			listingId: demoListingId("invoicely"),
		});
		expect(accepted.status).toBe("accepted");
		expect(accepted.amount_cents).toBe(45_000_000);
		// The platform's own record agrees with what the room told the sample.
		const offer = await fetch(`${base}/api/v1/offers/${accepted.id}`, {
			headers: { Authorization: `Bearer ${buyer.token}` },
		});
		expect(((await offer.json()) as { status: string }).status).toBe("accepted");
	});

	it("accepts a signed delivery and refuses an altered one, as the platform's endpoint does (webhooks guide)", async () => {
		const secret = secrets.STRIPE_WEBHOOK_SECRET;
		const payload = JSON.stringify({
			id: `evt_docs_${crypto.randomUUID().replaceAll("-", "")}`,
			object: "event",
			type: "customer.created",
			created: Math.floor(Date.now() / 1000),
			data: { object: { id: "cus_docs", object: "customer" } },
		});
		const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
		const delivery = (body: string) =>
			new Request(`${base}/webhooks/stripe`, {
				method: "POST",
				headers: { "Content-Type": "application/json", "Stripe-Signature": header },
				body,
			});

		const event = await verifyStripeWebhook(delivery(payload), secret);
		expect(event?.type).toBe("customer.created");
		expect((await fetch(delivery(payload))).status).toBe(200);

		const altered = payload.replace("cus_docs", "cus_evil");
		expect(await verifyStripeWebhook(delivery(altered), secret)).toBeNull();
		expect((await fetch(delivery(altered))).status).toBe(400);
		expect(await verifyStripeWebhook(delivery(payload), "whsec_not_the_secret")).toBeNull();
	});
});

describe("the site on docs.localhost", () => {
	it("serves the home page through the edge with the site's own CSP", async () => {
		const res = await docs("/");
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/text\/html/);
		expect(await res.text()).toContain("TechFlunky");
		const csp = res.headers.get("Content-Security-Policy") ?? "";
		expect(csp).toMatch(/script-src 'self' 'sha256-/);
		expect(csp).toContain("frame-ancestors 'none'");
		expect(res.headers.get("X-Frame-Options")).toBe("DENY");
	});

	it("includes each guide's sample file as it is", async () => {
		const page = await (await docs("/guides/negotiate/")).text();
		expect(page).toContain("NegotiationClient");
		expect(page).toContain("Meet me in the middle?");
	});

	it("has a reference page, with its method and path, for every operation in the contract", async () => {
		expect((await docs("/api/")).status).toBe(200);
		for (const route of routeTable.filter((r) => !r.hide)) {
			const res = await docs(`/api/operations/${route.operationId?.toLowerCase()}/`);
			expect(res.status, route.operationId).toBe(200);
			const page = await res.text();
			expect(page, route.operationId).toContain(`>${route.method.toUpperCase()}</div>`);
			expect(page, route.operationId).toContain(`>${route.path}</div>`);
		}
	});

	it("answers a missing page with the site's 404 and a write with 405", async () => {
		const missing = await docs("/no-such-page/");
		expect(missing.status).toBe(404);
		expect(await missing.text()).toContain("404");
		expect((await docs("/", { method: "POST", body: "x" })).status).toBe(405);
	});
});

describe("the site in a browser", () => {
	const PAGES = [
		{ name: "docs-home", path: "/" },
		{ name: "docs-negotiate", path: "/guides/negotiate/" },
		{ name: "docs-reference-login", path: "/api/operations/login/" },
		{ name: "docs-scale", path: "/scale/simulation/" },
	];

	it("runs its pages' scripts under its own CSP without an error, and passes axe at both widths", async () => {
		const browser = await launchBrowser();
		try {
			const origin = `http://docs.localhost:${topology.url.port}`;
			const context = await visitor(browser);
			const errors = collectErrors(context);
			const page = await context.newPage();
			for (const { path } of PAGES) {
				const res = await page.goto(`${origin}${path}`);
				expect(res?.status(), path).toBe(200);
			}
			// The theme switch is one of the inline scripts the CSP hashes: it must have run.
			expect(await page.evaluate(() => document.documentElement.dataset.theme)).toMatch(/^(light|dark)$/);
			expect(errors).toEqual([]);
			await context.close();
			expect(await auditPages((width) => visitor(browser, { width, bypassCSP: true }), PAGES, origin)).toEqual({});
		} finally {
			await browser.close();
		}
	});
});
