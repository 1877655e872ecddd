/**
 * The benchmark's outputs: `bench/results.json` (everything measured, machine-readable), a
 * Markdown table for stdout, and the same table spliced into `docs/performance.md` between its
 * markers, so the prose around it is written by hand and only the numbers are regenerated. The
 * web pages have a table and markers of their own, so `npm run bench -- --only pages` can
 * replace their numbers alone and leave the last full run's in place.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { CounterResult, RateLimitResult, SearchResult } from "./api-scenarios.ts";
import type { HttpLoadResult } from "./http-load.ts";
import type { PageFigures, WebPagesResult } from "./pages.ts";
import type { QueueResult } from "./queue-consolidation.ts";
import type { WsIdleResult } from "./ws-idle.ts";
import type { WsRoomsResult } from "./ws-rooms.ts";

/** Every scenario also reports the peak resident memory of the workerd process(es) it ran on. */
type Peaked<T> = T & { peak_rss_mb?: number };
type HttpFigures = Peaked<Omit<HttpLoadResult, "duration_s">>;
type Ratioed = HttpFigures & { ratio_to_baseline: number };
type WsFigures = Peaked<Omit<WsRoomsResult, "offerIds" | "threads">>;

export interface Results {
	generated_at: string;
	command: "npm run bench";
	machine: { cores: number; cpu_model: string; node: string; workerd: string };
	/** The harness measured against the workerd binary alone, with the same Worker and load. */
	harness: {
		description: string;
		/** Hello world on `workerd serve` with a generated config: no Miniflare. */
		raw_workerd_hello: HttpFigures;
		/** Hello world at Miniflare's URL, through its entry Worker (what the bench does not use). */
		miniflare_entry_hello: HttpFigures & { ratio_to_raw: number };
		/** `baseline_hello.rps` ÷ `raw_workerd_hello.rps`: what the harness itself costs. */
		baseline_to_raw: number;
	};
	/** The runtime's calls alone, without our code: the floor under the signed-in read. */
	runtime_primitives: {
		do_rpc_sqlite: Ratioed;
		do_rpc_new_object: Ratioed;
		service_binding: Ratioed;
		d1_point_query: Ratioed;
		signed_in_read_floor: Ratioed;
	};
	scenarios: {
		baseline_hello: HttpFigures;
		healthz: Ratioed;
		listing_read_auth: Ratioed & { ratio_to_floor: number };
		/** Anonymous reads, each from a client never seen before. */
		anon_new_client: Ratioed;
		/** The same reads from 50 clients that come back. */
		anon_returning_clients: Ratioed & { clients: number };
		/** What a new client costs in returning ones: the rps ratio, and the p50 ratio (new ÷ returning). */
		anon_client_cost: Peaked<{ new_to_returning: number; p50_new_to_returning: number; target_max: number }>;
		search_anon: Peaked<SearchResult> & { ratio_to_baseline: number };
		ws_counter_latency: WsFigures;
		/** The same load on a topology whose consumer acks without writing to D1 (a diagnostic). */
		ws_counter_latency_no_consolidation: WsFigures;
		ws_idle_2000: WsIdleResult;
		queue_consolidation: Peaked<QueueResult>;
		counter_offers: Peaked<Omit<CounterResult, "duration_s">> & { ratio_to_baseline: number };
		ratelimit_exactness: Peaked<RateLimitResult>;
	};
	/** Each public page's weight and paint in headless Chromium (bench/pages.ts), on a topology of its own. */
	web_pages: WebPagesResult;
}

const START = "<!-- bench:results:start -->";
const END = "<!-- bench:results:end -->";
const PAGES_START = "<!-- bench:pages:start -->";
const PAGES_END = "<!-- bench:pages:end -->";

const cell = (value: number | boolean | undefined, unit = "") =>
	value === undefined ? "–" : `${typeof value === "number" ? value.toLocaleString("en-US") : String(value)}${unit}`;

export function table(results: Results): string {
	const {
		baseline_hello: base,
		healthz,
		listing_read_auth: read,
		anon_new_client: anonNew,
		anon_returning_clients: anonBack,
		anon_client_cost: anonCost,
		search_anon: search,
		ws_counter_latency: ws,
		ws_counter_latency_no_consolidation: wsQuiet,
		ws_idle_2000: idle,
		queue_consolidation: queue,
		counter_offers: counters,
		ratelimit_exactness: limit,
	} = results.scenarios;
	const { raw_workerd_hello: raw, miniflare_entry_hello: entry } = results.harness;
	const primitives = results.runtime_primitives;
	const row = (
		label: string,
		figures: { p50_ms?: number; p95_ms?: number; p99_ms?: number; peak_rss_mb?: number },
		throughput: string,
		notes: string,
	) =>
		`| ${label} | ${throughput} | ${cell(figures.p50_ms, " ms")} | ${cell(figures.p95_ms, " ms")} | ${cell(figures.p99_ms, " ms")} | ${cell(figures.peak_rss_mb, " MB")} | ${notes} |`;
	const ratioed = (label: string, figures: Ratioed, notes = "") =>
		row(
			label,
			figures,
			cell(figures.rps, " req/s"),
			`${cell(figures.ratio_to_baseline)}× baseline rps, ${cell(figures.errors)} errors${notes}`,
		);
	const wsNotes = (figures: WsFigures) =>
		`${cell(figures.samples)} samples, ${cell(figures.rooms)} rooms, ${cell(figures.offered_per_s)} counters/s offered, ${cell(figures.counters_per_s)} delivered, ${cell(figures.errors)} errors`;
	return [
		"| scenario | throughput | p50 | p95 | p99 | workerd peak RSS | notes |",
		"|---|---|---|---|---|---|---|",
		row(
			"harness: raw workerd (hello world, `workerd serve`)",
			raw,
			cell(raw.rps, " req/s"),
			`${cell(raw.requests)} requests, ${cell(raw.errors)} errors; baseline_hello is ${cell(results.harness.baseline_to_raw)}× of this`,
		),
		row(
			"harness: Miniflare entry Worker (hello world, not used)",
			entry,
			cell(entry.rps, " req/s"),
			`${cell(entry.ratio_to_raw)}× raw workerd, ${cell(entry.errors)} errors`,
		),
		ratioed("primitive: Durable Object RPC + SQLite read and upsert", primitives.do_rpc_sqlite),
		ratioed("primitive: the same RPC to a new object each time", primitives.do_rpc_new_object),
		ratioed("primitive: service-binding hop", primitives.service_binding),
		ratioed("primitive: D1 point query (behind a service binding)", primitives.d1_point_query),
		ratioed("primitive: all three, the signed-in read's floor", primitives.signed_in_read_floor),
		row(
			"baseline_hello (bare Worker, GET /)",
			base,
			cell(base.rps, " req/s"),
			`${cell(base.connections)} connections, ${cell(base.requests)} requests, ${cell(base.errors)} errors`,
		),
		ratioed("healthz (dispatch Worker, GET /healthz)", healthz),
		ratioed(
			"listing_read_auth (signed-in GET /api/v1/listings/:id)",
			read,
			`, ${cell(read.ratio_to_floor)}× the primitives' floor, ${cell(read.connections)} connections`,
		),
		ratioed("anon_new_client (anonymous GET /api/v1/listings/:id, a new client each time)", anonNew),
		ratioed(
			`anon_returning_clients (the same from ${cell(anonBack.clients)} returning clients)`,
			anonBack,
			`; a new client costs ${cell(anonCost.new_to_returning)}× a returning one in rps, ${cell(anonCost.p50_new_to_returning)}× at p50 (target ≤ ${cell(anonCost.target_max)})`,
		),
		row(
			`search_anon (anonymous GET /api/v1/listings?q=${search.query})`,
			search,
			cell(search.rps, " req/s"),
			`${cell(search.ratio_to_baseline)}× baseline rps, ${cell(search.matching)} of ${cell(search.listings)} listings match, ${cell(search.errors)} errors`,
		),
		row("ws_counter_latency (counter → other party's state frame)", ws, "–", wsNotes(ws)),
		row(
			"ws_counter_latency_no_consolidation (same, consumer only acks)",
			wsQuiet,
			"–",
			`${wsNotes(wsQuiet)}; no D1 consolidation beside the rooms`,
		),
		row(
			"ws_idle_2000 (idle room sockets)",
			idle,
			"–",
			`${cell(idle.sockets)} sockets in ${cell(idle.rooms)} rooms held ${cell(idle.hold_s, " s")}, ${cell(idle.errors)} errors${idle.kb_per_socket === undefined ? "" : `, ${cell(idle.kb_per_socket, " KB")} per socket (RSS ${cell(idle.rss_before_mb)} → ${cell(idle.rss_held_mb, " MB")})`}`,
		),
		row(
			"queue_consolidation (offer-events → D1)",
			queue,
			cell(queue.events_per_s, " events/s"),
			`${cell(queue.events)} of ${cell(queue.expected)} events, ${cell(queue.lost)} lost, ${cell(queue.duplicated)} duplicated, ${cell(queue.deals_mismatched)} deals off`,
		),
		row(
			"counter_offers (REST POST /api/v1/offers/:id/counter)",
			counters,
			cell(counters.rps, " req/s"),
			`${cell(counters.ratio_to_baseline)}× baseline rps, ${cell(counters.threads)} threads concurrently, ${cell(counters.requests)} counters, ${cell(counters.errors)} errors`,
		),
		row(
			"ratelimit_exactness (200 parallel, one buyer)",
			limit,
			"–",
			`${cell(limit.admitted)} admitted of ${cell(limit.requests)} (expected ${cell(limit.expected)}), ${cell(limit.refused_429)} × 429, ${cell(limit.other)} other`,
		),
	].join("\n");
}

const kb = (bytes: number) => `${(bytes / 1000).toLocaleString("en-US", { maximumFractionDigits: 1 })} kB`;

function pageResult(page: PageFigures): string {
	const { ok, js, fcp, pass } = page.verdict;
	if (pass) return "pass";
	const missed = [!ok && `HTTP ${page.status}`, js === false && "JS", !fcp && "FCP"].filter(Boolean);
	return `**fail** (${missed.join(", ")})`;
}

/** The web pages' table: weight (gzip, as a visitor downloads it), paint, and the targets. */
export function pagesTable(pages: WebPagesResult): string {
	const row = (page: PageFigures) => {
		const target = [
			page.targets.js_gz_max_bytes === undefined ? null : `JS ≤ ${kb(page.targets.js_gz_max_bytes)} gz`,
			`FCP p50 ≤ ${cell(page.targets.fcp_p50_max_ms, " ms")}`,
		].filter(Boolean);
		return [
			`\`${page.path}\` (${page.name}${page.as === "new_buyer" ? ", as a signed-in buyer" : ""})`,
			`${kb(page.html_gz_bytes)} (${kb(page.html_bytes)})`,
			`${kb(page.js_gz_bytes)} (${kb(page.js_bytes)}), ${cell(page.js_files)} files${page.js_files_after_load > 0 ? `, ${cell(page.js_files_after_load)} after load` : ""}`,
			`${kb(page.css_gz_bytes)} (${kb(page.css_bytes)})`,
			cell(page.requests),
			`${cell(page.fcp_p50_ms ?? undefined, " ms")} / ${cell(page.fcp_p95_ms ?? undefined, " ms")}${page.painted < page.loads ? ` (${cell(page.painted)} of ${cell(page.loads)} painted)` : ""}`,
			cell(page.ttfb_p50_ms, " ms"),
			`${cell(page.dom_content_loaded_p50_ms, " ms")} / ${cell(page.load_p50_ms, " ms")}`,
			`${(page.heading.length > 40 ? `${page.heading.slice(0, 39)}…` : page.heading).replaceAll("|", "\\|")}; ${cell(page.listing_links)} listing links`,
			target.join(", "),
			pageResult(page),
		];
	};
	return [
		"| page | HTML gz (raw) | JS before interaction gz (raw) | CSS gz (raw) | requests | FCP p50 / p95 | TTFB p50 | DOMContentLoaded / load p50 | content (h1; links) | target | result |",
		"|---|---|---|---|---|---|---|---|---|---|---|",
		...pages.pages.map((page) => `| ${row(page).join(" | ")} |`),
	].join("\n");
}

function pagesBlock(pages: WebPagesResult): string {
	const { machine } = pages;
	return [
		PAGES_START,
		`Generated ${pages.generated_at} by \`${pages.command}\` on ${machine.cores} × ${machine.cpu_model}, Node ${machine.node}, workerd ${machine.workerd}; ${pages.loads_per_page} cold loads per page at ${pages.viewport.width} × ${pages.viewport.height}.`,
		"",
		pagesTable(pages),
		PAGES_END,
	].join("\n");
}

/** `doc` with the text between `start` and `end` replaced by `block`, or `block` appended. */
export function splice(doc: string, start: string, end: string, block: string): string {
	const from = doc.indexOf(start);
	const to = doc.indexOf(end);
	return from >= 0 && to > from
		? `${doc.slice(0, from)}${block}${doc.slice(to + end.length)}`
		: `${doc.trimEnd()}\n\n${block}\n`;
}

function readDoc(docPath: string): string {
	try {
		return readFileSync(docPath, "utf8");
	} catch {
		return "# Performance\n\n";
	}
}

export function writeResults(results: Results, jsonPath: string, docPath: string): void {
	writeFileSync(jsonPath, `${JSON.stringify(results, null, "\t")}\n`);
	const { machine } = results;
	const block = [
		START,
		`Generated ${results.generated_at} by \`${results.command}\` on ${machine.cores} × ${machine.cpu_model}, Node ${machine.node}, workerd ${machine.workerd}.`,
		"",
		table(results),
		END,
	].join("\n");
	const doc = splice(readDoc(docPath), START, END, block);
	writeFileSync(docPath, splice(doc, PAGES_START, PAGES_END, pagesBlock(results.web_pages)));
}

/**
 * `--only pages`: the web pages' numbers into the last full run's `results.json` (or a file of
 * their own when there is none) and their table in the document; everything else stays.
 */
export function writePagesResults(pages: WebPagesResult, jsonPath: string, docPath: string): void {
	let previous: Record<string, unknown> = {};
	try {
		previous = JSON.parse(readFileSync(jsonPath, "utf8")) as Record<string, unknown>;
	} catch {
		// No earlier run: the file holds the pages alone until a full run writes the rest.
	}
	writeFileSync(jsonPath, `${JSON.stringify({ ...previous, web_pages: pages }, null, "\t")}\n`);
	writeFileSync(docPath, splice(readDoc(docPath), PAGES_START, PAGES_END, pagesBlock(pages)));
}
