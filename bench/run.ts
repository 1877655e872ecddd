/**
 * `npm run bench`: a benchmark of the local topology, never a test (nothing here asserts on a
 * timing). It starts the three Workers in one Miniflare on workerd (test/topology, the harness
 * the e2e tests use, with the dispatch Worker also served on a direct workerd socket: no Wrangler
 * dev proxy and no Miniflare entry Worker in the path), a bare hello-world Worker the same way,
 * the same hello world on the `workerd` binary alone (to measure the harness), and Workers that
 * make only the runtime calls a signed-in read makes (its floor). It runs the scenarios one
 * after another and writes `bench/results.json` and the table in `docs/performance.md`. See that
 * document for what each number means and what it does not.
 *
 * The scenarios run strictly in sequence and the load generator shares the machine with workerd:
 * run it on an otherwise idle machine, and compare runs made on the same one. `--only pages`
 * runs the web pages' scenario alone (bench/pages.ts) and replaces only its numbers.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { testSecrets } from "../test/topology/secrets.ts";
import { seededAdmin } from "../test/topology/seed.ts";
import { startTopology } from "../test/topology/topology.ts";
import { anonClients } from "./anon-clients.ts";
import { ApiClient, verifyInDatabase } from "./api-client.ts";
import { counterOffers, listingReadAuth, rateLimitExactness, searchAnon } from "./api-scenarios.ts";
import { startBaseline, startRawWorkerd } from "./baseline.ts";
import { httpLoad } from "./http-load.ts";
import { webPages } from "./pages.ts";
import { withPeakRss, workerdPids } from "./processes.ts";
import { queueConsolidation } from "./queue-consolidation.ts";
import { pagesTable, type Results, table, writePagesResults, writeResults } from "./report.ts";
import { round, sleep } from "./stats.ts";
import { wsIdle } from "./ws-idle.ts";
import { wsRooms } from "./ws-rooms.ts";

const ROOT = resolve(import.meta.dirname, "..");
const COMPATIBILITY_DATE = "2026-10-01";
const HTTP = { connections: 50, durationMs: 4_000, warmupMs: 1_000 };
const WS = { rooms: 100, sellers: 20, rounds: 12, paceMs: 500 };
const WS_IDLE = { perParty: 10, holdMs: 5_000 };
const SEARCH = { listings: 10_000 };
const COUNTERS = { durationMs: 4_000 };
const RATE_LIMIT = { requests: 200 };
const QUEUE = { threads: 500, eventsPerThread: 20, timeoutMs: 120_000, pollMs: 100 };
const PAGES = { loads: 20 };
const SCENARIOS = ["pages"] as const;

const log = (message: string) => console.log(`[bench] ${message}`);

const workerdVersion = (
	JSON.parse(readFileSync(resolve(ROOT, "node_modules/workerd/package.json"), "utf8")) as { version: string }
).version;
const machine = {
	cores: availableParallelism(),
	cpu_model: cpus()[0]?.model.trim() ?? "unknown",
	node: process.versions.node,
	workerd: workerdVersion,
};
const RESULTS_JSON = resolve(ROOT, "bench/results.json");
const PERFORMANCE_DOC = resolve(ROOT, "docs/performance.md");

const { only } = parseArgs({ options: { only: { type: "string" } } }).values;
if (only !== undefined) {
	if (!(SCENARIOS as readonly string[]).includes(only)) {
		throw new Error(`--only takes one of ${SCENARIOS.join(", ")}, not ${JSON.stringify(only)}`);
	}
	log(`web_pages alone: ${PAGES.loads} cold loads of each public page in headless Chromium`);
	const pages = await webPages({ ...PAGES, command: "npm run bench -- --only pages", machine, log });
	writePagesResults(pages, RESULTS_JSON, PERFORMANCE_DOC);
	console.log(`\n${pagesTable(pages)}\n`);
	log("wrote web_pages into bench/results.json and its table in docs/performance.md");
	process.exit(0);
}

log("starting raw workerd, the hello-world baseline and the topology");
const raw = await startRawWorkerd(COMPATIBILITY_DATE);
const baseline = await startBaseline(COMPATIBILITY_DATE);
const baselinePids = new Set(workerdPids());
// The baseline Miniflare's workerd: every workerd child but raw workerd's, before the topology starts.
const helloPids = [...baselinePids].filter((pid) => pid !== raw.pid);
const secrets = testSecrets();
// One admin, seeded into D1 the way `npm run admin:create` makes one, to raise the limits of the
// benchmark's own accounts (see docs/performance.md).
const admin = await seededAdmin(secrets.PASSWORD_PEPPER, "bench");
// The anonymous limit raised for the whole run (as an operator can, through ANONYMOUS_RATE_LIMIT),
// so anonymous scenarios measure admitted requests; the buckets are still spent on every one.
const BENCH_ANONYMOUS_LIMIT = JSON.stringify({ limit: 1_000_000, windowSeconds: 3600, burst: 100_000 });
const started = await startTopology({
	secrets: { ...secrets, ANONYMOUS_RATE_LIMIT: BENCH_ANONYMOUS_LIMIT },
	seedSql: admin.sql,
	directSocket: true,
});
if (!started.directUrl) throw new Error("the topology has no direct socket");
// Every scenario talks to the dispatch Worker's direct socket, as it would to the edge.
const topology = { ...started, url: started.directUrl };
const client = new ApiClient(topology.url.port, verifyInDatabase(topology.db));
let disposed = false;
const disposeTopology = async () => {
	if (disposed) return;
	disposed = true;
	await client.close();
	await topology.dispose();
};
const topologyPids = workerdPids().filter((pid) => !baselinePids.has(pid));

const load = (origin: string, path: string, pids: readonly number[]) =>
	withPeakRss(pids, async () => {
		const { duration_s: _d, ...figures } = await httpLoad({ origin, path, ...HTTP });
		return figures;
	});
/** A topology scenario, with the topology workerd's peak memory over it. */
const measured = <T extends object>(work: () => Promise<T>) => withPeakRss(topologyPids, work);

try {
	log(`raw workerd: GET / on ${raw.url.origin}, ${HTTP.connections} connections, ${HTTP.durationMs} ms`);
	const rawHello = await load(raw.url.origin, "/", [raw.pid]);
	log(`baseline_hello: GET / on ${baseline.url.origin} (direct socket)`);
	const baselineHello = await load(baseline.url.origin, "/", helloPids);
	log(`miniflare entry: GET / on ${baseline.entryUrl.origin}`);
	const entryHello = await load(baseline.entryUrl.origin, "/", helloPids);
	const ratioed = <T extends { rps: number }>(figures: T) => ({
		...figures,
		ratio_to_baseline: round(figures.rps / baselineHello.rps, 3),
	});
	const primitive = async (path: string) => ratioed(await load(baseline.floorUrl.origin, path, helloPids));
	log("runtime primitives: /do, /do-new, /service, /d1, /path");
	const runtimePrimitives = {
		do_rpc_sqlite: await primitive("/do"),
		do_rpc_new_object: await primitive("/do-new"),
		service_binding: await primitive("/service"),
		d1_point_query: await primitive("/d1"),
		signed_in_read_floor: await primitive("/path"),
	};

	log(`healthz: GET /healthz on ${topology.url.origin}`);
	const healthz = ratioed(await load(topology.url.origin, "/healthz", topologyPids));

	const adminToken = (await client.login(admin.email, admin.password)).token;

	log(
		`listing_read_auth: authenticated GET /api/v1/listings/:id, ${HTTP.connections} connections (buyer limit raised)`,
	);
	const { listingId, ...listingRead } = await measured(() => listingReadAuth(client, topology, adminToken, HTTP));
	const listingReadAuthResult = {
		...ratioed(listingRead),
		ratio_to_floor: round(listingRead.rps / runtimePrimitives.signed_in_read_floor.rps, 3),
	};

	log(
		"anon_new_client / anon_returning_clients: anonymous GET /api/v1/listings/:id, a new client per request, then 50 returning",
	);
	const anon = await measured(() => anonClients(client, topology, HTTP));

	log(`search_anon: seeding ${SEARCH.listings} listings, then anonymous GET /api/v1/listings?q=…`);
	const search = await measured(() => searchAnon(topology, SEARCH.listings, HTTP));
	const searchAnonResult = ratioed(search);

	log(
		`ws_counter_latency: ${WS.rooms} rooms × ${WS.rounds} counters, one per room every ${WS.paceMs} ms (setting up accounts, listings and offers)`,
	);
	const { offerIds, threads, ...wsCounterLatency } = await measured(() =>
		wsRooms({ port: topology.url.port, db: topology.db, ...WS }),
	);

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
	const queue = await measured(() => queueConsolidation(topology, QUEUE));

	log(
		`counter_offers: POST /api/v1/offers/:id/counter on ${threads.length} threads for ${COUNTERS.durationMs} ms (limits raised)`,
	);
	const { duration_s: _c, ...counterResult } = await measured(() =>
		counterOffers(client, topology, adminToken, threads, COUNTERS.durationMs),
	);
	const counters = ratioed(counterResult);

	log(`ratelimit_exactness: ${RATE_LIMIT.requests} parallel requests from one fresh buyer (burst 50)`);
	const rateLimit = await measured(() => rateLimitExactness(client, topology, listingId, RATE_LIMIT.requests));

	// The main topology is done with: stop it, so the next scenario has workerd's thread to itself.
	await disposeTopology();

	log("ws_counter_latency_no_consolidation: the same rooms on a second topology whose consumer only acks");
	const quietPidsBefore = new Set(workerdPids());
	const quiet = await startTopology({
		secrets: testSecrets(),
		directSocket: true,
		entries: { "techflunky-consumers": "bench/acking-consumer.ts" },
	});
	let wsNoConsolidation: Results["scenarios"]["ws_counter_latency_no_consolidation"];
	try {
		const quietPids = workerdPids().filter((pid) => !quietPidsBefore.has(pid));
		const {
			offerIds: _o,
			threads: _t,
			...figures
		} = await withPeakRss(quietPids, () => wsRooms({ port: (quiet.directUrl ?? quiet.url).port, db: quiet.db, ...WS }));
		wsNoConsolidation = figures;
	} finally {
		await quiet.dispose();
	}

	log(`web_pages: ${PAGES.loads} cold loads of each public page in headless Chromium, on a topology with demo data`);
	const pages = await webPages({ ...PAGES, command: "npm run bench", machine, log });

	const results: Results = {
		generated_at: new Date().toISOString(),
		command: "npm run bench",
		machine,
		harness: {
			description:
				"Miniflare (node_modules/miniflare) on workerd, 127.0.0.1, no Wrangler dev proxy: the three Workers of test/topology in one instance, the dispatch Worker served on a direct workerd socket (unsafeDirectSockets, no Miniflare entry Worker); the hello-world baseline and the runtime-primitive Workers in a second instance, served the same way; the same hello world on the workerd binary alone from a generated config. Load generator in the same Node process on the same cores: autocannon (closed loop, keep-alive, one request in flight per connection) for the stateless HTTP scenarios; small undici closed loops for the stateful counter_offers and ratelimit_exactness.",
			raw_workerd_hello: rawHello,
			miniflare_entry_hello: { ...entryHello, ratio_to_raw: round(entryHello.rps / rawHello.rps, 3) },
			baseline_to_raw: round(baselineHello.rps / rawHello.rps, 3),
		},
		runtime_primitives: runtimePrimitives,
		scenarios: {
			baseline_hello: baselineHello,
			healthz,
			listing_read_auth: listingReadAuthResult,
			anon_new_client: ratioed(anon.anon_new_client),
			anon_returning_clients: ratioed(anon.anon_returning_clients),
			anon_client_cost: {
				new_to_returning: anon.new_to_returning,
				p50_new_to_returning: anon.p50_new_to_returning,
				target_max: 1.5,
				peak_rss_mb: anon.peak_rss_mb,
			},
			search_anon: searchAnonResult,
			ws_counter_latency: wsCounterLatency,
			ws_counter_latency_no_consolidation: wsNoConsolidation,
			ws_idle_2000: idle,
			queue_consolidation: queue,
			counter_offers: counters,
			ratelimit_exactness: rateLimit,
		},
		web_pages: pages,
	};
	writeResults(results, RESULTS_JSON, PERFORMANCE_DOC);
	console.log(`\n${table(results)}\n\n${pagesTable(pages)}\n`);
	log("wrote bench/results.json and the tables in docs/performance.md");
} finally {
	await disposeTopology();
	await baseline.mf.dispose();
	await raw.stop();
}
