/**
 * `GET /api/v1/admin/metrics` through the whole edge, on rows seeded into D1's rollup tables, and
 * the edge's side of the metrics: the Analytics Engine points, the security events noted where
 * each refusal is decided, and the flush that carries both to `backoffice-jobs`.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { MetricsFlushJob } from "../../queues/metrics.ts";
import { bearer, signedIn } from "../../test/support/sessions.ts";
import { app } from "./app.ts";
import { flushNow } from "./metrics/observe.ts";

const worker = (exports as unknown as { default: Fetcher }).default;
const bindings = env as unknown as DispatchEnv;

const ip = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const M0 = T0 / 60_000;

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
	return worker.fetch(`https://techflunky.com${path}`, { headers: { "CF-Connecting-IP": ip(), ...headers } });
}

async function asAdmin(query: string): Promise<Response> {
	return get(`/api/v1/admin/metrics${query}`, bearer(await signedIn(bindings, "admin")));
}

const H = Array.from({ length: 16 }, (_, i) => `h${String(i).padStart(2, "0")}`);

async function seedCell(cell: {
	minute: number;
	tenant: string;
	route?: string;
	requests: number;
	errors?: number;
	limited?: number;
	buckets: Record<number, number>;
}) {
	const counts = H.map((_, i) => cell.buckets[i] ?? 0);
	await bindings.DB.prepare(
		`INSERT INTO metrics_minutes (minute, tenant_id, route, portal, requests, errors, limited, latency_sum_ms,
		   latency_max_ms, ${H.join(", ")}) VALUES (${new Array(25).fill("?").join(", ")})`,
	)
		.bind(
			cell.minute,
			cell.tenant,
			cell.route ?? "GET /api/v1/listings",
			"apex",
			cell.requests,
			cell.errors ?? 0,
			cell.limited ?? 0,
			0,
			0,
			...counts,
		)
		.run();
}

describe("GET /api/v1/admin/metrics", () => {
	it("refuses a guest with 401 and a seller with 403", async () => {
		expect((await get("/api/v1/admin/metrics")).status).toBe(401);
		const seller = await get("/api/v1/admin/metrics", bearer(await signedIn(bindings, "seller")));
		expect(seller.status).toBe(403);
		expect(seller.headers.get("Content-Type")).toBe("application/problem+json");
	});

	it.each([
		["from after to", "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"],
		["from equal to to", "?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"],
		["a window over 31 days", "?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:01Z"],
		["a from that is no timestamp", "?from=yesterday"],
		["a tenant that is no tenant id", "?tenant=nobody"],
		["an unknown parameter", "?tenants=seller_1"],
	])("answers 400 for %s", async (_label, query) => {
		const res = await asAdmin(query);
		expect(res.status).toBe(400);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	});

	it("reads counts, error rate, percentiles and security events from the rollup, overall, by tenant and over time", async () => {
		const busy = `seller_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
		const quiet = `buyer_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
		// busy: 100 requests in minute 0 (50 in [10, 25) ms, 45 in [100, 150), 5 in [1000, 2500)), 4 errors.
		await seedCell({ minute: M0, tenant: busy, requests: 90, errors: 4, buckets: { 2: 50, 6: 40 } });
		await seedCell({ minute: M0, tenant: busy, route: "page", requests: 10, buckets: { 6: 5, 13: 5 } });
		// quiet: 10 requests in minute 3, all in [50, 75) ms, 2 limited.
		await seedCell({ minute: M0 + 3, tenant: quiet, requests: 10, limited: 2, buckets: { 4: 10 } });
		await bindings.DB.batch([
			bindings.DB.prepare("INSERT INTO security_minutes (minute, tenant_id, kind, count) VALUES (?, ?, ?, ?)").bind(
				M0 + 1,
				quiet,
				"rate_limited",
				2,
			),
			bindings.DB.prepare("INSERT INTO security_minutes (minute, tenant_id, kind, count) VALUES (?, ?, ?, ?)").bind(
				M0 + 1,
				busy,
				"cross_tenant_denied",
				1,
			),
		]);
		const res = await asAdmin("?from=2026-01-01T00:00:00Z&to=2026-01-01T00:10:00Z");
		expect(res.status).toBe(200);
		const body = (await res.json()) as Record<string, unknown> & {
			overall: Record<string, unknown>;
			by_tenant: ({ tenant_id: string } & Record<string, unknown>)[];
			series: Record<string, unknown>[];
			tenant_series: { tenant_id: string; points: { t: string; requests: number }[] }[];
		};
		expect(body).toMatchObject({
			from: "2026-01-01T00:00:00.000Z",
			to: "2026-01-01T00:10:00.000Z",
			tenant: null,
			step_seconds: 60,
		});
		expect(body.overall).toMatchObject({ requests: 110, errors: 4, limited: 2 });
		expect(body.overall.error_rate).toBeCloseTo(4 / 110, 9);
		// 110 samples: 50 in [10,25), 10 in [50,75), 45 in [100,150), 5 in [1000,2500).
		expect(body.overall.p50_ms).toBe(62.5);
		expect(body.overall.p95_ms).toBe(149.4);
		expect(body.overall.p99_ms).toBe(2170);
		expect(body.overall.security_events).toMatchObject({ rate_limited: 2, cross_tenant_denied: 1, sign_in_failed: 0 });
		expect(body.by_tenant.map((row) => [row.tenant_id, row.requests])).toEqual([
			[busy, 100],
			[quiet, 10],
		]);
		expect(body.by_tenant[0]).toMatchObject({ p50_ms: 25, p95_ms: 150, p99_ms: 2200, error_rate: 0.04 });
		expect(body.by_tenant[1]).toMatchObject({ p50_ms: 62.5, security_events: { rate_limited: 2 } });
		expect(body.series).toHaveLength(10);
		expect(body.series.map((point) => point.requests)).toEqual([100, 0, 0, 10, 0, 0, 0, 0, 0, 0]);
		expect(body.series[1]).toMatchObject({ p50_ms: null, error_rate: 0 });
		expect(body.tenant_series.map((series) => series.tenant_id)).toEqual([busy, quiet]);
		expect(body.tenant_series[1]?.points[3]).toEqual({ t: "2026-01-01T00:03:00.000Z", requests: 10 });

		const one = await asAdmin(`?from=2026-01-01T00:00:00Z&to=2026-01-01T00:10:00Z&tenant=${quiet}`);
		const only = (await one.json()) as { tenant: string; overall: { requests: number }; by_tenant: unknown[] };
		expect(only).toMatchObject({ tenant: quiet, overall: { requests: 10 } });
		expect(only.by_tenant).toHaveLength(1);
	});

	it("defaults to the last hour", async () => {
		const before = Date.now();
		const res = await asAdmin("");
		expect(res.status).toBe(200);
		const body = (await res.json()) as { from: string; to: string; series: unknown[] };
		const to = Date.parse(body.to);
		expect(to).toBeGreaterThanOrEqual(before - 1000);
		expect(to - Date.parse(body.from)).toBe(3_600_000);
		expect(body.series.length).toBeGreaterThanOrEqual(60);
		expect(body.series.length).toBeLessThanOrEqual(61);
	});
});

describe("the edge's metrics", () => {
	it("writes the route template, portal and limit flag to Analytics Engine after the existing columns", async () => {
		const points = vi.spyOn(bindings.ANALYTICS, "writeDataPoint");
		const listing = `lst_${"a".repeat(32)}`;
		await worker.fetch(`https://seller.localhost/api/v1/listings/${listing}`, {
			headers: { "CF-Connecting-IP": ip() },
		});
		const point = points.mock.calls.map(([p]) => p).find((p) => p?.blobs?.[5] === "GET /api/v1/listings/{id}");
		expect(point?.indexes).toEqual(["anonymous"]);
		expect(point?.blobs?.[0]).toBe("GET");
		expect(point?.blobs?.[4]).toMatch(/^[0-9a-f-]{36}$/);
		expect(point?.blobs?.slice(5)).toEqual(["GET /api/v1/listings/{id}", "seller", "0"]);
		points.mockRestore();
	});

	it("notes security events where they are decided", async () => {
		const events = vi.spyOn(bindings.SECURITY_EVENTS, "writeDataPoint");
		const seller = await signedIn(bindings, "seller");
		const kindsOf = async (res: Promise<Response>) => {
			events.mockClear();
			await res;
			return events.mock.calls.map(([point]) => point?.blobs?.[0]);
		};
		expect(await kindsOf(get("/api/v1/me", { Authorization: "Bearer not.a.token" }))).toEqual(["token_rejected"]);
		expect(await kindsOf(get("/api/v1/admin/metrics", bearer(seller)))).toEqual(["cross_tenant_denied"]);
		expect(await kindsOf(get("/api/v1/me", { ...bearer(seller), "X-Tenant-ID": "seller_someoneelse" }))).toEqual([
			"cross_tenant_denied",
		]);
		// Refused before the request has a tenant, but counted against the caller's own.
		expect(events.mock.calls[0]?.[0]?.indexes).toEqual([seller.tenantId]);
		expect(
			await kindsOf(
				worker.fetch("https://buyer.localhost/api/v1/me", { headers: { "CF-Connecting-IP": ip(), ...bearer(seller) } }),
			),
		).toEqual(["cross_tenant_denied"]);
		expect(
			await kindsOf(
				worker.fetch("https://techflunky.com/api/v1/listings", {
					method: "POST",
					headers: {
						"CF-Connecting-IP": ip(),
						Cookie: `__Host-session=${seller.token}`,
						Origin: "https://evil.example",
					},
				}),
			),
		).toEqual(["csrf_rejected"]);
		expect(
			await kindsOf(
				worker.fetch("https://techflunky.com/api/v1/auth/login", {
					method: "POST",
					headers: { "CF-Connecting-IP": ip(), "Content-Type": "application/json" },
					body: JSON.stringify({ email: `nobody-${crypto.randomUUID()}@example.test`, password: "wrong password 123" }),
				}),
			),
		).toEqual(["sign_in_failed"]);
		expect(
			await kindsOf(
				worker.fetch("https://techflunky.com/webhooks/stripe", {
					method: "POST",
					headers: { "CF-Connecting-IP": ip(), "Content-Type": "application/json", "Stripe-Signature": "t=1,v1=00" },
					body: "{}",
				}),
			),
		).toEqual(["webhook_rejected"]);
		// A request nobody refused notes nothing.
		expect(await kindsOf(get("/healthz"))).toEqual([]);
		events.mockRestore();
	});

	it("notes a refused session as a rejected token, and every 429 as rate limited", async () => {
		const events = vi.spyOn(bindings.SECURITY_EVENTS, "writeDataPoint");
		const seller = await signedIn(bindings, "seller");
		await bindings.TenantObject.getByName(seller.tenantId).revokeSession(seller.sessionId, Date.now());
		expect((await get("/api/v1/me", bearer(seller))).status).toBe(401);
		expect(events.mock.calls.map(([point]) => point?.blobs?.[0])).toEqual(["token_rejected"]);

		events.mockClear();
		const address = ip();
		let status = 0;
		for (let i = 0; i < 40 && status !== 429; i++) {
			const res = await worker.fetch("https://techflunky.com/api/v1/auth/login", {
				method: "POST",
				headers: { "CF-Connecting-IP": address, "Content-Type": "application/json" },
				body: JSON.stringify({ email: `nobody-${i}@example.test`, password: "wrong password 123" }),
			});
			status = res.status;
		}
		expect(status).toBe(429);
		const kinds = events.mock.calls.map(([point]) => point?.blobs?.[0]);
		expect(kinds.at(-1)).toBe("rate_limited");
		expect(kinds.filter((kind) => kind === "rate_limited")).toHaveLength(1);
		events.mockRestore();
	});

	it("flushes the request and its security events as one metrics.flush job, after METRICS_FLUSH_MS, without writing D1", async () => {
		await flushNow(bindings);
		const sendBatch = vi.spyOn(bindings.BACKOFFICE_JOBS, "sendBatch");
		const ctx = createExecutionContext();
		const res = await app.fetch(
			new Request("https://buyer.localhost/api/v1/me", {
				headers: { "CF-Connecting-IP": ip(), Authorization: "Bearer forged.token.here" },
			}),
			{ ...bindings, METRICS_FLUSH_MS: "1" } as unknown as DispatchEnv,
			ctx,
		);
		expect(res.status).toBe(401);
		await waitOnExecutionContext(ctx);
		const jobs = sendBatch.mock.calls
			.flatMap(([messages]) => [...messages].map((message) => message.body as MetricsFlushJob))
			.filter((job) => job.kind === "metrics.flush");
		const rows = jobs
			.flatMap((job) => job.requests)
			.filter((row) => row.route === "GET /api/v1/me" && row.portal === "buyer");
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ tenant_id: "anonymous", requests: 1, errors: 0, limited: 0 });
		const security = jobs.flatMap((job) => job.security).filter((row) => row.kind === "token_rejected");
		expect(security.length).toBeGreaterThanOrEqual(1);
		const stored = await bindings.DB.prepare(
			"SELECT count(*) AS n FROM metrics_minutes WHERE route = 'GET /api/v1/me'",
		).first<{
			n: number;
		}>();
		expect(stored?.n).toBe(0);
		sendBatch.mockRestore();
	});
});
