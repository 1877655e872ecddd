/**
 * The admin console's operations over the whole local topology: a message dead-lettered the way
 * the platform does it (sent to its `-dlq` queue, recorded by the dead-letter consumer) is not
 * consolidated until an admin replays it, then is consolidated exactly once however often it is
 * replayed; two simultaneous replays send once; a send the queue refuses leaves the dead letter
 * waiting. Archiving a listing for moderation e-mails its seller the reason, once. Every admin
 * action shows in the audit log the consumers write, and in `GET /api/v1/admin/audit`.
 */
import { describe, expect, it } from "vitest";
import type { OfferEvent } from "../../queues/offer-events.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import { answerOf, type E2eClient, type SignedInAdmin, topologyForFile, waitFor } from "./client.ts";
import { mailTo, waitForMail } from "./mailbox.ts";

let topology: Topology;
let client: E2eClient;
let admin: SignedInAdmin;
topologyForFile(
	{ secrets: testSecrets(), admin: "ops", localMail: true },
	(file) => ({ topology, client, admin } = file),
);

const hex = () => crypto.randomUUID().replaceAll("-", "");

function offerEvent(): OfferEvent {
	return {
		id: `evt_${hex()}`,
		type: "offer.created",
		occurred_at: new Date().toISOString(),
		offer_id: `off_${hex()}`,
		listing_id: `lst_${hex()}`,
		buyer_tenant_id: `buyer_${hex()}`,
		seller_tenant_id: `seller_${hex()}`,
		actor_tenant_id: null,
		version: 1,
		amount_cents: 1_000_000,
		currency: "USD",
	};
}

async function scalar(sql: string, ...binds: unknown[]): Promise<number> {
	const db = await topology.db();
	const row = await db
		.prepare(sql)
		.bind(...binds)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

/** How many times the offer-events consumer recorded `event` (its timeline row; the insert is idempotent). */
const consolidated = (event: OfferEvent) =>
	scalar("SELECT COUNT(*) AS n FROM offer_events WHERE event_id = ?", event.id);
/** The seller's offers_opened counter, which only a first recording bumps. */
const opened = (event: OfferEvent) =>
	scalar(
		"SELECT COALESCE(SUM(offers_opened), 0) AS n FROM tenant_daily_activity WHERE tenant_id = ?",
		event.seller_tenant_id,
	);

/** Sends `event` to offer-events' dead-letter queue, as the platform does after its last retry; the recorded id. */
async function deadLettered(event: OfferEvent): Promise<string> {
	const dlq = await topology.mf.getQueueProducer<OfferEvent>("OFFER_EVENTS_DLQ", "techflunky-consumers");
	await dlq.send(event, { contentType: "json" });
	const db = await topology.db();
	return waitFor(async () => {
		const row = await db
			.prepare("SELECT message_id FROM dead_letters WHERE json_extract(body, '$.id') = ?")
			.bind(event.id)
			.first<{ message_id: string }>();
		return row?.message_id;
	});
}

/** Sends `event` to offer-events itself and waits until it is recorded: everything queued before it was handled. */
async function drainOfferEvents(): Promise<void> {
	const sentinel = offerEvent();
	const queue = await topology.mf.getQueueProducer<OfferEvent>("OFFER_EVENTS", "techflunky-dispatch");
	await queue.send(sentinel, { contentType: "json" });
	await waitFor(async () => ((await consolidated(sentinel)) === 1 ? true : undefined));
}

const replay = (id: string, query = "") =>
	answerOf<{ replays: number; detail?: string }>(
		client,
		admin,
		`/api/v1/admin/dead-letters/${id}/replay${query}`,
		undefined,
		"POST",
	);

/** The audit rows the consumer wrote for `action` whose detail has `key` = `value`, once at least `count` are there. */
async function audited(action: string, key: string, value: string | number, count = 1) {
	const db = await topology.db();
	return waitFor(async () => {
		const { results } = await db
			.prepare(`SELECT * FROM audit_log WHERE action = ? AND json_extract(detail, '$.' || ?) = ? ORDER BY occurred_at`)
			.bind(action, key, value)
			.all<{ actor_user_id: string; actor_tenant_id: string; subject_tenant_id: string | null; detail: string }>();
		return results.length >= count ? results : undefined;
	}, 20_000);
}

describe("dead letters and replay", () => {
	it("consolidates a dead-lettered event only when replayed, and exactly once however often", async () => {
		const event = offerEvent();
		const id = await deadLettered(event);
		expect(await consolidated(event)).toBe(0);

		const list = await answerOf<{ items: { message_id: string; body: unknown; reason: string; queue: string }[] }>(
			client,
			admin,
			"/api/v1/admin/dead-letters?queue=offer-events&status=waiting&limit=100",
		);
		expect(list.status).toBe(200);
		expect(list.body.items.find((item) => item.message_id === id)).toMatchObject({
			queue: "offer-events",
			body: event,
			reason: "retries exhausted",
		});

		const first = await replay(id);
		expect(first.status).toBe(200);
		expect(first.body.replays).toBe(1);
		await waitFor(async () => ((await consolidated(event)) === 1 ? true : undefined));

		const again = await replay(id);
		expect(again.status).toBe(409);
		expect(again.body.detail).toMatch(/force=true/);
		const forced = await replay(id, "?force=true");
		expect(forced.status).toBe(200);
		expect(forced.body.replays).toBe(2);
		// The queue delivers in order: once a later event is recorded, the forced replay was handled.
		await drainOfferEvents();
		expect(await consolidated(event)).toBe(1);
		expect(await opened(event)).toBe(1);

		const audits = await audited("admin.dead_letter_replayed", "message_id", id, 2);
		expect(audits.map((row) => JSON.parse(row.detail).forced)).toEqual([false, true]);
		expect(audits[0]).toMatchObject({ actor_user_id: admin.userId, actor_tenant_id: admin.tenantId });
	});

	it("sends one of two simultaneous replays of a dead letter", async () => {
		const event = offerEvent();
		const id = await deadLettered(event);
		const answers = await Promise.all([replay(id), replay(id)]);
		expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
		await drainOfferEvents();
		expect(await consolidated(event)).toBe(1);
		expect(await scalar("SELECT replays AS n FROM dead_letters WHERE message_id = ?", id)).toBe(1);
	});

	it("leaves a dead letter waiting when its queue refuses the send (503)", async () => {
		const db = await topology.db();
		const id = hex();
		// Over the 128 KB a queue message may be: the queue refuses it.
		await db
			.prepare(
				`INSERT INTO dead_letters (message_id, queue, body, attempts, reason, recorded_at)
				 VALUES (?, 'payment-events', ?, 9, 'retries exhausted', ?)`,
			)
			.bind(id, JSON.stringify({ pad: "x".repeat(140_000) }), new Date().toISOString())
			.run();
		const res = await replay(id);
		expect(res.status).toBe(503);
		const row = await db
			.prepare("SELECT replayed_at, replays FROM dead_letters WHERE message_id = ?")
			.bind(id)
			.first<{ replayed_at: string | null; replays: number }>();
		expect(row).toEqual({ replayed_at: null, replays: 0 });
		await db.prepare("DELETE FROM dead_letters WHERE message_id = ?").bind(id).run();
	});

	it("replays every waiting dead letter of a queue, audited once per call", async () => {
		const events = [offerEvent(), offerEvent()];
		for (const event of events) await deadLettered(event);
		const res = await answerOf<{ replayed: number; remaining: number; before: string }>(
			client,
			admin,
			"/api/v1/admin/dead-letters/replay",
			{ queue: "offer-events" },
		);
		expect(res.status).toBe(200);
		expect(res.body.replayed).toBe(2);
		expect(res.body.remaining).toBe(0);
		await drainOfferEvents();
		for (const event of events) expect(await consolidated(event)).toBe(1);
		const [record] = await audited("admin.dead_letters_replayed", "before", res.body.before);
		expect(JSON.parse(record?.detail ?? "{}")).toMatchObject({ queue: "offer-events", count: 2, remaining: 0 });

		const repeat = await answerOf<{ replayed: number }>(client, admin, "/api/v1/admin/dead-letters/replay", {
			queue: "offer-events",
		});
		expect(repeat.body.replayed).toBe(0);
		await drainOfferEvents();
		for (const event of events) expect(await consolidated(event)).toBe(1);
	});
});

describe("moderation", () => {
	it("archives a listing, e-mails its seller the reason once and audits it", async () => {
		const seller = await client.register("seller");
		const title = `Moderated SaaS ${hex().slice(0, 6)}`;
		const listing = await client.listing(seller, { title });
		const reason = "The revenue screenshots do not match the Stripe account.";
		const path = `/api/v1/admin/listings/${listing.id}/archive`;
		const res = await answerOf<{ id: string; reason: string }>(client, admin, path, { reason });
		expect(res.status).toBe(200);
		expect(res.body.reason).toBe(reason);

		const own = await answerOf<{ status: string }>(client, seller, `/api/v1/listings/${listing.id}`);
		expect(own.body.status).toBe("archived");
		expect(await scalar("SELECT COUNT(*) AS n FROM listing_moderations WHERE listing_id = ?", listing.id)).toBe(1);

		const subject = `Your listing was archived: ${title}`;
		const mail = await waitForMail(topology, seller.email, subject);
		expect(mail.text).toContain(reason);
		expect(mail.html).toContain(reason);
		const [audit] = await audited("admin.listing_archived", "listing_id", listing.id);
		expect(audit).toMatchObject({ actor_user_id: admin.userId, subject_tenant_id: seller.tenant.id });
		expect(JSON.parse(audit?.detail ?? "{}")).toMatchObject({ reason, moderation_id: res.body.id });

		const second = await answerOf<{ detail: string }>(client, admin, path, { reason: "Again." });
		expect(second.status).toBe(409);
		expect(second.body.detail).toBe("The listing is already archived.");
		// Nothing was queued for a second e-mail, so none can arrive.
		expect(
			await scalar(
				"SELECT COUNT(*) AS n FROM outbox WHERE json_extract(body, '$.template') = 'listing-moderated' AND json_extract(body, '$.to.email') = ?",
				seller.email,
			),
		).toBe(1);
		expect(await mailTo(topology, seller.email, subject)).toHaveLength(1);
	});
});

describe("the audit log", () => {
	it("shows an admin acting for a tenant", async () => {
		const seller = await client.register("seller");
		const res = await client.call("/api/v1/listings", {
			token: admin.token,
			headers: { "X-Tenant-ID": seller.tenant.id },
		});
		expect(res.status).toBe(200);
		const entry = await waitFor(async () => {
			const page = await answerOf<{ items: { action: string; actor_user_id: string; detail: { path?: string } }[] }>(
				client,
				admin,
				`/api/v1/admin/audit?action=admin.act_for_tenant&tenant=${seller.tenant.id}`,
			);
			return page.body.items[0];
		}, 20_000);
		expect(entry).toMatchObject({ action: "admin.act_for_tenant", actor_user_id: admin.userId });
		expect(entry.detail.path).toMatch(/^\/api\/v1\/listings/);
	});
});
