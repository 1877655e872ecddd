/**
 * The signed-in and search scenarios over REST:
 *
 * - `listing_read_auth`: one buyer reads one active listing, `GET /api/v1/listings/:id` with a
 *   Bearer token, through the whole signed-in path (JWT verify, session check and token bucket in
 *   the buyer's TenantObject, user Worker, D1). The buyer's limit is raised by an admin first
 *   (`PATCH /api/v1/admin/tenants/:id {rate_limit}`), before its bucket is first touched, or the
 *   run would measure 429s after the burst of 50.
 * - `search_anon`: anonymous full-text search over 10,000 active listings seeded straight into D1
 *   (the FTS triggers index them); every request poses as its own client IP, since anonymous
 *   callers are limited per `CF-Connecting-IP` (burst 20).
 * - `counter_offers`: `POST /api/v1/offers/:id/counter` on 100 open threads at once, each thread a
 *   closed loop that counters as the party whose turn it is, with the current version (room,
 *   outbox, queue). The parties' limits are raised the same way.
 * - `ratelimit_exactness`: 200 requests at once from one fresh buyer (burst 50, limit untouched):
 *   how many get a 2xx. Exact is 50 (plus at most the tokens refilled during the burst, 500/h).
 *
 * All requests address the apex host (`Host: localhost:<port>`) on 127.0.0.1, like ApiClient, and
 * carry a client IP in `CF-Connecting-IP`.
 */
import { Pool } from "undici";
import type { Topology } from "../test/topology/topology.ts";
import { type Account, type ApiClient, freshIp } from "./api-client.ts";
import { type HttpLoadResult, httpLoad } from "./http-load.ts";
import { round, summarize } from "./stats.ts";

export interface LoadWindow {
	connections: number;
	durationMs: number;
	warmupMs: number;
}

type LoadResult = Omit<HttpLoadResult, "duration_s">;

/**
 * What Cloudflare's edge would hand the dispatch Worker for one client: the apex host, and the
 * client's IP in `CF-Connecting-IP` (the bench serves the dispatch Worker on a direct socket, where
 * nothing else sets it).
 */
const edgeHeaders = (port: string) => ({ host: `localhost:${port}`, "cf-connecting-ip": freshIp() });

export async function listingReadAuth(
	client: ApiClient,
	topology: Topology,
	adminToken: string,
	window: LoadWindow,
): Promise<LoadResult & { listingId: string }> {
	const seller = await client.register("seller");
	const listingId = await client.createListing(seller);
	const buyer = await client.register("buyer");
	await client.raiseLimit(adminToken, buyer.tenant.id);
	const headers = { ...edgeHeaders(topology.url.port), authorization: `Bearer ${buyer.token}` };
	const { duration_s: _d, ...result } = await httpLoad({
		origin: topology.url.origin,
		path: `/api/v1/listings/${listingId}`,
		headers,
		...window,
	});
	return { ...result, listingId };
}

const ADJECTIVES = ["Acme", "Bright", "Quiet", "Nimble", "Lunar", "Crimson", "Solid", "Rapid", "Clever", "Open"];
const NOUNS = ["Invoicing", "Analytics", "Scheduler", "Storefront", "Newsletter", "Tracker", "Helpdesk", "Planner"];
const AUDIENCES = ["dentists", "freelancers", "bakeries", "agencies", "schools", "gyms", "lawyers", "podcasters"];
const STACKS = [
	["typescript", "react", "postgres"],
	["python", "django", "redis"],
	["ruby", "rails", "mysql"],
	["go", "htmx", "sqlite"],
	["php", "laravel", "mysql"],
	["elixir", "phoenix", "postgres"],
	["swift", "firebase"],
	["kotlin", "spring", "postgres"],
];
const CATEGORIES = ["saas", "ecommerce", "marketplace", "content", "mobile_app", "ai", "agency", "other"];

/** The word searched for: one noun of eight, so about 1/8 of the listings (1,250) match. */
export const SEARCH_WORD = "analytics";

export interface SearchResult extends LoadResult {
	listings: number;
	query: string;
	/** Seeded listings the query matches (counted in D1). */
	matching: number;
	seed_s: number;
}

export async function searchAnon(topology: Topology, listings: number, window: LoadWindow): Promise<SearchResult> {
	const db = await topology.db();
	const sellerId = `seller_bench${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
	const now = Date.now();
	const at = new Date(now).toISOString();
	const seedStarted = performance.now();
	await db
		.prepare(
			"INSERT INTO tenants (id, kind, name, status, created_at, updated_at) VALUES (?, 'seller', 'Bench search seller', 'active', ?, ?)",
		)
		.bind(sellerId, at, at)
		.run();
	const insert = db.prepare(
		`INSERT INTO listings (id, seller_tenant_id, title, summary, description, category, asking_price_cents,
			tech_stack, mrr_cents, status, created_at, updated_at, published_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)`,
	);
	for (let from = 0; from < listings; from += 500) {
		const batch = [];
		for (let i = from; i < Math.min(listings, from + 500); i++) {
			// Different strides through the word lists, so titles, summaries and stacks vary independently.
			const noun = NOUNS[i % NOUNS.length] ?? "";
			const title = `${ADJECTIVES[Math.floor(i / 8) % ADJECTIVES.length]} ${noun} ${i}`;
			const summary = `${noun} for ${AUDIENCES[(i * 3 + 1) % AUDIENCES.length]}, ${(i % 40) + 1} years of customers`;
			const published = new Date(now - i * 60_000).toISOString();
			batch.push(
				insert.bind(
					`lst_${crypto.randomUUID().replaceAll("-", "")}`,
					sellerId,
					title,
					summary,
					"Seeded by the benchmark.",
					CATEGORIES[(i * 5) % CATEGORIES.length] ?? "other",
					1_000_000 + (i % 97) * 50_000,
					JSON.stringify(STACKS[(i * 7) % STACKS.length]),
					(i % 50) * 10_000,
					published,
					published,
					published,
				),
			);
		}
		await db.batch(batch);
	}
	const seedSeconds = (performance.now() - seedStarted) / 1000;
	const matching = (await db
		.prepare("SELECT count(*) AS n FROM listings_fts WHERE listings_fts MATCH ?")
		.bind(`"${SEARCH_WORD}"*`)
		.first<{ n: number }>()) ?? { n: 0 };
	const host = { host: `localhost:${topology.url.port}` };
	const { duration_s: _d, ...result } = await httpLoad({
		origin: topology.url.origin,
		path: `/api/v1/listings?q=${SEARCH_WORD}`,
		headers: () => ({ ...host, "cf-connecting-ip": freshIp() }),
		...window,
	});
	return { ...result, listings, query: SEARCH_WORD, matching: matching.n, seed_s: round(seedSeconds, 2) };
}

export interface Thread {
	offerId: string;
	seller: Account;
	buyer: Account;
}

/** The HTTP figures, per thread instead of per connection (one connection per thread). */
export type CounterResult = Omit<HttpLoadResult, "connections"> & { threads: number };

export async function counterOffers(
	client: ApiClient,
	topology: Topology,
	adminToken: string,
	threads: readonly Thread[],
	durationMs: number,
): Promise<CounterResult> {
	const tenants = new Map<string, true>();
	for (const { seller, buyer } of threads) {
		tenants.set(seller.tenant.id, true);
		tenants.set(buyer.tenant.id, true);
	}
	for (const tenantId of tenants.keys()) await client.raiseLimit(adminToken, tenantId);

	const pool = new Pool(topology.url.origin, { connections: threads.length, pipelining: 1 });
	const host = edgeHeaders(topology.url.port);
	const latencies: number[] = [];
	let errors = 0;
	try {
		const started = performance.now();
		const deadline = started + durationMs;
		await Promise.all(
			threads.map(async ({ offerId, seller, buyer }) => {
				const offer = await client.getOffer(buyer.token, offerId);
				let { version } = offer;
				let sellerTurn = offer.last_proposer === "buyer";
				while (performance.now() < deadline) {
					const party = sellerTurn ? seller : buyer;
					const amount = sellerTurn ? 24_000_000 - version * 100 : 20_000_000 + version * 100;
					const sent = performance.now();
					const res = await pool.request({
						path: `/api/v1/offers/${offerId}/counter`,
						method: "POST",
						headers: {
							...host,
							authorization: `Bearer ${party.token}`,
							"content-type": "application/json",
						},
						body: JSON.stringify({ amount_cents: amount, version }),
					});
					const text = await res.body.text();
					if (res.statusCode !== 200) {
						errors += 1;
						console.warn(`counter on ${offerId} at version ${version} answered ${res.statusCode}: ${text}`);
						return;
					}
					latencies.push(performance.now() - sent);
					version = (JSON.parse(text) as { version: number }).version;
					sellerTurn = !sellerTurn;
				}
			}),
		);
		const seconds = (performance.now() - started) / 1000;
		return {
			rps: round(latencies.length / seconds, 0),
			...summarize(latencies),
			requests: latencies.length,
			errors,
			threads: threads.length,
			duration_s: round(seconds, 2),
		};
	} finally {
		await pool.close();
	}
}

export interface RateLimitResult {
	admitted: number;
	expected: number;
	refused_429: number;
	other: number;
	requests: number;
}

export async function rateLimitExactness(
	client: ApiClient,
	topology: Topology,
	listingId: string,
	requests: number,
): Promise<RateLimitResult> {
	const buyer = await client.register("buyer");
	const pool = new Pool(topology.url.origin, { connections: requests, pipelining: 1 });
	const headers = { ...edgeHeaders(topology.url.port), authorization: `Bearer ${buyer.token}` };
	try {
		const statuses = await Promise.all(
			Array.from({ length: requests }, async () => {
				try {
					const res = await pool.request({ path: `/api/v1/listings/${listingId}`, method: "GET", headers });
					await res.body.dump();
					return res.statusCode;
				} catch {
					return 0;
				}
			}),
		);
		const admitted = statuses.filter((s) => s >= 200 && s < 300).length;
		const refused = statuses.filter((s) => s === 429).length;
		return { admitted, expected: 50, refused_429: refused, other: requests - admitted - refused, requests };
	} finally {
		await pool.close();
	}
}
