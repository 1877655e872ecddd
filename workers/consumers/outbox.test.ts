/**
 * The D1 outbox (shared/data/outbox.ts) against real D1 in workerd, and the consumers Worker's
 * cron that resends it. These tests own the `outbox` table: each starts from an empty one.
 */
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ListingEventJob } from "../../queues/backoffice-jobs.ts";
import type { QueueProducer } from "../../queues/envelope.ts";
import { flushOutbox, type OutboxMessage, outboxInsert, pruneSent, resendStale } from "../../shared/data/outbox.ts";
import consumers from "./index.ts";
import { newUser } from "./users.test.helpers.ts";

const bindings = env as unknown as ConsumersEnv;
const db = bindings.DB;
const SELLER = "seller_outbox";

const hex = () => crypto.randomUUID().replaceAll("-", "");

function listingEvent(listingId: string, type: ListingEventJob["type"] = "listing.published"): OutboxMessage {
	const body: ListingEventJob = {
		id: `evt_${hex()}`,
		kind: "listing.event",
		type,
		occurred_at: new Date().toISOString(),
		listing_id: listingId,
		seller_tenant_id: SELLER,
		actor_tenant_id: SELLER,
	};
	return { id: body.id, queue: "backoffice-jobs", body };
}

async function seedListing(status = "draft"): Promise<string> {
	const id = `lst_${hex()}`;
	const at = new Date().toISOString();
	await db.batch([
		db
			.prepare(
				`INSERT INTO tenants (id, kind, name, created_at, updated_at) VALUES (?, 'seller', 'Outbox', ?, ?)
				 ON CONFLICT (id) DO NOTHING`,
			)
			.bind(SELLER, at, at),
		db
			.prepare(
				`INSERT INTO listings (id, seller_tenant_id, title, category, asking_price_cents, status, created_at, updated_at)
				 VALUES (?, ?, 'Widget SaaS', 'saas', 100, ?, ?, ?)`,
			)
			.bind(id, SELLER, status, at, at),
	]);
	return id;
}

/** The guarded state change a publish handler runs: only a draft becomes active. */
function publish(id: string, now: number): D1PreparedStatement {
	return db
		.prepare(
			"UPDATE listings SET status = 'active', published_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
		)
		.bind(new Date(now).toISOString(), new Date(now).toISOString(), id);
}

async function outboxRow(id: string) {
	return db
		.prepare("SELECT id, queue, body, created_at, sent_at FROM outbox WHERE id = ?")
		.bind(id)
		.first<{ id: string; queue: string; body: string; created_at: string; sent_at: string | null }>();
}

interface Recorder extends QueueProducer {
	batches: { body: unknown; contentType?: string }[][];
}

function recorder(options: { fail?: boolean } = {}): Recorder {
	const batches: Recorder["batches"] = [];
	return {
		batches,
		async sendBatch(messages) {
			if (options.fail) throw new Error("queue unavailable");
			batches.push([...messages]);
		},
	};
}

beforeEach(async () => {
	await db.prepare("DELETE FROM outbox").run();
});

describe("outboxInsert inside a D1 batch", () => {
	it("records the message when the guarded change updates exactly one row", async () => {
		const id = await seedListing("draft");
		const message = listingEvent(id);
		const now = Date.now();
		await db.batch([publish(id, now), outboxInsert(db, message, now, { afterChange: true })]);
		const row = await outboxRow(message.id);
		expect(row).toMatchObject({ queue: "backoffice-jobs", created_at: new Date(now).toISOString(), sent_at: null });
		expect(JSON.parse(row?.body ?? "null")).toEqual(message.body);
	});

	it("records nothing when the guarded change is refused (matches no row)", async () => {
		const id = await seedListing("archived");
		const message = listingEvent(id);
		const results = await db.batch([
			publish(id, Date.now()),
			outboxInsert(db, message, Date.now(), { afterChange: true }),
		]);
		expect(results.map((result) => result.meta.changes)).toEqual([0, 0]);
		expect(await outboxRow(message.id)).toBeNull();
	});

	it("chains several messages behind one change: all or none", async () => {
		const draft = await seedListing("draft");
		const archived = await seedListing("archived");
		const now = Date.now();
		const announced = [listingEvent(draft, "listing.updated"), listingEvent(draft, "listing.published")];
		const refused = [listingEvent(archived, "listing.updated"), listingEvent(archived, "listing.published")];
		for (const [id, messages] of [
			[draft, announced],
			[archived, refused],
		] as const) {
			await db.batch([
				publish(id, now),
				...messages.map((message) => outboxInsert(db, message, now, { afterChange: true })),
			]);
		}
		for (const message of announced) expect(await outboxRow(message.id)).not.toBeNull();
		for (const message of refused) expect(await outboxRow(message.id)).toBeNull();
	});

	it("records nothing when the change touches more than one row", async () => {
		const first = await seedListing("draft");
		const second = await seedListing("draft");
		const message = listingEvent(first);
		await db.batch([
			db.prepare("UPDATE listings SET status = 'active' WHERE id IN (?, ?)").bind(first, second),
			outboxInsert(db, message, Date.now(), { afterChange: true }),
		]);
		expect(await outboxRow(message.id)).toBeNull();
	});

	it("ignores rows that the change's triggers wrote (the full-text index)", async () => {
		const id = await seedListing("draft");
		const message = listingEvent(id, "listing.updated");
		// Updating the title fires listings_fts_update, which writes two rows of its own.
		await db.batch([
			db.prepare("UPDATE listings SET title = 'Renamed SaaS' WHERE id = ?").bind(id),
			outboxInsert(db, message, Date.now(), { afterChange: true }),
		]);
		expect(await outboxRow(message.id)).not.toBeNull();
	});

	it("records nothing when an insert-if-absent change finds the row already there", async () => {
		const id = await seedListing("draft");
		const message = listingEvent(id);
		const at = new Date().toISOString();
		await db.batch([
			db
				.prepare(
					`INSERT INTO listings (id, seller_tenant_id, title, category, asking_price_cents, created_at, updated_at)
					 VALUES (?, ?, 'Duplicate', 'saas', 1, ?, ?) ON CONFLICT (id) DO NOTHING`,
				)
				.bind(id, SELLER, at, at),
			outboxInsert(db, message, Date.now(), { afterChange: true }),
		]);
		expect(await outboxRow(message.id)).toBeNull();
	});

	it("rolls the message back with a state change that fails", async () => {
		const id = await seedListing("draft");
		const message = listingEvent(id);
		await expect(
			db.batch([
				outboxInsert(db, message, Date.now()),
				db.prepare("UPDATE listings SET status = 'bogus' WHERE id = ?").bind(id),
			]),
		).rejects.toThrow(/CHECK constraint/);
		expect(await outboxRow(message.id)).toBeNull();
	});

	it("records the message unconditionally without afterChange", async () => {
		const id = await seedListing("archived");
		const message = listingEvent(id);
		await db.batch([publish(id, Date.now()), outboxInsert(db, message, Date.now())]);
		expect(await outboxRow(message.id)).not.toBeNull();
	});

	it("refuses a body that is not JSON", () => {
		expect(() => outboxInsert(db, { id: `evt_${hex()}`, queue: "offer-events", body: undefined }, Date.now())).toThrow(
			TypeError,
		);
	});
});

describe("flushOutbox", () => {
	it("sends the named unsent rows, one batch per queue, as JSON, and marks them sent", async () => {
		const id = await seedListing();
		const created = listingEvent(id, "listing.created");
		const published = listingEvent(id, "listing.published");
		const other: OutboxMessage = { id: `evt_${hex()}`, queue: "offer-events", body: { id: "x", n: 1 } };
		const untouched = listingEvent(id, "listing.updated");
		const now = Date.now();
		await db.batch([created, published, other, untouched].map((message) => outboxInsert(db, message, now)));
		const jobs = recorder();
		const offers = recorder();

		await flushOutbox(
			db,
			{ "backoffice-jobs": jobs, "offer-events": offers },
			[created.id, published.id, other.id],
			now + 5,
		);

		expect(jobs.batches).toEqual([
			[
				{ body: created.body, contentType: "json" },
				{ body: published.body, contentType: "json" },
			],
		]);
		expect(offers.batches).toEqual([[{ body: other.body, contentType: "json" }]]);
		for (const message of [created, published, other]) {
			expect((await outboxRow(message.id))?.sent_at).toBe(new Date(now + 5).toISOString());
		}
		expect((await outboxRow(untouched.id))?.sent_at).toBeNull();
	});

	it("does not send a row twice", async () => {
		const message = listingEvent(await seedListing());
		await db.batch([outboxInsert(db, message, Date.now())]);
		const jobs = recorder();
		await flushOutbox(db, { "backoffice-jobs": jobs }, [message.id], Date.now());
		await flushOutbox(db, { "backoffice-jobs": jobs }, [message.id], Date.now());
		expect(jobs.batches).toHaveLength(1);
	});

	it("leaves the rows unsent, without throwing, when the send fails", async () => {
		const message = listingEvent(await seedListing());
		await db.batch([outboxInsert(db, message, Date.now())]);
		const error = vi.spyOn(console, "error").mockImplementation(() => {});
		await expect(
			flushOutbox(db, { "backoffice-jobs": recorder({ fail: true }) }, [message.id], Date.now()),
		).resolves.toBeUndefined();
		expect((await outboxRow(message.id))?.sent_at).toBeNull();
		expect(error).toHaveBeenCalled();
		error.mockRestore();
	});

	it("leaves a row unsent when its queue has no producer", async () => {
		const message = listingEvent(await seedListing());
		await db.batch([outboxInsert(db, message, Date.now())]);
		const error = vi.spyOn(console, "error").mockImplementation(() => {});
		await flushOutbox(db, { "offer-events": recorder() }, [message.id], Date.now());
		expect((await outboxRow(message.id))?.sent_at).toBeNull();
		error.mockRestore();
	});
});

describe("resendStale", () => {
	const now = Date.now();

	async function seedAt(createdAt: number): Promise<OutboxMessage> {
		const message = listingEvent(`lst_${hex()}`);
		await db.batch([outboxInsert(db, message, createdAt)]);
		return message;
	}

	it("sends rows older than the threshold, oldest first, up to the limit", async () => {
		const newest = await seedAt(now - 40_000);
		const oldest = await seedAt(now - 120_000);
		const middle = await seedAt(now - 60_000);
		const fresh = await seedAt(now - 1_000);
		const jobs = recorder();

		expect(await resendStale(db, { "backoffice-jobs": jobs }, now, 30_000, 2)).toBe(2);
		expect(jobs.batches.flat().map((message) => message.body)).toEqual([oldest.body, middle.body]);
		expect((await outboxRow(newest.id))?.sent_at).toBeNull();

		expect(await resendStale(db, { "backoffice-jobs": jobs }, now, 30_000, 2)).toBe(1);
		expect((await outboxRow(newest.id))?.sent_at).toBe(new Date(now).toISOString());
		expect((await outboxRow(fresh.id))?.sent_at).toBeNull();
	});

	it("skips rows already sent", async () => {
		const message = await seedAt(now - 60_000);
		await db.prepare("UPDATE outbox SET sent_at = ? WHERE id = ?").bind(new Date(now).toISOString(), message.id).run();
		const jobs = recorder();
		expect(await resendStale(db, { "backoffice-jobs": jobs }, now)).toBe(0);
		expect(jobs.batches).toEqual([]);
	});

	it("keeps the rows for the next run when the send fails", async () => {
		const message = await seedAt(now - 60_000);
		const error = vi.spyOn(console, "error").mockImplementation(() => {});
		expect(await resendStale(db, { "backoffice-jobs": recorder({ fail: true }) }, now)).toBe(0);
		error.mockRestore();
		expect((await outboxRow(message.id))?.sent_at).toBeNull();
		expect(await resendStale(db, { "backoffice-jobs": recorder() }, now)).toBe(1);
	});
});

describe("pruneSent", () => {
	it("deletes rows sent longer ago than the retention, and keeps recent and unsent ones", async () => {
		const now = Date.now();
		const old = listingEvent(`lst_${hex()}`);
		const recent = listingEvent(`lst_${hex()}`);
		const unsent = listingEvent(`lst_${hex()}`);
		await db.batch([
			outboxInsert(db, old, now - 9 * 86_400_000),
			outboxInsert(db, recent, now),
			outboxInsert(db, unsent, now - 9 * 86_400_000),
		]);
		await db.batch([
			db
				.prepare("UPDATE outbox SET sent_at = ? WHERE id = ?")
				.bind(new Date(now - 8 * 86_400_000).toISOString(), old.id),
			db.prepare("UPDATE outbox SET sent_at = ? WHERE id = ?").bind(new Date(now).toISOString(), recent.id),
		]);
		expect(await pruneSent(db, now)).toBe(1);
		expect(await outboxRow(old.id)).toBeNull();
		expect(await outboxRow(recent.id)).not.toBeNull();
		expect(await outboxRow(unsent.id)).not.toBeNull();
	});
});

describe("consumers cron", () => {
	it("sweeps e-mail link tokens a week past their expiry, and keeps the others", async () => {
		const user = await newUser(db, "sweep");
		const at = (ms: number) => new Date(Date.now() + ms).toISOString();
		const day = 24 * 60 * 60 * 1000;
		const insert = (hash: string, expiresAt: string, usedAt: string | null) =>
			db
				.prepare(
					"INSERT INTO account_tokens (token_hash, purpose, user_id, email, created_at, expires_at, used_at) VALUES (?, 'verify_email', ?, ?, ?, ?, ?)",
				)
				.bind(hash, user.id, user.email, at(-10 * day), expiresAt, usedAt);
		const [old, oldUsed, recent, live] = [hex(), hex(), hex(), hex()] as const;
		await db.batch([
			insert(old, at(-8 * day), null),
			insert(oldUsed, at(-8 * day), at(-9 * day)),
			insert(recent, at(-1 * day), null),
			insert(live, at(day), null),
		]);
		await scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }));
		const { results } = await db
			.prepare("SELECT token_hash FROM account_tokens WHERE user_id = ? ORDER BY expires_at")
			.bind(user.id)
			.all<{ token_hash: string }>();
		// `old` and `oldUsed` (a week past their expiry) are gone; the recent and the live one stay.
		expect(results.map((row) => row.token_hash)).toEqual([recent, live]);
	});

	const scheduled = (controller: ScheduledController) =>
		(consumers.scheduled as ExportedHandlerScheduledHandler<ConsumersEnv>)(
			controller,
			bindings,
			createExecutionContext(),
		);

	it("resends a stale unsent message through its queue and leaves a fresh one alone", async () => {
		const stale = listingEvent(`lst_${hex()}`, "listing.archived");
		const fresh = listingEvent(`lst_${hex()}`, "listing.created");
		await db.batch([outboxInsert(db, stale, Date.now() - 5 * 60_000), outboxInsert(db, fresh, Date.now())]);
		const warn = vi.spyOn(console, "warn").mockImplementation(() => {});

		await scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }));
		warn.mockRestore();

		expect((await outboxRow(stale.id))?.sent_at).not.toBeNull();
		expect((await outboxRow(fresh.id))?.sent_at).toBeNull();
		// The real backoffice-jobs queue delivers it to this Worker's consumer, which records it.
		await vi.waitFor(
			async () => {
				const row = await db
					.prepare("SELECT type FROM listing_events WHERE event_id = ?")
					.bind(stale.id)
					.first<{ type: string }>();
				expect(row?.type).toBe("listing.archived");
			},
			{ timeout: 5_000, interval: 100 },
		);
		const freshRecorded = await db.prepare("SELECT 1 FROM listing_events WHERE event_id = ?").bind(fresh.id).first();
		expect(freshRecorded).toBeNull();
	});
});
