/**
 * The whole topology as a client sees it: HTTP through the dispatch Worker to the user Worker and
 * D1, and events through a queue into the consumer Worker and D1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OfferEvent } from "../../queues/offer-events.ts";
import { DEMO_PASSWORD, demoData, demoListingId } from "../../scripts/demo-data.ts";
import { contract } from "../../shared/contract/table.ts";
import { testSecrets } from "../topology/secrets.ts";
import { startTopology, type Topology } from "../topology/topology.ts";
import { E2eClient, expectStatus, waitFor } from "./client.ts";

let topology: Topology;
let client: E2eClient;

beforeAll(async () => {
	const secrets = testSecrets();
	const demo = await demoData({ pepper: secrets.PASSWORD_PEPPER, encryptionKey: secrets.ENCRYPTION_KEY });
	topology = await startTopology({ secrets, seedSql: demo.sql, seedObjects: demo.objects });
	client = new E2eClient(topology.url.port);
});

afterAll(async () => {
	await client?.close();
	await topology?.dispose();
});

const tokens = new Map<string, Promise<string>>();

/** A demo account's bearer token, signed in once per file (sign-ins are rate-limited). */
function signIn(email: string): Promise<string> {
	let token = tokens.get(email);
	if (!token) {
		token = client.signIn(email, DEMO_PASSWORD).then((signedIn) => signedIn.token);
		tokens.set(email, token);
	}
	return token;
}

describe("HTTP through dispatch → user Worker → D1", () => {
	it("answers /healthz with ok and a request id", async () => {
		const res = await client.api.call(contract.healthCheck, {});
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ status: "ok" });
		expect(res.headers.get("X-Request-Id")).toBeTruthy();
		expect(res.headers.get("Strict-Transport-Security")).toBeTruthy();
	});

	it("lists the demo marketplace's active listings across pages", async () => {
		const page = async (cursor?: string) => {
			const query = { limit: 4, ...(cursor === undefined ? {} : { cursor }) };
			return expectStatus(await client.api.call(contract.browseListings, { query }), 200).body;
		};
		const first = await page();
		expect(first.items).toHaveLength(4);
		expect(first.next_cursor).toBeTruthy();
		const second = await page(first.next_cursor ?? "");
		const all = [...first.items, ...second.items];
		expect(second.next_cursor).toBeNull();
		expect(all).toHaveLength(6);
		expect(new Set(all.map((item) => item.id)).size).toBe(6);
		expect(all.every((item) => item.status === "active")).toBe(true);
		expect(all.map((item) => item.title)).not.toContain("Pixel & Prose — design agency (draft)");
	});

	it("hides a draft listing behind a 404", async () => {
		const db = await topology.db();
		const draft = await db.prepare("SELECT id FROM listings WHERE status = 'draft' LIMIT 1").first<{ id: string }>();
		const res = await client.api.call(contract.getListing, { params: { id: draft?.id ?? "" } });
		expect(res.status).toBe(404);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	});

	it("signs a demo seller in, and refuses its oversized body with a 413 problem", async () => {
		const token = await signIn("ada@seller.techflunky.test");
		const res = await client.call("/api/v1/listings", { token, json: { blob: "x".repeat(2 * 1024 * 1024) } });
		expect(res.status).toBe(413);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	});
});

describe("the demo marketplace's NDA story", () => {
	// barbara@buyer is approved for Invoicely; ken@buyer's request for it is still pending.
	const invoicely = { id: demoListingId("invoicely") };
	const deck = { ...invoicely, name: "pitch-deck.pdf" };

	it("shows Invoicely's confidential details to the approved buyer", async () => {
		const token = await signIn("barbara@buyer.techflunky.test");
		const res = await client.api.call(contract.getListing, { params: invoicely, token });
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ nda: { version: 1 }, confidential: { legal_name: "Invoicely Software Ltd" } });
	});

	it("keeps the confidential details from a guest and from a buyer still waiting for approval", async () => {
		const guest = await client.api.call(contract.getListing, { params: invoicely });
		expect(guest.status).toBe(200);
		expect(guest.body).not.toHaveProperty("confidential");
		const token = await signIn("ken@buyer.techflunky.test");
		const pending = await client.api.call(contract.getListing, { params: invoicely, token });
		expect(pending.status).toBe(200);
		expect(pending.body).not.toHaveProperty("confidential");
	});

	it("serves the pitch deck to the approved buyer as a PDF", async () => {
		// Raw: the typed client reads a file's body as text, and this test looks at its bytes.
		const res = await client.call(`/api/v1/listings/${deck.id}/attachments/${deck.name}`, {
			token: await signIn("barbara@buyer.techflunky.test"),
		});
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/pdf\b/);
		expect(new TextDecoder().decode((await res.arrayBuffer()).slice(0, 5))).toBe("%PDF-");
	});

	it("answers 404 for the pitch deck to a buyer without approval", async () => {
		const token = await signIn("ken@buyer.techflunky.test");
		const res = await client.api.call(contract.getAttachment, { params: deck, token });
		expect(res.status).toBe(404);
	});
});

describe("producer → queue → consumer → D1", () => {
	const event = (overrides: Partial<OfferEvent> = {}): OfferEvent => ({
		id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
		type: "offer.created",
		occurred_at: new Date().toISOString(),
		offer_id: `off_${crypto.randomUUID().replaceAll("-", "")}`,
		listing_id: `lst_${crypto.randomUUID().replaceAll("-", "")}`,
		buyer_tenant_id: "buyer_1",
		seller_tenant_id: "seller_1",
		actor_tenant_id: "buyer_1",
		version: 1,
		amount_cents: 42_000_00,
		currency: "USD",
		...overrides,
	});

	it("consolidates an offer event into D1 once, even when it is delivered twice", async () => {
		const queue = await topology.mf.getQueueProducer<OfferEvent>("OFFER_EVENTS", "techflunky-dispatch");
		const db = await topology.db();
		const sent = event();
		await queue.send(sent);
		await queue.send(sent);
		const row = await waitFor(async () => {
			const found = await db
				.prepare("SELECT offer_id, amount_cents FROM offer_events WHERE event_id = ?")
				.bind(sent.id)
				.first<{ offer_id: string; amount_cents: number }>();
			return found ?? undefined;
		});
		expect(row).toEqual({ offer_id: sent.offer_id, amount_cents: 42_000_00 });
		// Give the second delivery time to land, then check it changed nothing.
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		const count = await db
			.prepare("SELECT count(*) AS n FROM offer_events WHERE event_id = ?")
			.bind(sent.id)
			.first<{ n: number }>();
		expect(count?.n).toBe(1);
	});

	it("records a poison message in dead_letters instead of losing it", async () => {
		const queue = await topology.mf.getQueueProducer<unknown>("OFFER_EVENTS", "techflunky-dispatch");
		const db = await topology.db();
		const marker = crypto.randomUUID();
		await queue.send({ ...event(), currency: "dollars", note: marker });
		const row = await waitFor(async () => {
			const found = await db
				.prepare("SELECT queue, reason FROM dead_letters WHERE body LIKE ?")
				.bind(`%${marker}%`)
				.first<{ queue: string; reason: string }>();
			return found ?? undefined;
		});
		expect(row.queue).toBe("offer-events");
		expect(row.reason).toMatch(/^invalid: /);
	});
});
