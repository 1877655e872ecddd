/**
 * The benchmark's outputs: `bench/results.json` (everything measured, machine-readable), a
 * Markdown table for stdout, and the same table spliced into `docs/performance.md` between its
 * markers, so the prose around it is written by hand and only the numbers are regenerated.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { HttpLoadResult } from "./http-load.ts";
import type { QueueResult } from "./queue-consolidation.ts";
import type { WsRoomsResult } from "./ws-rooms.ts";

export interface Results {
	generated_at: string;
	command: "npm run bench";
	machine: { cores: number; cpu_model: string; node: string; workerd: string };
	harness: string;
	scenarios: {
		baseline_hello: Omit<HttpLoadResult, "duration_s">;
		healthz: Omit<HttpLoadResult, "duration_s"> & { ratio_to_baseline: number };
		ws_counter_latency: Omit<WsRoomsResult, "offerIds"> & { peak_rss_mb?: number };
		queue_consolidation: QueueResult;
	};
}

const START = "<!-- bench:results:start -->";
const END = "<!-- bench:results:end -->";

const cell = (value: number | boolean | undefined, unit = "") =>
	value === undefined ? "–" : `${typeof value === "number" ? value.toLocaleString("en-US") : String(value)}${unit}`;

export function table(results: Results): string {
	const { baseline_hello: base, healthz, ws_counter_latency: ws, queue_consolidation: queue } = results.scenarios;
	return [
		"| scenario | throughput | p50 | p95 | p99 | notes |",
		"|---|---|---|---|---|---|",
		`| baseline_hello (bare Worker, GET /) | ${cell(base.rps, " req/s")} | ${cell(base.p50_ms, " ms")} | ${cell(base.p95_ms, " ms")} | ${cell(base.p99_ms, " ms")} | ${cell(base.connections)} connections, ${cell(base.requests)} requests, ${cell(base.errors)} errors |`,
		`| healthz (dispatch Worker, GET /healthz) | ${cell(healthz.rps, " req/s")} | ${cell(healthz.p50_ms, " ms")} | ${cell(healthz.p95_ms, " ms")} | ${cell(healthz.p99_ms, " ms")} | ${cell(healthz.ratio_to_baseline)}× baseline rps, ${cell(healthz.errors)} errors |`,
		`| ws_counter_latency (counter → other party's state frame) | – | ${cell(ws.p50_ms, " ms")} | ${cell(ws.p95_ms, " ms")} | ${cell(ws.p99_ms, " ms")} | ${cell(ws.samples)} samples, ${cell(ws.rooms)} rooms concurrently, ${cell(ws.counters_per_s)} counters/s, ${cell(ws.errors)} errors${ws.peak_rss_mb === undefined ? "" : `, workerd peak RSS ${cell(ws.peak_rss_mb, " MB")}`} |`,
		`| queue_consolidation (offer-events → D1) | ${cell(queue.events_per_s, " events/s")} | – | – | – | ${cell(queue.events)} of ${cell(queue.expected)} events, ${cell(queue.lost)} lost, ${cell(queue.duplicated)} duplicated, ${cell(queue.deals_mismatched)} deals off |`,
	].join("\n");
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
	let doc: string;
	try {
		doc = readFileSync(docPath, "utf8");
	} catch {
		doc = "# Performance\n\n";
	}
	const from = doc.indexOf(START);
	const to = doc.indexOf(END);
	doc =
		from >= 0 && to > from
			? `${doc.slice(0, from)}${block}${doc.slice(to + END.length)}`
			: `${doc.trimEnd()}\n\n${block}\n`;
	writeFileSync(docPath, doc);
}
