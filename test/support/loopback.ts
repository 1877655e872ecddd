/**
 * The transport the e2e tests, the bench and the soak share to reach the local topology, and the
 * typed client (shared/contract/client.ts) over it. Every request goes to 127.0.0.1 whatever
 * host its URL names (undici, with a lookup that resolves every name there), so a caller can
 * address the apex and the portals by name as a browser does; Node's global fetch would drop a
 * `Host` header. Each request poses as a client IP of its own (`CF-Connecting-IP`, which Miniflare
 * passes through as Cloudflare would set it) unless told otherwise, so per-IP buckets never couple
 * one caller to another.
 *
 * Plain TypeScript that Node 22 runs as it is (the bench and the soak load it without a build).
 */
import { Agent, fetch as undiciFetch } from "undici";
import { type ContractClient, createClient } from "../../shared/contract/client.ts";
import { freshIp } from "./fresh-ip.ts";

/** An undici agent whose every connection goes to 127.0.0.1, whatever the URL's host. */
export function loopbackAgent(): Agent {
	return new Agent({
		connect: {
			lookup: (_hostname, options, callback) => {
				if (options?.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
				else callback(null, "127.0.0.1", 4);
			},
		},
	});
}

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** A fetch over `agent` (read per request: the soak replaces its agent after a restart), optionally timed out. */
export function loopbackFetch(agent: () => Agent, timeoutMs?: number): Fetch {
	return (url, init) =>
		undiciFetch(url, {
			...(init as Parameters<typeof undiciFetch>[1]),
			dispatcher: agent(),
			...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
		}) as unknown as Promise<Response>;
}

export interface LoopbackClientOptions {
	/** Where requests go, e.g. `http://localhost:8787` or a portal's `http://seller.localhost:8787`. */
	origin: string;
	fetch: Fetch;
	/** The client IP of every request; a fresh one per request when absent. */
	ip?: string;
	/** Added to every request (a session cookie, an `Origin`, a fault marker). */
	headers?: Record<string, string>;
}

/** The typed client over the loopback transport. */
export function loopbackClient(options: LoopbackClientOptions): ContractClient {
	return createClient({
		baseUrl: options.origin,
		fetch: options.fetch,
		headers: () => ({ "CF-Connecting-IP": options.ip ?? freshIp(), ...options.headers }),
	});
}

/**
 * `result` narrowed to `status`, or an error naming what came instead: for setup steps, whose
 * failure is not what a test or a run is about.
 */
export function expectStatus<R extends { status: number; body: unknown }, const S extends R["status"]>(
	result: R,
	status: S,
	what = "the call",
): Extract<R, { status: S }> {
	if (result.status !== status) {
		throw new Error(`${what} answered ${result.status}, not ${status}: ${JSON.stringify(result.body)}`);
	}
	return result as Extract<R, { status: S }>;
}
