/**
 * The whole topology as a client sees it: HTTP through the dispatch Worker to the user Worker and
 * D1, and events through a queue into the consumer Worker and D1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OfferEvent } from "../../queues/offer-events.ts";
import { DEMO_PASSWORD, demoData, demoListingId } from "../../scripts/demo-data.ts";
import { testSecrets } from "../topology/secrets.ts";
import { startTopology, type Topology } from "../topology/topology.ts";
import { waitFor } from "./client.ts";

let topology: Topology;
const url = (path: string) => new URL(path, topology.url);

beforeAll(async () => {
	const secrets = testSecrets();
	const demo = await demoData({ pepper: secrets.PASSWORD_PEPPER, encryptionKey: secrets.ENCRYPTION_KEY });
	topology = await startTopology({ secrets, seedSql: demo.sql, seedObjects: demo.objects });
});

afterAll(async () => {
	await topology?.dispose();
});

const tokens = new Map<string, Promise<string>>();

/** A demo account's bearer token, signed in once per file (sign-ins are rate-limited per IP). */
function signIn(email: string): Promise<string> {
	let token = tokens.get(email);
	if (!token) {
		token = fetch(url("/api/v1/auth/login"), {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ email, password: DEMO_PASSWORD }),
		}).then(async (login) => {
			if (login.status !== 200) throw new Error(`sign-in as ${email} answered ${login.status}`);
			return ((await login.json()) as { token: string }).token;
		});
		tokens.set(email, token);
	}
	return token;
}

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

interface Page {
	items: { id: string; title: string; status: string }[];
	next_cursor: string | null;
}

describe("HTTP through dispatch → user Worker → D1", () => {
	it("answers /healthz with ok and a request id", async () => {
		const res = await fetch(url("/healthz"));
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ status: "ok" });
		expect(res.headers.get("X-Request-Id")).toBeTruthy();
		expect(res.headers.get("Strict-Transport-Security")).toBeTruthy();
	});

	it("lists the demo marketplace's active listings across pages", async () => {
		const first = (await (await fetch(url("/api/v1/listings?limit=4"))).json()) as Page;
		expect(first.items).toHaveLength(4);
		expect(first.next_cursor).toBeTruthy();
		const second = (await (await fetch(url(`/api/v1/listings?limit=4&cursor=${first.next_cursor}`))).json()) as Page;
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
		const res = await fetch(url(`/api/v1/listings/${draft?.id}`));
		expect(res.status).toBe(404);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	});

	it("signs a demo seller in, and refuses its oversized body with a 413 problem", async () => {
		const token = await signIn("ada@seller.techflunky.test");
		const res = await fetch(url("/api/v1/listings"), {
			method: "POST",
			headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
			body: JSON.stringify({ blob: "x".repeat(2 * 1024 * 1024) }),
		});
		expect(res.status).toBe(413);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	});
});

describe("the demo marketplace's NDA story", () => {
	// barbara@buyer is approved for Invoicely; ken@buyer's request for it is still pending.
	const invoicely = () => url(`/api/v1/listings/${demoListingId("invoicely")}`);

	it("shows Invoicely's confidential details to the approved buyer", async () => {
		const res = await fetch(invoicely(), bearer(await signIn("barbara@buyer.techflunky.test")));
		expect(res.status).toBe(200);
		const listing = (await res.json()) as { nda: { version: number }; confidential?: { legal_name?: string } };
		expect(listing.nda.version).toBe(1);
		expect(listing.confidential?.legal_name).toBe("Invoicely Software Ltd");
	});

	it("keeps the confidential details from a guest and from a buyer still waiting for approval", async () => {
		const guest = await fetch(invoicely());
		expect(guest.status).toBe(200);
		expect(await guest.json()).not.toHaveProperty("confidential");
		const pending = await fetch(invoicely(), bearer(await signIn("ken@buyer.techflunky.test")));
		expect(pending.status).toBe(200);
		expect(await pending.json()).not.toHaveProperty("confidential");
	});

	it("serves the pitch deck to the approved buyer as a PDF", async () => {
		const res = await fetch(
			`${invoicely()}/attachments/pitch-deck.pdf`,
			bearer(await signIn("barbara@buyer.techflunky.test")),
		);
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/pdf\b/);
		expect(new TextDecoder().decode((await res.arrayBuffer()).slice(0, 5))).toBe("%PDF-");
	});

	it("answers 404 for the pitch deck to a buyer without approval", async () => {
		const res = await fetch(
			`${invoicely()}/attachments/pitch-deck.pdf`,
			bearer(await signIn("ken@buyer.techflunky.test")),
		);
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
