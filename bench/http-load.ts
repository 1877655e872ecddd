/**
 * A closed-loop HTTP load generator: N keep-alive connections (an undici `Pool`), one request in
 * flight on each, every request timed with `performance.now()`. It stands in for autocannon,
 * which the project does not install.
 *
 * Trade-off: it runs in the benchmark's own Node process, on the same cores as workerd, so the
 * generator's CPU is taken from the server under test, and its event loop adds to every
 * latency. Absolute numbers understate what the Worker does alone; comparisons made under the
 * same harness (a route against the hello-world baseline) are what it is good for.
 */
import { Pool } from "undici";
import { round, summarize } from "./stats.ts";

export interface HttpLoadOptions {
	/** Origin, e.g. `http://127.0.0.1:8787`. */
	origin: string;
	path: string;
	connections: number;
	durationMs: number;
	/** Load before the measured window, discarded: connection setup, JIT, Durable Object start-up. */
	warmupMs: number;
	/** Sent with every request; a function is called per request (e.g. a fresh client IP each time). */
	headers?: Record<string, string> | (() => Record<string, string>);
}

export interface HttpLoadResult {
	rps: number;
	p50_ms: number;
	p95_ms: number;
	p99_ms: number;
	requests: number;
	/** Responses that were not 2xx, plus requests that failed outright; they count in neither rps nor latency. */
	errors: number;
	connections: number;
	duration_s: number;
}

export async function httpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
	const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1 });
	try {
		await phase(pool, options, options.warmupMs);
		return await phase(pool, options, options.durationMs);
	} finally {
		await pool.close();
	}
}

async function phase(pool: Pool, options: HttpLoadOptions, durationMs: number): Promise<HttpLoadResult> {
	const latencies: number[] = [];
	let errors = 0;
	const started = performance.now();
	const deadline = started + durationMs;
	const loop = async () => {
		while (performance.now() < deadline) {
			const sent = performance.now();
			try {
				const res = await pool.request({
					path: options.path,
					method: "GET",
					...(options.headers
						? { headers: typeof options.headers === "function" ? options.headers() : options.headers }
						: {}),
				});
				await res.body.dump();
				if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(performance.now() - sent);
				else errors += 1;
			} catch {
				errors += 1;
			}
		}
	};
	await Promise.all(Array.from({ length: options.connections }, loop));
	const seconds = (performance.now() - started) / 1000;
	return {
		rps: round(latencies.length / seconds, 0),
		...summarize(latencies),
		requests: latencies.length,
		errors,
		connections: options.connections,
		duration_s: round(seconds, 2),
	};
}
