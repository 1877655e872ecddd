/**
 * `npm run bench`: a benchmark of the local topology, never a test (nothing here asserts on a
 * timing). It starts the three Workers in one Miniflare on workerd (test/topology, the harness
 * the e2e tests use: no Wrangler dev proxy in the path) and a bare hello-world Worker beside it,
 * runs four scenarios one after another, and writes `bench/results.json` and the table in
 * `docs/performance.md`. See that document for what each number means and what it does not.
 *
 * The scenarios run strictly in sequence and the load generator shares the machine with workerd:
 * run it on an otherwise idle machine, and compare runs made on the same one.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { resolve } from "node:path";
import { testSecrets } from "../test/topology/secrets.ts";
import { seededAdmin } from "../test/topology/seed.ts";
import { startTopology } from "../test/topology/topology.ts";
import { ApiClient } from "./api-client.ts";
import { counterOffers, listingReadAuth, rateLimitExactness, searchAnon } from "./api-scenarios.ts";
import { startBaseline } from "./baseline.ts";
import { httpLoad } from "./http-load.ts";
import { peakRssMb, resetPeakRss, workerdPids } from "./processes.ts";
import { queueConsolidation } from "./queue-consolidation.ts";
import { type Results, table, writeResults } from "./report.ts";
import { round, sleep } from "./stats.ts";
import { wsIdle } from "./ws-idle.ts";
import { wsRooms } from "./ws-rooms.ts";

const ROOT = resolve(import.meta.dirname, "..");
const COMPATIBILITY_DATE = "2026-10-01";
const HTTP = { connections: 50, durationMs: 4_000, warmupMs: 1_000 };
const WS = { rooms: 100, sellers: 20, rounds: 12 };
const WS_IDLE = { perParty: 10, holdMs: 5_000 };
const SEARCH = { listings: 10_000 };
const COUNTERS = { durationMs: 4_000 };
const RATE_LIMIT = { requests: 200 };
const QUEUE = { threads: 500, eventsPerThread: 20, timeoutMs: 120_000, pollMs: 100 };

const log = (message: string) => console.log(`[bench] ${message}`);

const workerdVersion = (
	JSON.parse(readFileSync(resolve(ROOT, "node_modules/workerd/package.json"), "utf8")) as { version: string }
).version;

log("starting the hello-world baseline and the topology");
const baseline = await startBaseline(COMPATIBILITY_DATE);
const baselinePids = new Set(workerdPids());
const secrets = testSecrets();
// One admin, seeded into D1 the way `npm run admin:create` makes one, to raise the limits of the
// benchmark's own accounts (see docs/performance.md).
const admin = await seededAdmin(secrets.PASSWORD_PEPPER, "bench");
const topology = await startTopology({ secrets, seedSql: admin.sql });
const client = new ApiClient(topology.url.port);
const topologyPids = workerdPids().filter((pid) => !baselinePids.has(pid));

try {
	log(`baseline_hello: GET / on ${baseline.url.origin}, ${HTTP.connections} connections, ${HTTP.durationMs} ms`);
	const { duration_s: _b, ...baselineHello } = await httpLoad({ origin: baseline.url.origin, path: "/", ...HTTP });

	log(`healthz: GET /healthz on ${topology.url.origin}`);
	const { duration_s: _h, ...health } = await httpLoad({ origin: topology.url.origin, path: "/healthz", ...HTTP });
	const healthz = { ...health, ratio_to_baseline: round(health.rps / baselineHello.rps, 3) };

	const adminToken = (await client.login(admin.email, admin.password)).token;

	log(
		`listing_read_auth: authenticated GET /api/v1/listings/:id, ${HTTP.connections} connections (buyer limit raised)`,
	);
	const { listingId, ...listingRead } = await listingReadAuth(client, topology, adminToken, HTTP);
	const listingReadAuthResult = { ...listingRead, ratio_to_baseline: round(listingRead.rps / baselineHello.rps, 3) };

	log(`search_anon: seeding ${SEARCH.listings} listings, then anonymous GET /api/v1/listings?q=…`);
	const search = await searchAnon(topology, SEARCH.listings, HTTP);
	const searchAnonResult = { ...search, ratio_to_baseline: round(search.rps / baselineHello.rps, 3) };

	log(`ws_counter_latency: ${WS.rooms} rooms × ${WS.rounds} counters (setting up accounts, listings and offers)`);
	const resettable = topologyPids.length > 0 && topologyPids.every(resetPeakRss);
	const { offerIds, threads, ...ws } = await wsRooms({ port: topology.url.port, ...WS });
	const peaks = topologyPids.map(peakRssMb);
	const peak =
		resettable && peaks.every((mb) => mb !== null)
			? round(
					peaks.reduce<number>((sum, mb) => sum + (mb ?? 0), 0),
					1,
				)
			: undefined;
	const wsCounterLatency = { ...ws, ...(peak === undefined ? {} : { peak_rss_mb: peak }) };

	log(`ws_idle_2000: ${threads.length} rooms × ${WS_IDLE.perParty * 2} idle sockets, held ${WS_IDLE.holdMs} ms`);
	await sleep(1_000);
	const idle = await wsIdle({ port: topology.url.port, threads, pids: topologyPids, ...WS_IDLE });

	// Let the consumer finish the sockets' own events first, so the queue scenario starts on an idle consumer.
	const wsEvents = offerIds.length * (1 + WS.rounds);
	const db = await topology.db();
	for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(250)) {
		const row = await db.prepare("SELECT count(*) AS n FROM offer_events").first<{ n: number }>();
		if ((row?.n ?? 0) >= wsEvents) break;
	}

	log(`queue_consolidation: ${QUEUE.threads * QUEUE.eventsPerThread} offer-events over ${QUEUE.threads} threads`);
	const queue = await queueConsolidation(topology, QUEUE);

	log(
		`counter_offers: POST /api/v1/offers/:id/counter on ${threads.length} threads for ${COUNTERS.durationMs} ms (limits raised)`,
	);
	const { duration_s: _c, ...counterResult } = await counterOffers(
		client,
		topology,
		adminToken,
		threads,
		COUNTERS.durationMs,
	);
	const counters = { ...counterResult, ratio_to_baseline: round(counterResult.rps / baselineHello.rps, 3) };

	log(`ratelimit_exactness: ${RATE_LIMIT.requests} parallel requests from one fresh buyer (burst 50)`);
	const rateLimit = await rateLimitExactness(client, topology, listingId, RATE_LIMIT.requests);

	const results: Results = {
		generated_at: new Date().toISOString(),
		command: "npm run bench",
		machine: {
			cores: availableParallelism(),
			cpu_model: cpus()[0]?.model.trim() ?? "unknown",
			node: process.versions.node,
			workerd: workerdVersion,
		},
		harness:
			"Miniflare (node_modules/miniflare) on workerd, 127.0.0.1, no Wrangler dev proxy: the three Workers of test/topology in one instance, the hello-world baseline in a second. Load generator in the same Node process on the same cores (undici Pool, closed loop, keep-alive).",
		scenarios: {
			baseline_hello: baselineHello,
			healthz,
			listing_read_auth: listingReadAuthResult,
			search_anon: searchAnonResult,
			ws_counter_latency: wsCounterLatency,
			ws_idle_2000: idle,
			queue_consolidation: queue,
			counter_offers: counters,
			ratelimit_exactness: rateLimit,
		},
	};
	writeResults(results, resolve(ROOT, "bench/results.json"), resolve(ROOT, "docs/performance.md"));
	console.log(`\n${table(results)}\n`);
	log("wrote bench/results.json and the table in docs/performance.md");
} finally {
	await client.close();
	await topology.dispose();
	await baseline.mf.dispose();
}
