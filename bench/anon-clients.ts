/**
 * What a new anonymous client costs against a returning one (issue 11): the same anonymous
 * `GET /api/v1/listings/:id` on the same topology, in one run,
 *
 * - `anon_new_client`: every request from an address never seen before, in a /24 of its own
 *   (so it makes a new client bucket and a new network bucket);
 * - `anon_returning_clients`: the same load from 50 addresses, round robin.
 *
 * `new_to_returning` is the returning scenario's throughput ÷ the new one's: how many returning
 * requests one new one costs. The target is ≤ 1.5. The topology runs with the anonymous limit
 * raised (`ANONYMOUS_RATE_LIMIT`, see bench/run.ts), or 50 returning clients would be measuring
 * 429s after their burst of 20; the buckets are spent and checked all the same.
 */
import type { Topology } from "../test/topology/topology.ts";
import { type Account, type ApiClient, freshIp } from "./api-client.ts";
import { type HttpLoadResult, httpLoad } from "./http-load.ts";
import { round } from "./stats.ts";

type LoadResult = Omit<HttpLoadResult, "duration_s">;

export interface AnonClientsResult {
	anon_new_client: LoadResult;
	anon_returning_clients: LoadResult & { clients: number };
	/** `anon_returning_clients.rps` ÷ `anon_new_client.rps`. */
	new_to_returning: number;
	/** The same, of p50 latencies (new ÷ returning). */
	p50_new_to_returning: number;
}

export async function anonClients(
	client: ApiClient,
	topology: Topology,
	window: { connections: number; durationMs: number; warmupMs: number },
	returningClients = 50,
): Promise<AnonClientsResult> {
	const seller: Account = await client.register("seller");
	const listingId = await client.createListing(seller);
	const host = `localhost:${topology.url.port}`;
	const path = `/api/v1/listings/${listingId}`;
	const { duration_s: _n, ...fresh } = await httpLoad({
		origin: topology.url.origin,
		path,
		headers: () => ({ host, "cf-connecting-ip": freshIp() }),
		...window,
	});
	const returning = Array.from({ length: returningClients }, () => freshIp());
	let next = 0;
	const { duration_s: _r, ...again } = await httpLoad({
		origin: topology.url.origin,
		path,
		headers: () => {
			next = (next + 1) % returning.length;
			return { host, "cf-connecting-ip": returning[next] ?? "" };
		},
		...window,
	});
	return {
		anon_new_client: fresh,
		anon_returning_clients: { ...again, clients: returningClients },
		new_to_returning: round(again.rps / fresh.rps, 3),
		p50_new_to_returning: round(fresh.p50_ms / again.p50_ms, 3),
	};
}
