/**
 * Request metrics end to end: requests through the dispatch Worker are counted in its isolate,
 * flushed as `metrics.flush` jobs through `backoffice-jobs` (after `METRICS_FLUSH_MS`, short
 * here), added to D1 by the consumers Worker, and read back by an admin from
 * `GET /api/v1/admin/metrics`, security events included.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import { type E2eClient, freshIp, type SignedInAdmin, topologyForFile, uniqueEmail, waitFor } from "./client.ts";

// Every Worker's bindings take these; the dispatch Worker reads METRICS_FLUSH_MS.
const secrets = { ...testSecrets(), METRICS_FLUSH_MS: "200" };

let topology: Topology;
let client: E2eClient;
let admin: SignedInAdmin;

topologyForFile({ secrets, admin: "metrics" }, (file) => ({ topology, client, admin } = file));

const since = new Date(Date.now() - 60_000).toISOString();

async function metrics() {
	const res = await client.api.call(contract.getAdminMetrics, { query: { from: since }, token: admin.token });
	expect(res.status).toBe(200);
	if (res.status !== 200) throw new Error(`metrics answered ${res.status}`);
	return res.body;
}

describe("request metrics through the topology", () => {
	beforeAll(async () => {
		for (let i = 0; i < 5; i++) expect((await client.call("/healthz")).status).toBe(200);
		const wrong = await client.login({ email: uniqueEmail("nobody"), password: "not the password 123" });
		expect(wrong.status).toBe(401);
		const forged = await client.call("/api/v1/me", { token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged" });
		expect(forged.status).toBe(401);
		// A flood from one address until the anonymous bucket refuses.
		const ip = freshIp();
		let status = 0;
		for (let i = 0; i < 60 && status !== 429; i++) status = (await client.call("/api/v1/listings", { ip })).status;
		expect(status).toBe(429);
	});

	it("shows the requests, their latency and the security events to an admin within seconds", async () => {
		const seen = await waitFor(async () => {
			const body = await metrics();
			const events = body.overall.security_events;
			const ready = events.sign_in_failed >= 1 && events.token_rejected >= 1 && events.rate_limited >= 1;
			return ready && body.overall.limited >= 1 ? body : undefined;
		}, 30_000);
		expect(seen.overall.requests).toBeGreaterThanOrEqual(9);
		expect(seen.overall.p50_ms).not.toBeNull();
		expect(seen.overall.p99_ms).toBeGreaterThanOrEqual(seen.overall.p50_ms ?? 0);
		const anonymous = seen.by_tenant.find((row) => row.tenant_id === "anonymous");
		expect(anonymous?.security_events.sign_in_failed).toBeGreaterThanOrEqual(1);
		expect(seen.series.reduce((sum, point) => sum + point.requests, 0)).toBe(seen.overall.requests);
	});

	it("keeps each route by its contract template and portal in D1", async () => {
		const db = await topology.db();
		const row = await waitFor(
			() =>
				db
					.prepare("SELECT SUM(requests) AS n FROM metrics_minutes WHERE route = 'GET /healthz' AND portal = 'apex'")
					.first<{ n: number | null }>()
					.then((found) => ((found?.n ?? 0) >= 5 ? found : undefined)),
			30_000,
		);
		expect(row?.n).toBeGreaterThanOrEqual(5);
	});

	it("reads one tenant's figures alone", async () => {
		const body = await metrics();
		const res = await client.api.call(contract.getAdminMetrics, {
			query: { from: since, tenant: "anonymous" },
			token: admin.token,
		});
		expect(res.status).toBe(200);
		if (res.status !== 200) return;
		expect(res.body.tenant).toBe("anonymous");
		expect(res.body.by_tenant.map((row) => row.tenant_id)).toEqual(["anonymous"]);
		expect(res.body.overall.requests).toBeLessThanOrEqual(body.overall.requests);
	});
});
