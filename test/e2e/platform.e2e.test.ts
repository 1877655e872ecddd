/**
 * The whole topology as a client sees it: HTTP through the dispatch Worker to the user Worker and
 * D1, and events through a queue into the consumer Worker and D1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OfferEvent } from "../../queues/offer-events.ts";
import { DEMO_PASSWORD, demoDataSql } from "../../scripts/demo-data.ts";
import { testSecrets } from "../topology/secrets.ts";
import { startTopology, type Topology } from "../topology/topology.ts";
import { waitFor } from "./client.ts";

let topology: Topology;
const url = (path: string) => new URL(path, topology.url);

beforeAll(async () => {
	const secrets = testSecrets();
	topology = await startTopology({ secrets, seedSql: await demoDataSql(secrets.PASSWORD_PEPPER ?? "") });
});

afterAll(async () => {
	await topology?.dispose();
});

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
		const login = await fetch(url("/api/v1/auth/login"), {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ email: "ada@seller.techflunky.test", password: DEMO_PASSWORD }),
		});
		expect(login.status).toBe(200);
		const { token } = (await login.json()) as { token: string };
		const res = await fetch(url("/api/v1/listings"), {
			method: "POST",
			headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
			body: JSON.stringify({ blob: "x".repeat(2 * 1024 * 1024) }),
		});
		expect(res.status).toBe(413);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
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
