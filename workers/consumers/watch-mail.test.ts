/**
 * Saved-search and watchlist e-mails from `listing.event`s (watch-mail.ts), in workerd against the
 * migrated D1: which searches a published listing matches (browse semantics: every word a prefix,
 * category, price range), one job per search with a deterministic id (a redelivery makes the same
 * job, which the e-mail consumer sends once), daily mode, opt-outs, a search saved concurrently
 * with the publication, and the watchlist's price, under-offer and sold e-mails.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EmailJob, ListingEventJob } from "../../queues/backoffice-jobs.ts";
import { ftsQuery } from "../../shared/data/listings.ts";
import { newId } from "../../shared/encoding.ts";
import { listingInsert, tenantInsert } from "../../test/support/listings.ts";
import consumers from "./index.ts";

const bindings = env as unknown as ConsumersEnv;
const run = (sql: string, ...values: (string | number | null)[]) =>
	bindings.DB.prepare(sql)
		.bind(...values)
		.run();

afterEach(() => vi.restoreAllMocks());

/** Delivers `events` on backoffice-jobs; the e-mail jobs the consumer queued. */
async function deliver(...events: ListingEventJob[]): Promise<EmailJob[]> {
	const sent: EmailJob[] = [];
	vi.spyOn(bindings.BACKOFFICE_JOBS, "sendBatch").mockImplementation(async (messages) => {
		for (const message of messages) sent.push(message.body as EmailJob);
		return {} as QueueSendBatchResponse;
	});
	const batch = createMessageBatch(
		"backoffice-jobs",
		events.map((body, i) => ({ id: `msg-${i}-${Math.random()}`, timestamp: new Date(), attempts: 1, body })),
	);
	const ctx = createExecutionContext();
	await (consumers.queue as ExportedHandlerQueueHandler<ConsumersEnv>)(batch, bindings, ctx);
	const result = await getQueueResult(batch, ctx);
	expect(result.explicitAcks).toHaveLength(events.length);
	return sent;
}

async function member(role: "seller" | "buyer" | "investor") {
	const tenantId = newId(role);
	const userId = newId("usr");
	const t = tenantInsert(tenantId, role);
	await run(t.sql, ...t.values);
	const at = new Date().toISOString();
	await run(
		"INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'Ada, Watcher', ?, 'x', ?, ?)",
		userId,
		tenantId,
		`${userId}@example.com`,
		role,
		at,
		at,
	);
	return { tenantId, userId, email: `${userId}@example.com` };
}

async function listing(seller: { tenantId: string }, fields: { title: string; category?: string; price?: number }) {
	const id = newId("lst");
	const insert = listingInsert({
		id,
		seller_tenant_id: seller.tenantId,
		title: fields.title,
		category: fields.category ?? "saas",
		asking_price_cents: fields.price ?? 1_000_000,
	});
	await run(insert.sql, ...insert.values);
	return id;
}

async function search(
	buyer: { tenantId: string; userId: string },
	filters: { q?: string; category?: string; min?: number; max?: number } = {},
) {
	const id = newId("srch");
	await run(
		`INSERT INTO saved_searches (id, tenant_id, user_id, name, q, match, category, min_price_cents, max_price_cents, created_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id,
		buyer.tenantId,
		buyer.userId,
		`Search ${id.slice(-4)}`,
		filters.q ?? null,
		filters.q ? ftsQuery(filters.q) : null,
		filters.category ?? null,
		filters.min ?? null,
		filters.max ?? null,
		new Date().toISOString(),
	);
	return id;
}

const event = (type: ListingEventJob["type"], listingId: string, sellerTenantId: string): ListingEventJob => ({
	id: newId("evt"),
	kind: "listing.event",
	type,
	occurred_at: new Date().toISOString(),
	listing_id: listingId,
	seller_tenant_id: sellerTenantId,
	actor_tenant_id: sellerTenantId,
});

/** A job's data, read loosely: the assertions say what it must hold. */
const dataOf = (job: EmailJob) => job.data as Record<string, unknown>;

const forUser = (jobs: EmailJob[], email: string) => jobs.filter((job) => job.to.email === email);

describe("saved-search matches", () => {
	it("e-mails exactly the searches the listing matches, as browse would", async () => {
		const seller = await member("seller");
		const buyer = await member("buyer");
		const word = `zq${crypto.randomUUID().slice(0, 8)}`;
		const listingId = await listing(seller, {
			title: `${word}tastic analytics dashboard`,
			category: "ai",
			price: 2_000_000,
		});
		const matching = [
			await search(buyer, { q: `${word} analy` }),
			await search(buyer, { q: word, category: "ai", min: 1_000_000, max: 2_000_000 }),
		];
		await search(buyer, { q: `${word} crm` }); // one word does not match
		await search(buyer, { q: word, category: "saas" });
		await search(buyer, { q: word, max: 1_999_999 });
		await search(buyer, { q: `tastic ${word}` }); // not a prefix of any word
		await search(seller as unknown as { tenantId: string; userId: string }, { q: word }); // the seller's own

		const published = event("listing.published", listingId, seller.tenantId);
		const jobs = forUser(await deliver(published), buyer.email);
		expect(jobs).toHaveLength(2);
		for (const job of jobs) {
			expect(job.template).toBe("saved-search-match");
			expect(job.to).toEqual({ email: buyer.email, name: "Ada  Watcher" });
			expect(dataOf(job)).toMatchObject({
				listing_url: `https://techflunky.com/listings/${listingId}`,
				daily: false,
			});
		}
		expect(matching).toHaveLength(2);

		// Redelivered (or sent twice by the outbox): the same job ids, which the e-mail consumer sends once.
		const again = forUser(await deliver(published), buyer.email);
		expect(again.map((job) => job.id).sort()).toEqual(jobs.map((job) => job.id).sort());
	});

	it("sends at most one e-mail per search per day in daily mode, none when turned off", async () => {
		const seller = await member("seller");
		const daily = await member("investor");
		const off = await member("buyer");
		const word = `zd${crypto.randomUUID().slice(0, 8)}`;
		await search(daily, { q: word });
		await search(off, { q: word });
		const at = new Date().toISOString();
		await run(
			"INSERT INTO notification_settings (user_id, saved_search_digest, updated_at) VALUES (?, 'daily', ?)",
			daily.userId,
			at,
		);
		await run(
			"INSERT INTO notification_opt_outs (user_id, kind, created_at) VALUES (?, 'saved_search_matches', ?)",
			off.userId,
			at,
		);
		const first = await listing(seller, { title: `${word} one` });
		const second = await listing(seller, { title: `${word} two` });
		const jobs = await deliver(
			event("listing.published", first, seller.tenantId),
			event("listing.published", second, seller.tenantId),
		);
		const mine = forUser(jobs, daily.email);
		expect(mine).toHaveLength(2);
		expect(new Set(mine.map((job) => job.id)).size).toBe(1);
		expect(forUser(jobs, off.email)).toEqual([]);

		// The day is the publication's, not the delivery's: yesterday's events, delivered (again)
		// today, share yesterday's job id, never today's.
		const yesterday = new Date(Date.now() - 86_400_000).toISOString();
		const late = await deliver(
			{ ...event("listing.published", first, seller.tenantId), occurred_at: yesterday },
			{ ...event("listing.published", second, seller.tenantId), occurred_at: yesterday },
		);
		const lateIds = new Set(forUser(late, daily.email).map((job) => job.id));
		expect(lateIds.size).toBe(1);
		expect(lateIds.has(mine[0]?.id as string)).toBe(false);
	});

	it("never duplicates, and misses only what the saved results held, when a search is saved as the listing is published", async () => {
		for (let round = 0; round < 5; round++) {
			const seller = await member("seller");
			const buyer = await member("buyer");
			const word = `zc${crypto.randomUUID().slice(0, 8)}`;
			const listingId = await listing(seller, { title: `${word} concurrent` });
			const published = event("listing.published", listingId, seller.tenantId);
			const [jobs] = await Promise.all([deliver(published), search(buyer, { q: word })]);
			const first = forUser(jobs, buyer.email);
			// Saved before the event was processed: matched once; after: not at all (the listing was in its results).
			expect(first.length).toBeLessThanOrEqual(1);
			const redelivered = forUser(await deliver(published), buyer.email);
			expect(redelivered).toHaveLength(1);
			if (first.length === 1) expect(redelivered[0]?.id).toBe(first[0]?.id);
		}
	});
});

describe("watchlist changes", () => {
	it("tells each watcher once of a price change, going under offer and a sale", async () => {
		const seller = await member("seller");
		const watcher = await member("buyer");
		const listingId = await listing(seller, { title: "Watched thing", price: 5_000_000 });
		await run(
			"INSERT INTO watchlist (tenant_id, listing_id, user_id, price_cents, created_at) VALUES (?, ?, ?, 5000000, ?)",
			watcher.tenantId,
			listingId,
			watcher.userId,
			new Date().toISOString(),
		);

		// An edit that leaves the price alone tells nobody.
		expect(forUser(await deliver(event("listing.updated", listingId, seller.tenantId)), watcher.email)).toEqual([]);

		await run("UPDATE listings SET asking_price_cents = 4500000 WHERE id = ?", listingId);
		const priceEvent = event("listing.updated", listingId, seller.tenantId);
		const price = forUser(await deliver(priceEvent), watcher.email);
		expect(price).toHaveLength(1);
		expect(price[0]).toMatchObject({
			template: "watchlist-change",
			data: { change: "price", old_price_cents: 5_000_000, new_price_cents: 4_500_000 },
		});
		// Told: the same event again, or another edit, tells nothing more.
		expect(forUser(await deliver(priceEvent), watcher.email)).toEqual([]);
		// Had the told price not moved on (its write failed, or another edit ran alongside), another
		// edit's delivery queues the same change under the same job id, which is sent once.
		await run("UPDATE watchlist SET price_cents = 5000000 WHERE listing_id = ?", listingId);
		const retold = forUser(await deliver(event("listing.updated", listingId, seller.tenantId)), watcher.email);
		expect(retold.map((job) => job.id)).toEqual([price[0]?.id]);

		const underOffer = forUser(await deliver(event("listing.under_offer", listingId, seller.tenantId)), watcher.email);
		expect(underOffer.map((job) => dataOf(job).change)).toEqual(["under_offer"]);
		const soldEvent = event("listing.sold", listingId, seller.tenantId);
		const sold = forUser(await deliver(soldEvent), watcher.email);
		expect(sold.map((job) => dataOf(job).change)).toEqual(["sold"]);
		expect(forUser(await deliver(soldEvent), watcher.email)[0]?.id).toBe(sold[0]?.id);
		expect(new Set([price[0]?.id, underOffer[0]?.id, sold[0]?.id]).size).toBe(3);
	});
});
