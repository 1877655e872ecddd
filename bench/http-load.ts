/**
 * The HTTP load generator of the stateless scenarios: autocannon, closed loop, N keep-alive
 * connections with one request in flight on each. autocannon's own summary rounds latencies to
 * whole milliseconds and has no p95, so every response's time (its `response` event, in
 * fractional ms) is kept and summarised here; only 2xx count towards rates and latencies.
 *
 * Trade-off: it runs in the benchmark's own Node process, on the same cores as workerd, so the
 * generator's CPU is taken from the server under test. Against raw workerd it drives a hello
 * world as fast as `wrk -t2 -c50` does on this machine (≈ 20,000 req/s), so it is not what limits
 * the scenarios; comparisons made under the same harness (a route against the hello-world
 * baseline) are what the numbers are good for.
 */
import autocannon from "autocannon";
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
	if (options.warmupMs > 0) await phase(options, options.warmupMs);
	return phase(options, options.durationMs);
}

function phase(options: HttpLoadOptions, durationMs: number): Promise<HttpLoadResult> {
	const { headers } = options;
	const latencies: number[] = [];
	let refused = 0;
	return new Promise((resolve, reject) => {
		const instance = autocannon(
			{
				url: `${options.origin}${options.path}`,
				connections: options.connections,
				pipelining: 1,
				duration: durationMs / 1000,
				...(typeof headers === "function"
					? {
							requests: [
								{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...headers() } }) },
							],
						}
					: headers
						? { headers }
						: {}),
			},
			(error, result) => {
				if (error) return reject(error);
				const seconds = result.duration;
				resolve({
					rps: round(latencies.length / seconds, 0),
					...summarize(latencies),
					requests: latencies.length,
					errors: refused + result.errors,
					connections: options.connections,
					duration_s: round(seconds, 2),
				});
			},
		);
		instance.on("response", (_client, status, _bytes, milliseconds) => {
			if (status >= 200 && status < 300) latencies.push(milliseconds);
			else refused += 1;
		});
	});
}
