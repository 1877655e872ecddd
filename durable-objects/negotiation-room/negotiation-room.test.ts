/**
 * NegotiationRoom inside workerd: the thread over RPC (the REST path), the outbox and its alarm,
 * expiry, holds and the listing claim against the real D1, and the WebSocket protocol
 * (docs/domain.md, Offer threads; docs/api.md, Offers; docs/architecture.md, Reliability rules).
 * Every test opens its own thread (`off_<hex>`) on its own listing and tenants.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ListingEventJob, listingEventJobSchema } from "../../queues/backoffice-jobs.ts";
import { type OfferEvent, offerEventSchema } from "../../queues/offer-events.ts";
import { refusalProblem } from "../../shared/contract/outcomes.ts";
import { newId } from "../../shared/encoding.ts";
import { problemBody } from "../../shared/http/problem.ts";
import type { ClientFrame, OfferView } from "../../shared/offers/protocol.ts";
import { listingInsert, tenantInsert } from "../../test/support/listings.ts";
import {
	ACTOR_HEADER,
	type Actor,
	type ActResult,
	type NegotiationRoom,
	type OpenInput,
	ROLE_HEADER,
	SESSION_HEADER,
	USER_HEADER,
} from "./negotiation-room.ts";

const bindings = env as unknown as DispatchEnv;
type Room = DurableObjectStub<NegotiationRoom>;

const HOUR = 3_600_000;
const TTL = 72 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

afterEach(() => {
	vi.restoreAllMocks();
});

// --- fixtures ----------------------------------------------------------------------------

async function run(statement: { sql: string; values: (string | number | null)[] }): Promise<void> {
	await bindings.DB.prepare(statement.sql)
		.bind(...statement.values)
		.run();
}

/** A seller with an active listing in D1. */
async function seedListing(): Promise<{ listingId: string; seller: Actor }> {
	const sellerId = newId("seller");
	const listingId = newId("lst");
	await run(tenantInsert(sellerId, "seller"));
	await run(listingInsert({ id: listingId, seller_tenant_id: sellerId, title: "A SaaS for sale" }));
	return { listingId, seller: { tenantId: sellerId, admin: false } };
}

async function listingStatus(listingId: string): Promise<string | null> {
	return bindings.DB.prepare("SELECT status FROM listings WHERE id = ?").bind(listingId).first<string>("status");
}

interface Thread {
	id: string;
	stub: Room;
	buyer: Actor;
	seller: Actor;
	listingId: string;
	openedAt: number;
	opened: OfferView;
}

interface ThreadOptions {
	listing?: { listingId: string; seller: Actor };
	amountCents?: number;
	message?: string | null;
	/** Whether the thread is in the D1 `offers` registry (where an acceptance finds the threads to hold). */
	register?: boolean;
}

/** Opens a thread as the offer route does: a new room, then its row in the `offers` registry. */
async function openThread(options: ThreadOptions = {}): Promise<Thread> {
	const { listingId, seller } = options.listing ?? (await seedListing());
	const buyer: Actor = { tenantId: newId("buyer"), admin: false };
	await run(tenantInsert(buyer.tenantId, "buyer"));
	const id = newId("off");
	const stub = bindings.NegotiationRoom.getByName(id);
	const openedAt = Date.now();
	const opened = await stub.open(openInput(id, listingId, buyer, seller, openedAt, options));
	if (options.register ?? true) {
		await bindings.DB.prepare(
			"INSERT INTO offers (id, listing_id, buyer_tenant_id, seller_tenant_id, created_at) VALUES (?, ?, ?, ?, ?)",
		)
			.bind(id, listingId, buyer.tenantId, seller.tenantId, iso(openedAt))
			.run();
	}
	return { id, stub, buyer, seller, listingId, openedAt, opened };
}

function openInput(
	id: string,
	listingId: string,
	buyer: Actor,
	seller: Actor,
	now: number,
	options: ThreadOptions = {},
): OpenInput {
	return {
		offerId: id,
		listingId,
		buyerTenantId: buyer.tenantId,
		sellerTenantId: seller.tenantId,
		amountCents: options.amountCents ?? 5_000_000,
		currency: "USD",
		message: options.message === undefined ? "Interested." : options.message,
		now,
	};
}

/** A result as REST answers it: a refusal's kind, with the status and detail of its problem. */
function answered(result: ActResult) {
	if (result.ok) return result;
	const { status, detail } = problemBody(refusalProblem(result.refusal));
	return { ok: false as const, kind: result.refusal.kind, status, detail };
}

async function viewOf(stub: Room): Promise<OfferView> {
	const view = await stub.view();
	if (!view) throw new Error("the thread is not open");
	return view;
}

const stranger = (): Actor => ({ tenantId: newId("buyer"), admin: false });
const admin = (): Actor => ({ tenantId: newId("admin"), admin: true });

interface OutboxRow {
	event: OfferEvent;
	sentAt: number | null;
}

/** The room's outbox in write order, each body parsed with the queue's own schema. */
async function outboxOf(stub: Room): Promise<OutboxRow[]> {
	const rows = await runInDurableObject(stub, (_room, state) =>
		state.storage.sql
			.exec<{ body: string; sent_at: number | null }>("SELECT body, sent_at FROM outbox ORDER BY rowid")
			.toArray(),
	);
	return rows.map((row) => ({ event: offerEventSchema.parse(JSON.parse(row.body)), sentAt: row.sent_at }));
}

/** The listing's events in the D1 outbox (where the listing claim is announced), in write order. */
async function listingEvents(listingId: string): Promise<{ body: ListingEventJob; sentAt: string | null }[]> {
	const { results } = await bindings.DB.prepare(
		"SELECT body, sent_at FROM outbox WHERE queue = 'backoffice-jobs' AND body LIKE ? ORDER BY created_at, rowid",
	)
		.bind(`%${listingId}%`)
		.all<{ body: string; sent_at: string | null }>();
	return results.map((row) => ({ body: listingEventJobSchema.parse(JSON.parse(row.body)), sentAt: row.sent_at }));
}

async function alarmAt(stub: Room): Promise<number | null> {
	return runInDurableObject(stub, (_room, state) => state.storage.getAlarm());
}

// --- open and act over RPC ---------------------------------------------------------------

describe("NegotiationRoom threads", () => {
	it("has no thread before one is opened", async () => {
		const stub = bindings.NegotiationRoom.getByName(newId("off"));
		expect(await stub.view()).toBeNull();
		expect(
			answered(await stub.act({ tenantId: newId("buyer"), admin: false }, { type: "accept", version: 1 }, Date.now())),
		).toEqual({ ok: false, kind: "not_found", status: 404, detail: expect.any(String) });
	});

	it("opens a pending thread at version 1 that expires in 72 hours", async () => {
		const { id, opened, buyer, seller, listingId, openedAt } = await openThread({ message: "Interested." });
		expect(opened).toMatchObject({
			id,
			listing_id: listingId,
			buyer_tenant_id: buyer.tenantId,
			seller_tenant_id: seller.tenantId,
			amount_cents: 5_000_000,
			currency: "USD",
			status: "pending",
			version: 1,
			last_proposer: "buyer",
			on_hold: false,
			expires_at: iso(openedAt + TTL),
			created_at: iso(openedAt),
		});
		expect(opened.history).toEqual([
			{
				version: 1,
				action: "created",
				actor_tenant_id: buyer.tenantId,
				amount_cents: 5_000_000,
				message: "Interested.",
				at: iso(openedAt),
			},
		]);
	});

	it("returns the existing thread unchanged when it is opened again", async () => {
		const { id, stub, opened, buyer, seller, listingId, openedAt } = await openThread();
		const again = await stub.open({
			...openInput(id, listingId, buyer, seller, openedAt + HOUR),
			amountCents: 1,
			message: "Second try.",
		});
		expect(again).toEqual(opened);
		expect(await viewOf(stub)).toEqual(opened);
		expect(await outboxOf(stub)).toHaveLength(1);
	});

	it("alternates counters and accepts for the side that did not propose last", async () => {
		const { stub, buyer, seller, openedAt, listingId } = await openThread();
		const t1 = openedAt + 1000;
		const countered = await stub.act(seller, { type: "counter", amount_cents: 6_000_000, version: 1 }, t1);
		expect(countered).toMatchObject({
			ok: true,
			offer: {
				status: "countered",
				version: 2,
				amount_cents: 6_000_000,
				last_proposer: "seller",
				expires_at: iso(t1 + TTL),
			},
		});

		const t2 = openedAt + 2000;
		const back = await stub.act(
			buyer,
			{ type: "counter", amount_cents: 5_500_000, version: 2, message: "Meet me here?" },
			t2,
		);
		expect(back).toMatchObject({
			ok: true,
			offer: { status: "countered", version: 3, amount_cents: 5_500_000, last_proposer: "buyer" },
		});

		const accepted = await stub.act(seller, { type: "accept", version: 3 }, openedAt + 3000);
		expect(accepted).toMatchObject({
			ok: true,
			offer: { status: "accepted", version: 4, amount_cents: 5_500_000, expires_at: null },
		});
		const view = await viewOf(stub);
		expect(
			view.history?.map((entry) => [entry.version, entry.action, entry.actor_tenant_id, entry.amount_cents]),
		).toEqual([
			[1, "created", buyer.tenantId, 5_000_000],
			[2, "countered", seller.tenantId, 6_000_000],
			[3, "countered", buyer.tenantId, 5_500_000],
			[4, "accepted", seller.tenantId, 5_500_000],
		]);
		expect(view.history?.[2]?.message).toBe("Meet me here?");
		expect(await listingStatus(listingId)).toBe("under_offer");
	});

	it("lets the buyer accept the seller's counter", async () => {
		const { stub, buyer, seller, openedAt } = await openThread();
		await stub.act(seller, { type: "counter", amount_cents: 7_000_000, version: 1 }, openedAt + 1);
		expect(await stub.act(buyer, { type: "accept", version: 2 }, openedAt + 2)).toMatchObject({
			ok: true,
			offer: { status: "accepted", version: 3, amount_cents: 7_000_000 },
		});
	});

	it("lets the seller reject and the buyer withdraw", async () => {
		const rejecting = await openThread();
		expect(
			await rejecting.stub.act(rejecting.seller, { type: "reject", version: 1 }, rejecting.openedAt + 1),
		).toMatchObject({ ok: true, offer: { status: "rejected", version: 2, expires_at: null } });
		expect(
			answered(
				await rejecting.stub.act(
					rejecting.buyer,
					{ type: "counter", amount_cents: 1, version: 2 },
					rejecting.openedAt + 2,
				),
			),
		).toMatchObject({ ok: false, kind: "closed", status: 409 });

		const withdrawing = await openThread();
		expect(await withdrawing.stub.act(withdrawing.buyer, { type: "withdraw" }, withdrawing.openedAt + 1)).toMatchObject(
			{
				ok: true,
				offer: { status: "withdrawn", version: 2 },
			},
		);
	});

	it("refuses a move with a stale version with 409", async () => {
		const { stub, buyer, seller, openedAt } = await openThread();
		await stub.act(seller, { type: "counter", amount_cents: 6_000_000, version: 1 }, openedAt + 1);
		expect(answered(await stub.act(buyer, { type: "accept", version: 1 }, openedAt + 2))).toEqual({
			ok: false,
			kind: "stale_version",
			status: 409,
			detail: expect.stringMatching(/stale/),
		});
		expect(answered(await stub.act(buyer, { type: "withdraw", version: 1 }, openedAt + 2))).toMatchObject({
			ok: false,
			kind: "stale_version",
			status: 409,
		});
		expect(await viewOf(stub)).toMatchObject({ status: "countered", version: 2 });
	});

	it("refuses a counter out of turn with 409", async () => {
		const { stub, buyer, openedAt } = await openThread();
		expect(
			answered(await stub.act(buyer, { type: "counter", amount_cents: 4_000_000, version: 1 }, openedAt + 1)),
		).toEqual({
			ok: false,
			kind: "not_your_turn",
			status: 409,
			detail: expect.stringMatching(/turn/),
		});
	});

	it("refuses to let the buyer accept its own proposal with 409", async () => {
		const { stub, buyer, openedAt, listingId } = await openThread();
		expect(answered(await stub.act(buyer, { type: "accept", version: 1 }, openedAt + 1))).toMatchObject({
			ok: false,
			kind: "not_your_turn",
			status: 409,
		});
		expect(await listingStatus(listingId)).toBe("active");
	});

	it("refuses a withdrawal by the seller with 403", async () => {
		const { stub, seller, openedAt } = await openThread();
		expect(answered(await stub.act(seller, { type: "withdraw", version: 1 }, openedAt + 1))).toMatchObject({
			ok: false,
			kind: "not_buyer",
			status: 403,
		});
	});

	it("refuses an admin's move with 403 and a stranger's with 404", async () => {
		const { stub, openedAt } = await openThread();
		const counter = { type: "counter", amount_cents: 6_000_000, version: 1 } as const;
		expect(answered(await stub.act(admin(), counter, openedAt + 1))).toMatchObject({
			ok: false,
			kind: "admin_read_only",
			status: 403,
		});
		expect(answered(await stub.act(stranger(), counter, openedAt + 1))).toMatchObject({
			ok: false,
			kind: "not_found",
			status: 404,
		});
		expect(answered(await stub.act(stranger(), { type: "accept", version: 1 }, openedAt + 1))).toMatchObject({
			ok: false,
			kind: "not_found",
			status: 404,
		});
	});

	it("accepts exactly one of simultaneous counters on the same version", async () => {
		const { stub, seller, openedAt } = await openThread();
		const results = await Promise.all(
			[6_000_000, 6_100_000, 6_200_000, 6_300_000].map((amount_cents) =>
				stub.act(seller, { type: "counter", amount_cents, version: 1 }, openedAt + 1),
			),
		);
		expect(results.filter((result) => result.ok)).toHaveLength(1);
		expect(
			results.map(answered).filter((result) => !result.ok && result.kind === "stale_version" && result.status === 409),
		).toHaveLength(3);
		expect(await viewOf(stub)).toMatchObject({ version: 2 });
	});

	it("refuses an amount that is not a positive whole number of cents with 400", async () => {
		const { stub, seller, openedAt } = await openThread();
		for (const amount_cents of [0, -100, 1.5, Number.NaN]) {
			expect(
				answered(await stub.act(seller, { type: "counter", amount_cents, version: 1 }, openedAt + 1)),
			).toMatchObject({
				ok: false,
				kind: "invalid_move",
				status: 400,
			});
		}
	});

	it("leaves the thread, its history and its outbox untouched by a refused move", async () => {
		const { stub, buyer, seller, opened, openedAt } = await openThread();
		await stub.act(buyer, { type: "counter", amount_cents: 1, version: 1 }, openedAt + 1);
		await stub.act(seller, { type: "counter", amount_cents: 1, version: 9 }, openedAt + 1);
		await stub.act(seller, { type: "counter", amount_cents: 0, version: 1 }, openedAt + 1);
		await stub.act(admin(), { type: "reject", version: 1 }, openedAt + 1);
		expect(await viewOf(stub)).toEqual(opened);
		expect(await outboxOf(stub)).toHaveLength(1);
	});

	it("keeps the thread and its history across eviction", async () => {
		const { stub, seller, openedAt } = await openThread();
		await stub.act(seller, { type: "counter", amount_cents: 6_000_000, version: 1 }, openedAt + 1);
		const before = await viewOf(stub);
		await evictDurableObject(stub);
		expect(await viewOf(stub)).toEqual(before);
		expect(before.history).toHaveLength(2);
	});
});

// --- outbox ------------------------------------------------------------------------------

describe("NegotiationRoom outbox", () => {
	it("records a valid offer event for every change and marks it sent", async () => {
		const { id, stub, buyer, seller, listingId, openedAt } = await openThread();
		await stub.act(seller, { type: "counter", amount_cents: 6_000_000, version: 1 }, openedAt + 1000);
		await stub.act(buyer, { type: "accept", version: 2 }, openedAt + 2000);
		const rows = await outboxOf(stub);
		expect(rows.map(({ event }) => [event.type, event.version, event.amount_cents, event.actor_tenant_id])).toEqual([
			["offer.created", 1, 5_000_000, buyer.tenantId],
			["offer.countered", 2, 6_000_000, seller.tenantId],
			["offer.accepted", 3, 6_000_000, buyer.tenantId],
		]);
		for (const { event, sentAt } of rows) {
			expect(event).toMatchObject({
				offer_id: id,
				listing_id: listingId,
				buyer_tenant_id: buyer.tenantId,
				seller_tenant_id: seller.tenantId,
				currency: "USD",
			});
			expect(sentAt).not.toBeNull();
		}
		expect(rows[1]?.event.occurred_at).toBe(iso(openedAt + 1000));
		expect(new Set(rows.map(({ event }) => event.id)).size).toBe(3);
	});

	it("sends each change's event on the offer-events queue", async () => {
		const sendBatch = vi.spyOn(bindings.OFFER_EVENTS, "sendBatch");
		const { stub, seller, openedAt } = await openThread();
		await stub.act(seller, { type: "counter", amount_cents: 6_000_000, version: 1 }, openedAt + 1);
		const sent = sendBatch.mock.calls.flatMap(([messages]) => [...messages].map((message) => message.body));
		expect(sent).toEqual((await outboxOf(stub)).map(({ event }) => event));
	});

	it("resends an unsent event when the alarm runs", async () => {
		const { stub, seller, openedAt } = await openThread();
		await stub.act(seller, { type: "counter", amount_cents: 6_000_000, version: 1 }, openedAt + 1);
		const [created] = await outboxOf(stub);
		await runInDurableObject(stub, (_room, state) => {
			state.storage.sql.exec("UPDATE outbox SET sent_at = NULL WHERE event_id = ?", created?.event.id ?? "");
		});
		expect((await outboxOf(stub)).map(({ sentAt }) => sentAt === null)).toEqual([true, false]);
		const sendBatch = vi.spyOn(bindings.OFFER_EVENTS, "sendBatch");
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect((await outboxOf(stub)).map(({ sentAt }) => sentAt === null)).toEqual([false, false]);
		const resent = sendBatch.mock.calls.flatMap(([messages]) => [...messages].map((message) => message.body));
		expect(resent).toEqual([created?.event]);
	});

	it("keeps an event whose send failed and resends it from an alarm within a minute", async () => {
		vi.spyOn(console, "error").mockImplementation(() => {});
		const { stub, seller, openedAt } = await openThread();
		vi.spyOn(bindings.OFFER_EVENTS, "sendBatch").mockRejectedValueOnce(new Error("queue unavailable"));
		const before = Date.now();
		expect(
			await stub.act(seller, { type: "counter", amount_cents: 6_000_000, version: 1 }, openedAt + 1),
		).toMatchObject({ ok: true, offer: { version: 2 } });
		expect((await outboxOf(stub)).map(({ sentAt }) => sentAt === null)).toEqual([false, true]);
		const alarm = await alarmAt(stub);
		expect(alarm).not.toBeNull();
		expect(alarm ?? 0).toBeLessThan(before + 60_000);
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect((await outboxOf(stub)).map(({ sentAt }) => sentAt === null)).toEqual([false, false]);
	});
});

// --- expiry ------------------------------------------------------------------------------

/** Moves the pending proposal's expiry into the past, as if 72 hours had gone by. */
async function backdateExpiry(stub: Room): Promise<void> {
	await runInDurableObject(stub, (_room, state) => {
		state.storage.sql.exec("UPDATE thread SET expires_at = ?", Date.now() - 1000);
	});
}

describe("NegotiationRoom expiry", () => {
	it("schedules its alarm for the proposal's expiry", async () => {
		const { stub, seller, openedAt } = await openThread();
		expect(await alarmAt(stub)).toBe(openedAt + TTL);
		await stub.act(seller, { type: "counter", amount_cents: 6_000_000, version: 1 }, openedAt + HOUR);
		expect(await alarmAt(stub)).toBe(openedAt + HOUR + TTL);
	});

	it("expires a proposal when its alarm runs after 72 hours", async () => {
		const { stub } = await openThread();
		await backdateExpiry(stub);
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		const view = await viewOf(stub);
		expect(view).toMatchObject({ status: "expired", version: 2, expires_at: null });
		expect(view.history?.at(-1)).toMatchObject({ version: 2, action: "expired", actor_tenant_id: null });
		const last = (await outboxOf(stub)).at(-1);
		expect(last?.event).toMatchObject({ type: "offer.expired", version: 2, actor_tenant_id: null });
		expect(last?.sentAt).not.toBeNull();
		expect(await alarmAt(stub)).toBeNull();
	});

	it("does not expire a proposal whose alarm runs early", async () => {
		const { stub } = await openThread();
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await viewOf(stub)).toMatchObject({ status: "pending", version: 1 });
	});

	it("refuses a counter on a lapsed proposal with 409 and expires the thread", async () => {
		const { stub, seller, openedAt } = await openThread();
		expect(
			answered(await stub.act(seller, { type: "counter", amount_cents: 6_000_000, version: 1 }, openedAt + TTL + 1)),
		).toEqual({ ok: false, kind: "expired", status: 409, detail: expect.stringMatching(/expired/) });
		const view = await viewOf(stub);
		expect(view).toMatchObject({ status: "expired", version: 2 });
		expect(view.history?.map((entry) => entry.action)).toEqual(["created", "expired"]);
		expect((await outboxOf(stub)).map(({ event }) => event.type)).toEqual(["offer.created", "offer.expired"]);
	});

	it("refuses an accept on a lapsed proposal with 409 without claiming the listing", async () => {
		const { stub, seller, openedAt, listingId } = await openThread();
		expect(answered(await stub.act(seller, { type: "accept", version: 1 }, openedAt + TTL))).toMatchObject({
			ok: false,
			kind: "expired",
			status: 409,
		});
		expect(await viewOf(stub)).toMatchObject({ status: "expired" });
		expect(await listingStatus(listingId)).toBe("active");
	});
});

// --- accept, holds, release, cancel ----------------------------------------------------

describe("NegotiationRoom acceptance", () => {
	it("claims the listing and puts the listing's other open threads on hold", async () => {
		const listing = await seedListing();
		const accepted = await openThread({ listing });
		const other = await openThread({ listing, amountCents: 4_000_000 });
		const now = Date.now();
		expect(await accepted.stub.act(listing.seller, { type: "accept", version: 1 }, now)).toMatchObject({
			ok: true,
			offer: { status: "accepted", version: 2 },
		});
		expect(await listingStatus(listing.listingId)).toBe("under_offer");

		const held = await viewOf(other.stub);
		expect(held).toMatchObject({ status: "pending", on_hold: true, version: 2, expires_at: null });
		expect(held.history?.at(-1)).toMatchObject({ action: "held", actor_tenant_id: null });
		expect((await outboxOf(other.stub)).at(-1)?.event.type).toBe("offer.held");
		expect(
			answered(await other.stub.act(listing.seller, { type: "counter", amount_cents: 4_500_000, version: 2 }, now + 1)),
		).toEqual({ ok: false, kind: "on_hold", status: 409, detail: expect.stringMatching(/hold/) });
		expect(answered(await other.stub.act(listing.seller, { type: "accept", version: 2 }, now + 1))).toMatchObject({
			ok: false,
			kind: "on_hold",
			status: 409,
		});
	});

	it("refuses to accept a thread once another acceptance holds the listing", async () => {
		const listing = await seedListing();
		const first = await openThread({ listing });
		// Opened while the first acceptance was under way: not yet in the registry it reads for threads to hold.
		const late = await openThread({ listing, register: false });
		expect(await first.stub.act(listing.seller, { type: "accept", version: 1 }, Date.now())).toMatchObject({
			ok: true,
		});
		expect(await viewOf(late.stub)).toMatchObject({ on_hold: false });
		expect(answered(await late.stub.act(listing.seller, { type: "accept", version: 1 }, Date.now()))).toEqual({
			ok: false,
			kind: "listing_unavailable",
			status: 409,
			detail: expect.stringMatching(/no longer available/),
		});
		expect(await viewOf(late.stub)).toMatchObject({ status: "pending", version: 1 });
		expect((await outboxOf(late.stub)).map(({ event }) => event.type)).toEqual(["offer.created"]);
	});

	it("accepts exactly one of 10 simultaneous accepts of one thread", async () => {
		const { stub, seller, listingId } = await openThread();
		const now = Date.now();
		const results = await Promise.all(
			Array.from({ length: 10 }, () => stub.act(seller, { type: "accept", version: 1 }, now)),
		);
		expect(results.filter((result) => result.ok)).toHaveLength(1);
		for (const result of results.filter((result) => !result.ok))
			expect(answered(result)).toMatchObject({ status: 409 });
		expect(await viewOf(stub)).toMatchObject({ status: "accepted", version: 2 });
		expect((await outboxOf(stub)).filter(({ event }) => event.type === "offer.accepted")).toHaveLength(1);
		expect(await listingStatus(listingId)).toBe("under_offer");
	});

	// Locally the listing claim takes a few ms and an RPC takes longer to arrive, so the withdrawal
	// usually lands after the acceptance; the invariant holds in either order.
	it("lets only one of a simultaneous accept and withdrawal take effect", async () => {
		const { stub, buyer, seller, listingId } = await openThread();
		const now = Date.now();
		const [accept, withdraw] = await Promise.all([
			stub.act(seller, { type: "accept", version: 1 }, now),
			stub.act(buyer, { type: "withdraw", version: 1 }, now),
		]);
		expect([accept.ok, withdraw.ok].filter(Boolean)).toHaveLength(1);
		const view = await viewOf(stub);
		expect(view).toMatchObject({ version: 2, status: accept.ok ? "accepted" : "withdrawn" });
		expect(await listingStatus(listingId)).toBe(accept.ok ? "under_offer" : "active");
	});

	it("accepts exactly one of two competing threads accepted at once", async () => {
		const listing = await seedListing();
		const threads = await Promise.all([openThread({ listing }), openThread({ listing })]);
		const now = Date.now();
		const results = await Promise.all(
			threads.map((thread) => thread.stub.act(listing.seller, { type: "accept", version: 1 }, now)),
		);
		expect(results.filter((result) => result.ok)).toHaveLength(1);
		expect(results.map(answered).find((result) => !result.ok)).toMatchObject({
			kind: "listing_unavailable",
			status: 409,
		});
		const views = await Promise.all(threads.map((thread) => viewOf(thread.stub)));
		expect(views.filter((view) => view.status === "accepted")).toHaveLength(1);
		expect(await listingStatus(listing.listingId)).toBe("under_offer");
	});

	it("records the accepted offer on the listing and announces the claim once, of simultaneous accepts", async () => {
		const { id, stub, seller, listingId } = await openThread();
		const now = Date.now();
		await Promise.all(Array.from({ length: 5 }, () => stub.act(seller, { type: "accept", version: 1 }, now)));
		const listing = await bindings.DB.prepare("SELECT status, claimed_by_offer_id FROM listings WHERE id = ?")
			.bind(listingId)
			.first();
		expect(listing).toEqual({ status: "under_offer", claimed_by_offer_id: id });
		const events = await listingEvents(listingId);
		expect(events).toHaveLength(1);
		expect(events[0]?.body).toMatchObject({
			kind: "listing.event",
			type: "listing.under_offer",
			listing_id: listingId,
			seller_tenant_id: seller.tenantId,
			actor_tenant_id: seller.tenantId,
			offer_id: id,
			occurred_at: iso(now),
		});
		expect(events[0]?.sentAt).not.toBeNull();
	});

	it("announces only the winning claim of competing threads, and none for a refused accept", async () => {
		const listing = await seedListing();
		const threads = await Promise.all([openThread({ listing }), openThread({ listing })]);
		const results = await Promise.all(
			threads.map((thread) => thread.stub.act(listing.seller, { type: "accept", version: 1 }, Date.now())),
		);
		const winner = threads[results.findIndex((result) => result.ok)];
		const late = await openThread({ listing, register: false });
		expect(answered(await late.stub.act(listing.seller, { type: "accept", version: 1 }, Date.now()))).toMatchObject({
			kind: "listing_unavailable",
		});
		const events = await listingEvents(listing.listingId);
		expect(events.map(({ body }) => [body.type, body.offer_id])).toEqual([["listing.under_offer", winner?.id]]);
	});

	it("puts an open thread on hold once and releases it with a fresh 72-hour expiry", async () => {
		const { stub, seller, openedAt } = await openThread();
		const heldAt = openedAt + HOUR;
		expect(await stub.hold(heldAt)).toMatchObject({ ok: true, offer: { on_hold: true, version: 2, expires_at: null } });
		expect(answered(await stub.hold(heldAt + 1))).toMatchObject({ ok: false, kind: "on_hold", status: 409 });
		// A held thread has nothing to expire.
		expect(await runDurableObjectAlarm(stub)).toBe(false);

		const releasedAt = openedAt + 5 * HOUR;
		expect(await stub.release(releasedAt)).toMatchObject({
			ok: true,
			offer: { status: "pending", on_hold: false, version: 3, expires_at: iso(releasedAt + TTL) },
		});
		expect(answered(await stub.release(releasedAt + 1))).toMatchObject({ ok: false, kind: "not_held", status: 409 });
		expect(await alarmAt(stub)).toBe(releasedAt + TTL);
		expect(
			await stub.act(seller, { type: "counter", amount_cents: 6_000_000, version: 3 }, releasedAt + 1),
		).toMatchObject({ ok: true, offer: { version: 4 } });
		expect((await viewOf(stub)).history?.map((entry) => entry.action)).toEqual([
			"created",
			"held",
			"released",
			"countered",
		]);
		expect((await outboxOf(stub)).map(({ event }) => event.type)).toEqual([
			"offer.created",
			"offer.held",
			"offer.released",
			"offer.countered",
		]);
	});

	// BUG (reported): `#holdOthers` catches failures of the other rooms' `hold` calls but not of its
	// D1 read of the `offers` registry; that error escapes `blockConcurrencyWhile`, which breaks the
	// room's input gate and rejects the call, although the acceptance is committed and the listing
	// claimed. The method's own comment says such a failure is logged, not raised.
	it("answers an acceptance as accepted when the competing threads cannot be listed", async () => {
		vi.spyOn(console, "error").mockImplementation(() => {});
		const listing = await seedListing();
		const { id, stub } = await openThread({ listing });
		const prepare = bindings.DB.prepare.bind(bindings.DB);
		const unavailable = { all: () => Promise.reject(new Error("D1_ERROR: Network connection lost.")) };
		vi.spyOn(bindings.DB, "prepare").mockImplementation((sql: string) =>
			/FROM offers/.test(sql) ? ({ bind: () => unavailable } as unknown as D1PreparedStatement) : prepare(sql),
		);
		let outcome: unknown;
		try {
			outcome = await stub.act(listing.seller, { type: "accept", version: 1 }, Date.now());
		} catch (error) {
			outcome = error;
		}
		vi.mocked(bindings.DB.prepare).mockRestore();
		expect(outcome).toMatchObject({ ok: true, offer: { status: "accepted", version: 2 } });
		expect(await viewOf(bindings.NegotiationRoom.getByName(id))).toMatchObject({ status: "accepted", version: 2 });
		expect(await listingStatus(listing.listingId)).toBe("under_offer");
	});

	// BUG (reported): `hold` does not check the proposal's expiry (machine.ts, case "hold"), so a
	// proposal that lapsed before its alarm ran is held instead of expired; a held thread never
	// expires, and `release` later revives it with a fresh 72 hours.
	it("expires a lapsed proposal instead of holding it", async () => {
		const { stub, openedAt } = await openThread();
		expect(answered(await stub.hold(openedAt + TTL + 1))).toMatchObject({ ok: false, kind: "expired", status: 409 });
		const view = await viewOf(stub);
		expect(view).toMatchObject({ status: "expired", on_hold: false, expires_at: null });
		expect(view.history?.map((entry) => entry.action)).toEqual(["created", "expired"]);
	});

	it("refuses to hold or release a closed thread", async () => {
		const { stub, buyer, openedAt } = await openThread();
		await stub.act(buyer, { type: "withdraw" }, openedAt + 1);
		expect(answered(await stub.hold(openedAt + 2))).toMatchObject({ ok: false, kind: "closed", status: 409 });
		expect(answered(await stub.release(openedAt + 2))).toMatchObject({ ok: false, kind: "closed", status: 409 });
	});

	it("lets only the seller cancel, and only an accepted thread", async () => {
		const { stub, buyer, seller, openedAt } = await openThread();
		expect(answered(await stub.cancel(seller, openedAt + 1))).toMatchObject({
			ok: false,
			kind: "not_accepted",
			status: 409,
		});
		await stub.act(seller, { type: "accept", version: 1 }, openedAt + 2);
		expect(answered(await stub.cancel(buyer, openedAt + 3))).toMatchObject({
			ok: false,
			kind: "not_seller",
			status: 403,
		});
		expect(answered(await stub.cancel(stranger(), openedAt + 3))).toMatchObject({
			ok: false,
			kind: "not_found",
			status: 404,
		});
		expect(await stub.cancel(seller, openedAt + 4)).toMatchObject({
			ok: true,
			offer: { status: "cancelled", version: 3 },
		});
		expect(answered(await stub.cancel(seller, openedAt + 5))).toMatchObject({ ok: false, kind: "closed", status: 409 });
		const last = (await outboxOf(stub)).at(-1)?.event;
		expect(last).toMatchObject({ type: "offer.cancelled", version: 3, actor_tenant_id: seller.tenantId });
	});
});

// --- WebSocket ---------------------------------------------------------------------------

type Frame =
	| { type: "state"; offer: OfferView }
	| { type: "chat"; from_tenant_id: string; text: string; at: string }
	| { type: "error"; status: number; detail: string };

const WAIT_MS = 2000;

/** A client socket that records every frame, so tests wait for frames with a timeout and never hang. */
class Client {
	readonly frames: Frame[] = [];
	/** Frames before this index have been consumed by `next`. */
	#cursor = 0;
	#waiters: (() => void)[] = [];
	readonly closed: Promise<CloseEvent>;

	constructor(readonly socket: WebSocket) {
		this.closed = new Promise((resolve) => socket.addEventListener("close", resolve));
		socket.addEventListener("message", (event) => {
			this.frames.push(JSON.parse(String(event.data)) as Frame);
			for (const wake of this.#waiters.splice(0)) wake();
		});
		socket.accept();
	}

	/** The next frame matching `match` (frames before it are skipped), or a timeout failure. */
	async next<T extends Frame["type"]>(
		type: T,
		match: (frame: Extract<Frame, { type: T }>) => boolean = () => true,
	): Promise<Extract<Frame, { type: T }>> {
		const deadline = Date.now() + WAIT_MS;
		for (;;) {
			for (let i = this.#cursor; i < this.frames.length; i++) {
				const frame = this.frames[i] as Frame;
				if (frame.type === type && match(frame as Extract<Frame, { type: T }>)) {
					this.#cursor = i + 1;
					return frame as Extract<Frame, { type: T }>;
				}
			}
			const left = deadline - Date.now();
			if (left <= 0) {
				throw new Error(`no ${type} frame within ${WAIT_MS} ms; received ${JSON.stringify(this.frames)}`);
			}
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, left);
				this.#waiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
	}

	/** Frames received so far that have not been consumed by `next`. */
	pending(): Frame[] {
		return this.frames.slice(this.#cursor);
	}

	send(frame: unknown): void {
		this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
	}

	async closedWithin(): Promise<CloseEvent> {
		return Promise.race([
			this.closed,
			new Promise<never>((_, reject) =>
				setTimeout(() => reject(new Error(`socket not closed within ${WAIT_MS} ms`)), WAIT_MS),
			),
		]);
	}
}

const clients: Client[] = [];

afterEach(() => {
	for (const client of clients.splice(0)) {
		if (client.socket.readyState === WebSocket.READY_STATE_OPEN) client.socket.close(1000, "test done");
	}
});

/** A signed-in caller as the edge establishes it: tenant, role, user and a live session. */
interface Caller {
	tenantId: string;
	role: "seller" | "buyer" | "investor" | "admin";
	userId: string;
	sessionId: string;
}

/** Opens a session for `tenantId` in its TenantObject, as login does. */
async function signIn(tenantId: string, role: Caller["role"]): Promise<Caller> {
	const caller = { tenantId, role, userId: newId("usr"), sessionId: newId("ses") };
	const now = Date.now();
	const opened = await bindings.TenantObject.getByName(tenantId).openSession({
		sessionId: caller.sessionId,
		userId: caller.userId,
		now,
		expiresAt: now + HOUR,
	});
	expect(opened).toEqual({ opened: true });
	return caller;
}

/** The headers the dispatch route sets on an authenticated upgrade. */
function identityHeaders(caller: Caller): Record<string, string> {
	return {
		[ACTOR_HEADER]: caller.tenantId,
		[ROLE_HEADER]: caller.role,
		[USER_HEADER]: caller.userId,
		[SESSION_HEADER]: caller.sessionId,
	};
}

/** Upgrades to a socket on the thread's room with exactly `headers` (besides `Upgrade`). */
async function connectWith(thread: { id: string; stub: Room }, headers: Record<string, string>): Promise<Client> {
	const res = await thread.stub.fetch(`https://room/parties/negotiation-room/${thread.id}`, {
		headers: { Upgrade: "websocket", ...headers },
	});
	expect(res.status).toBe(101);
	if (!res.webSocket) throw new Error("the upgrade returned no socket");
	const client = new Client(res.webSocket);
	clients.push(client);
	return client;
}

const connect = (thread: { id: string; stub: Room }, caller: Caller) => connectWith(thread, identityHeaders(caller));

interface ConnectedRoom {
	thread: Thread;
	buyerCaller: Caller;
	sellerCaller: Caller;
	buyer: Client;
	seller: Client;
}

/** A thread with the buyer's and then the seller's socket connected, their connect frames consumed. */
async function room(): Promise<ConnectedRoom> {
	const thread = await openThread();
	const buyerCaller = await signIn(thread.buyer.tenantId, "buyer");
	const sellerCaller = await signIn(thread.seller.tenantId, "seller");
	const buyer = await connect(thread, buyerCaller);
	await buyer.next("state");
	const seller = await connect(thread, sellerCaller);
	await seller.next("state", (frame) => frame.offer.online?.length === 2);
	await buyer.next("state", (frame) => frame.offer.online?.includes(thread.seller.tenantId) ?? false);
	return { thread, buyerCaller, sellerCaller, buyer, seller };
}

describe("NegotiationRoom WebSocket", () => {
	it("sends the current state to a party's socket as it connects", async () => {
		const thread = await openThread();
		const buyer = await connect(thread, await signIn(thread.buyer.tenantId, "buyer"));
		const first = await buyer.next("state");
		expect(buyer.frames[0]).toBe(first);
		expect(first.offer).toMatchObject({ id: thread.id, status: "pending", version: 1, amount_cents: 5_000_000 });
		expect(first.offer.online).toEqual([thread.buyer.tenantId]);
		expect(first.offer.history).toBeUndefined();
	});

	it("sends both parties the state when the second one connects", async () => {
		const thread = await openThread();
		const buyer = await connect(thread, await signIn(thread.buyer.tenantId, "buyer"));
		await buyer.next("state");
		const seller = await connect(thread, await signIn(thread.seller.tenantId, "seller"));
		const both = [thread.buyer.tenantId, thread.seller.tenantId].sort();
		expect((await seller.next("state")).offer.online?.sort()).toEqual(both);
		expect((await buyer.next("state")).offer.online?.sort()).toEqual(both);
	});

	it("applies a counter frame and sends the new state to both parties", async () => {
		const { thread, buyer, seller } = await room();
		seller.send({ type: "counter", amount_cents: 6_000_000, version: 1 });
		for (const client of [seller, buyer]) {
			const { offer } = await client.next("state", (frame) => frame.offer.version === 2);
			expect(offer).toMatchObject({ status: "countered", amount_cents: 6_000_000, last_proposer: "seller" });
		}
		expect(await viewOf(thread.stub)).toMatchObject({ version: 2, status: "countered" });
		expect((await outboxOf(thread.stub)).at(-1)?.event).toMatchObject({ type: "offer.countered", version: 2 });
	});

	it("sends the new state to sockets after a change made over RPC", async () => {
		const { thread, buyer, seller } = await room();
		await thread.stub.act(thread.seller, { type: "reject", version: 1 }, Date.now());
		for (const client of [buyer, seller]) {
			expect((await client.next("state", (frame) => frame.offer.version === 2)).offer.status).toBe("rejected");
		}
	});

	it("relays a chat line to both parties", async () => {
		const { thread, buyer, seller } = await room();
		const before = Date.now();
		seller.send({ type: "chat", text: "  Happy to talk.  " });
		for (const client of [seller, buyer]) {
			const chat = await client.next("chat");
			expect(chat).toEqual({
				type: "chat",
				from_tenant_id: thread.seller.tenantId,
				text: "Happy to talk.",
				at: expect.any(String),
			});
			expect(Date.parse(chat.at)).toBeGreaterThanOrEqual(before - 1000);
		}
	});

	it("sends a socket that connects the conversation so far, oldest first, after the state", async () => {
		const { thread, buyer, seller, buyerCaller } = await room();
		seller.send({ type: "chat", text: "Happy to talk." });
		await buyer.next("chat");
		buyer.send({ type: "chat", text: "Great, call tomorrow?" });
		await seller.next("chat");
		const later = await connect(thread, buyerCaller);
		await later.next("state");
		expect([await later.next("chat"), await later.next("chat")]).toEqual([
			{ type: "chat", from_tenant_id: thread.seller.tenantId, text: "Happy to talk.", at: expect.any(String) },
			{ type: "chat", from_tenant_id: thread.buyer.tenantId, text: "Great, call tomorrow?", at: expect.any(String) },
		]);
	});

	it.each([
		["malformed JSON", "{not json", 400],
		["an unknown type", { type: "dance", version: 1 }, 400],
		["a field the protocol does not have", { type: "accept", version: 1, status: "accepted" }, 400],
		["a frame over 8 KiB", { type: "chat", text: "x".repeat(9000) }, 413],
		["a version from the future", { type: "counter", amount_cents: 6_000_000, version: 7 }, 409],
		["a move out of turn", { type: "accept", version: 1 }, 409],
	] as const)("answers %s with an error frame to that socket only and keeps it open", async (_name, frame, status) => {
		const { thread, buyer, seller } = await room();
		// The buyer made the opening proposal, so the last two cases are the buyer's wrong moves.
		buyer.send(frame);
		const error = await buyer.next("error");
		expect(error).toEqual({ type: "error", status, detail: expect.any(String) });
		expect(buyer.socket.readyState).toBe(WebSocket.READY_STATE_OPEN);
		expect(await viewOf(thread.stub)).toMatchObject({ version: 1 });

		// A later valid frame still works; the seller never saw the error (frames arrive in order).
		buyer.send({ type: "chat", text: "still here" });
		await seller.next("chat");
		expect(seller.frames.some((received) => received.type === "error")).toBe(false);
		seller.send({ type: "counter", amount_cents: 6_000_000, version: 1 });
		await buyer.next("state", (received) => received.offer.version === 2);
		expect(await viewOf(thread.stub)).toMatchObject({ version: 2 });
	});

	it("answers a move with a stale version with a 409 error frame to that socket only", async () => {
		const { thread, buyer, seller } = await room();
		seller.send({ type: "counter", amount_cents: 6_000_000, version: 1 });
		await buyer.next("state", (frame) => frame.offer.version === 2);
		await seller.next("state", (frame) => frame.offer.version === 2);
		buyer.send({ type: "accept", version: 1 });
		expect(await buyer.next("error")).toEqual({ type: "error", status: 409, detail: expect.stringMatching(/stale/) });
		expect(buyer.socket.readyState).toBe(WebSocket.READY_STATE_OPEN);
		buyer.send({ type: "accept", version: 2 });
		for (const client of [buyer, seller]) {
			expect((await client.next("state", (frame) => frame.offer.version === 3)).offer.status).toBe("accepted");
		}
		expect(seller.frames.some((frame) => frame.type === "error")).toBe(false);
		expect(await viewOf(thread.stub)).toMatchObject({ status: "accepted", version: 3 });
	});

	it("answers a binary frame with an error frame", async () => {
		const { buyer } = await room();
		buyer.socket.send(new TextEncoder().encode(JSON.stringify({ type: "chat", text: "hi" })));
		expect(await buyer.next("error")).toMatchObject({ status: 400 });
	});

	it("closes a socket whose caller is not a party with 1008", async () => {
		const thread = await openThread();
		const outsider = await connect(thread, await signIn(newId("buyer"), "buyer"));
		expect((await outsider.closedWithin()).code).toBe(1008);
		expect(outsider.frames).toEqual([]);
	});

	it.each([
		["no identity at all", () => ({})],
		["no session", (caller: Caller) => ({ ...identityHeaders(caller), [SESSION_HEADER]: "" })],
		["no user", (caller: Caller) => ({ ...identityHeaders(caller), [USER_HEADER]: "" })],
		["an unknown role", (caller: Caller) => ({ ...identityHeaders(caller), [ROLE_HEADER]: "owner" })],
	])("closes a party's socket whose upgrade carries %s with 1008", async (_name, headersFor) => {
		const thread = await openThread();
		const caller = await signIn(thread.buyer.tenantId, "buyer");
		const client = await connectWith(thread, headersFor(caller));
		expect((await client.closedWithin()).code).toBe(1008);
		expect(client.frames).toEqual([]);
	});

	it("closes a socket to a room with no thread with 1008", async () => {
		const id = newId("off");
		const caller = await signIn(newId("buyer"), "buyer");
		const client = await connect({ id, stub: bindings.NegotiationRoom.getByName(id) }, caller);
		expect((await client.closedWithin()).code).toBe(1008);
	});

	it("lets an admin watch but not move", async () => {
		const { thread, buyer } = await room();
		const watcher = await connect(thread, await signIn(newId("admin"), "admin"));
		expect((await watcher.next("state")).offer).toMatchObject({ id: thread.id, version: 1 });
		watcher.send({ type: "accept", version: 1 });
		expect(await watcher.next("error")).toMatchObject({ status: 403 });
		watcher.send({ type: "chat", text: "hello" });
		expect(await watcher.next("error")).toMatchObject({ status: 403 });
		buyer.send({ type: "chat", text: "ping" });
		await buyer.next("chat");
		expect(buyer.pending().some((frame) => frame.type === "error" || frame.type === "chat")).toBe(false);
		expect(await viewOf(thread.stub)).toMatchObject({ version: 1 });
	});

	it("tells the remaining party when the other disconnects", async () => {
		const { thread, buyer, seller } = await room();
		seller.socket.close(1000, "bye");
		const { offer } = await buyer.next(
			"state",
			(frame) => !(frame.offer.online ?? []).includes(thread.seller.tenantId),
		);
		expect(offer.online).toEqual([thread.buyer.tenantId]);
	});

	it("keeps each socket's identity across eviction", async () => {
		const { thread, buyer, seller } = await room();
		await evictDurableObject(thread.stub);
		seller.send({ type: "counter", amount_cents: 6_000_000, version: 1 });
		for (const client of [buyer, seller]) {
			const { offer } = await client.next("state", (frame) => frame.offer.version === 2);
			expect(offer).toMatchObject({ last_proposer: "seller", amount_cents: 6_000_000 });
		}
	});

	it.each([
		[
			"its session is revoked",
			(caller: Caller) => bindings.TenantObject.getByName(caller.tenantId).revokeSession(caller.sessionId, Date.now()),
		],
		[
			"its tenant is suspended",
			(caller: Caller) => bindings.TenantObject.getByName(caller.tenantId).setStatus("suspended", Date.now()),
		],
	])("ends a socket with 401 and 4001 once %s, without applying the frame", async (_name, end) => {
		const { thread, sellerCaller, buyer, seller } = await room();
		await end(sellerCaller);
		seller.send({ type: "counter", amount_cents: 6_000_000, version: 1 });
		expect(await seller.next("error")).toMatchObject({ status: 401 });
		expect((await seller.closedWithin()).code).toBe(4001);
		expect(await viewOf(thread.stub)).toMatchObject({ version: 1 });
		buyer.send({ type: "chat", text: "anyone there?" });
		await buyer.next("chat");
		expect(buyer.frames.some((frame) => frame.type === "error")).toBe(false);
	});

	// BUG (reported): the room parses a frame before admitting it, so malformed and oversized frames
	// never reach the TenantObject: they are not charged to the tenant's bucket and are answered
	// without limit. The header promises that every frame is admitted like a REST request, and the
	// edge rate-limits REST requests before it validates their bodies.
	it("charges malformed frames to the tenant's rate limit", async () => {
		const { buyerCaller, buyer } = await room();
		await bindings.TenantObject.getByName(buyerCaller.tenantId).setLimitOverride({
			limit: 1,
			windowSeconds: 3600,
			burst: 2,
		});
		for (const frame of ["{", "{", "{"]) buyer.send(frame);
		const statuses: number[] = [];
		for (let i = 0; i < 3; i++) statuses.push((await buyer.next("error")).status);
		expect(statuses).toEqual([400, 400, 429]);
	});

	it("answers frames beyond the tenant's rate limit with 429 and keeps the socket open", async () => {
		const { buyerCaller, buyer, seller } = await room();
		await bindings.TenantObject.getByName(buyerCaller.tenantId).setLimitOverride({
			limit: 1,
			windowSeconds: 3600,
			burst: 2,
		});
		for (const text of ["one", "two", "three"]) buyer.send({ type: "chat", text });
		expect(await buyer.next("error")).toMatchObject({ status: 429 });
		expect(buyer.socket.readyState).toBe(WebSocket.READY_STATE_OPEN);
		expect((await seller.next("chat")).text).toBe("one");
		expect((await seller.next("chat")).text).toBe("two");
		// The seller's own bucket is untouched: its frame still goes through, and "three" never arrived.
		seller.send({ type: "chat", text: "four" });
		await buyer.next("chat", (frame) => frame.text === "four");
		await seller.next("chat", (frame) => frame.text === "four");
		expect(seller.frames.some((frame) => frame.type === "chat" && frame.text === "three")).toBe(false);
	});
});

// --- one error vocabulary ----------------------------------------------------------------

describe("NegotiationRoom refusals, over RPC and over the socket", () => {
	type Situation = (connected: ConnectedRoom) => Promise<{ actor: Actor; socket: Client }>;
	const watchingAdmin: Situation = async ({ thread }) => {
		const caller = await signIn(newId("admin"), "admin");
		const socket = await connect(thread, caller);
		await socket.next("state");
		return { actor: { tenantId: caller.tenantId, admin: true }, socket };
	};

	it.each([
		[
			"a stale version",
			{ type: "accept", version: 1 },
			"stale_version",
			async ({ thread, buyer }) => {
				await thread.stub.act(thread.seller, { type: "counter", amount_cents: 6_000_000, version: 1 }, Date.now());
				await buyer.next("state", (frame) => frame.offer.version === 2);
				return { actor: thread.buyer, socket: buyer };
			},
		],
		[
			"a counter out of turn",
			{ type: "counter", amount_cents: 4_000_000, version: 1 },
			"not_your_turn",
			async ({ thread, buyer }) => ({ actor: thread.buyer, socket: buyer }),
		],
		[
			"a withdrawal by the seller",
			{ type: "withdraw", version: 1 },
			"not_buyer",
			async ({ thread, seller }) => ({ actor: thread.seller, socket: seller }),
		],
		[
			"a move on a closed thread",
			{ type: "counter", amount_cents: 4_000_000, version: 2 },
			"closed",
			async ({ thread, buyer }) => {
				await thread.stub.act(thread.seller, { type: "reject", version: 1 }, Date.now());
				await buyer.next("state", (frame) => frame.offer.version === 2);
				return { actor: thread.buyer, socket: buyer };
			},
		],
		["an admin's move", { type: "accept", version: 1 }, "admin_read_only", watchingAdmin],
	] satisfies [string, Exclude<ClientFrame, { type: "chat" }>, string, Situation][])(
		"answers %s with the same status and detail both ways",
		async (_name, frame, kind, situation) => {
			const connected = await room();
			const { actor, socket } = await situation(connected);
			const rest = answered(await connected.thread.stub.act(actor, frame, Date.now()));
			expect(rest).toMatchObject({ ok: false, kind });
			if (rest.ok) return;
			socket.send(frame);
			expect(await socket.next("error")).toEqual({ type: "error", status: rest.status, detail: rest.detail });
		},
	);
});
