import { describe, expect, it } from "vitest";
import { type MetricsFlushJob, metricsFlushJobSchema } from "../../../queues/metrics.ts";
import { flushIntervalMs, MetricsFlusher, sendGroups } from "./flush.ts";
import { MetricsRollup, type RequestSample, toFlushJobs } from "./rollup.ts";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

let ids = 0;
const jobId = () => `evt_${(++ids).toString(16).padStart(32, "0")}`;

const sample = (overrides: Partial<RequestSample> = {}): RequestSample => ({
	at: T0,
	tenantId: "seller_1",
	route: "GET /api/v1/listings/{id}",
	portal: "apex",
	status: 200,
	latencyMs: 20,
	...overrides,
});

describe("MetricsRollup", () => {
	it("adds requests of the same minute, tenant, route and portal into one cell", () => {
		const rollup = new MetricsRollup();
		rollup.recordRequest(sample({ latencyMs: 20 }));
		rollup.recordRequest(sample({ at: T0 + 59_999, status: 503, latencyMs: 80 }));
		rollup.recordRequest(sample({ status: 429, latencyMs: 2 }));
		expect(rollup.size).toBe(1);
		const [row] = rollup.drain().requests;
		expect(row).toMatchObject({
			minute: T0 / MINUTE,
			tenant_id: "seller_1",
			route: "GET /api/v1/listings/{id}",
			portal: "apex",
			requests: 3,
			errors: 1,
			limited: 1,
			latency_sum_ms: 102,
			latency_max_ms: 80,
		});
		expect(row?.h.reduce((a, b) => a + b, 0)).toBe(3);
	});

	it("keeps separate cells per minute, tenant, route and portal", () => {
		const rollup = new MetricsRollup();
		rollup.recordRequest(sample());
		rollup.recordRequest(sample({ at: T0 + MINUTE }));
		rollup.recordRequest(sample({ tenantId: "anonymous" }));
		rollup.recordRequest(sample({ route: "page" }));
		rollup.recordRequest(sample({ portal: "seller" }));
		expect(rollup.size).toBe(5);
		expect(rollup.drain().requests.every((row) => row.requests === 1)).toBe(true);
	});

	it("counts security events per minute, tenant and kind", () => {
		const rollup = new MetricsRollup();
		rollup.recordSecurity({ at: T0, tenantId: "anonymous", kind: "sign_in_failed" });
		rollup.recordSecurity({ at: T0 + 1000, tenantId: "anonymous", kind: "sign_in_failed" });
		rollup.recordSecurity({ at: T0, tenantId: "anonymous", kind: "rate_limited" });
		expect(rollup.drain().security).toEqual([
			{ minute: T0 / MINUTE, tenant_id: "anonymous", kind: "sign_in_failed", count: 2 },
			{ minute: T0 / MINUTE, tenant_id: "anonymous", kind: "rate_limited", count: 1 },
		]);
	});

	it("is empty after a drain", () => {
		const rollup = new MetricsRollup();
		rollup.recordRequest(sample());
		rollup.recordSecurity({ at: T0, tenantId: "seller_1", kind: "token_rejected" });
		rollup.drain();
		expect(rollup.size).toBe(0);
		expect(rollup.drain()).toEqual({ requests: [], security: [] });
	});
});

describe("toFlushJobs", () => {
	it("splits rows into jobs of at most the cap, each a valid job with its own id", () => {
		const rollup = new MetricsRollup();
		for (let i = 0; i < 450; i++) rollup.recordRequest(sample({ tenantId: `seller_${i}` }));
		for (let i = 0; i < 30; i++) rollup.recordSecurity({ at: T0, tenantId: `buyer_${i}`, kind: "csrf_rejected" });
		const jobs = toFlushJobs(rollup.drain(), jobId, new Date(T0));
		expect(jobs.map((job) => job.requests.length + job.security.length)).toEqual([200, 200, 80]);
		expect(new Set(jobs.map((job) => job.id)).size).toBe(3);
		for (const job of jobs) expect(metricsFlushJobSchema.safeParse(job).success).toBe(true);
		expect(jobs.flatMap((job) => job.requests)).toHaveLength(450);
		expect(jobs.flatMap((job) => job.security)).toHaveLength(30);
	});

	it("keeps a full job well under the queue's 128 KB message limit", () => {
		const rollup = new MetricsRollup();
		for (let i = 0; i < 200; i++) {
			rollup.recordRequest(
				sample({
					tenantId: `seller_${"z".repeat(30)}${i}`,
					route: "POST /api/v1/access-requests/{id}/revoke",
					portal: "storefront",
					latencyMs: 123.456789012345,
				}),
			);
		}
		const [job] = toFlushJobs(rollup.drain(), jobId, new Date(T0));
		expect(new TextEncoder().encode(JSON.stringify(job)).length).toBeLessThan(96 * 1024);
	});

	it("makes no job of an empty rollup", () => {
		expect(toFlushJobs({ requests: [], security: [] }, jobId, new Date(T0))).toEqual([]);
	});
});

describe("MetricsFlusher", () => {
	it("schedules one flush for a run of requests, and another once that flush has started", async () => {
		const flusher = new MetricsFlusher();
		expect(flusher.claimSchedule()).toBe(false);
		flusher.rollup.recordRequest(sample());
		expect(flusher.claimSchedule()).toBe(true);
		flusher.rollup.recordRequest(sample());
		expect(flusher.claimSchedule()).toBe(false);
		await flusher.flush(async () => {}, new Date(T0), jobId);
		expect(flusher.claimSchedule()).toBe(false);
		flusher.rollup.recordRequest(sample());
		expect(flusher.claimSchedule()).toBe(true);
	});

	it("sends every cell once and is empty afterwards", async () => {
		const flusher = new MetricsFlusher();
		const sent: MetricsFlushJob[] = [];
		flusher.rollup.recordRequest(sample());
		flusher.rollup.recordSecurity({ at: T0, tenantId: "seller_1", kind: "cross_tenant_denied" });
		const outcome = await flusher.flush(async (jobs) => void sent.push(...jobs), new Date(T0), jobId);
		expect(outcome).toEqual({ sent: 1, kept: 0, dropped: 0 });
		expect(sent[0]?.requests).toHaveLength(1);
		expect(sent[0]?.security).toHaveLength(1);
		await flusher.flush(async (jobs) => void sent.push(...jobs), new Date(T0), jobId);
		expect(sent).toHaveLength(1);
	});

	it("keeps a job whose send failed and sends it again, same id and rows, before newer ones", async () => {
		const flusher = new MetricsFlusher();
		flusher.rollup.recordRequest(sample());
		const failed = await flusher.flush(
			async () => {
				throw new Error("queue unavailable");
			},
			new Date(T0),
			jobId,
		);
		expect(failed).toEqual({ sent: 0, kept: 1, dropped: 0 });
		const kept = flusher.unsent[0];
		expect(flusher.claimSchedule()).toBe(true);

		flusher.rollup.recordRequest(sample({ at: T0 + MINUTE }));
		const sent: MetricsFlushJob[] = [];
		const outcome = await flusher.flush(async (jobs) => void sent.push(...jobs), new Date(T0 + MINUTE), jobId);
		expect(outcome).toEqual({ sent: 2, kept: 0, dropped: 0 });
		expect(sent[0]).toEqual(kept);
		expect(sent[1]?.id).not.toBe(kept?.id);
		expect(sent[1]?.requests[0]?.minute).toBe(T0 / MINUTE + 1);
		expect(flusher.unsent).toEqual([]);
	});

	it("keeps the groups after the one that failed, but not those already sent", async () => {
		const flusher = new MetricsFlusher({ rowsPerJob: 1, maxUnsentJobs: 10_000 });
		for (let i = 0; i < 2000; i++) flusher.rollup.recordRequest(sample({ tenantId: `seller_${i}` }));
		let calls = 0;
		const delivered: string[] = [];
		const outcome = await flusher.flush(
			async (jobs) => {
				calls += 1;
				if (calls === 2) throw new Error("queue unavailable");
				delivered.push(...jobs.map((job) => job.id));
			},
			new Date(T0),
			jobId,
		);
		expect(outcome.sent).toBe(delivered.length);
		expect(outcome.sent).toBeGreaterThan(0);
		expect(outcome.sent + outcome.kept).toBe(2000);
		expect(outcome.dropped).toBe(0);
		expect(flusher.unsent.some((job) => delivered.includes(job.id))).toBe(false);
	});

	it("drops the oldest kept jobs, with a count, beyond its cap", async () => {
		const flusher = new MetricsFlusher({ maxUnsentJobs: 2 });
		const refuse = async () => {
			throw new Error("queue unavailable");
		};
		for (let minute = 0; minute < 3; minute++) {
			flusher.rollup.recordRequest(sample({ at: T0 + minute * MINUTE }));
			await flusher.flush(refuse, new Date(T0), jobId);
		}
		expect(flusher.unsent.map((job) => job.requests[0]?.minute)).toEqual([T0 / MINUTE + 1, T0 / MINUTE + 2]);
	});

	it("says when it holds more cells than its cap", () => {
		const flusher = new MetricsFlusher({ maxCells: 3 });
		flusher.rollup.recordRequest(sample({ tenantId: "seller_1" }));
		flusher.rollup.recordRequest(sample({ tenantId: "seller_2" }));
		expect(flusher.overCap).toBe(false);
		flusher.rollup.recordSecurity({ at: T0, tenantId: "seller_1", kind: "token_rejected" });
		expect(flusher.overCap).toBe(true);
	});
});

describe("sendGroups", () => {
	it("groups at most 100 jobs and about 192 KB per send", () => {
		const small = toFlushJobs(
			{
				requests: [],
				security: Array.from({ length: 250 }, (_, i) => ({
					minute: 1,
					tenant_id: `seller_${i}`,
					kind: "rate_limited" as const,
					count: 1,
				})),
			},
			jobId,
			new Date(T0),
			1,
		);
		expect(sendGroups(small).map((group) => group.length)).toEqual([100, 100, 50]);
		const rollup = new MetricsRollup();
		for (let i = 0; i < 1000; i++) rollup.recordRequest(sample({ tenantId: `seller_${i}` }));
		const big = toFlushJobs(rollup.drain(), jobId, new Date(T0));
		for (const group of sendGroups(big)) {
			expect(group.reduce((bytes, job) => bytes + JSON.stringify(job).length, 0)).toBeLessThanOrEqual(192 * 1024);
		}
		expect(sendGroups(big).flat()).toHaveLength(big.length);
	});
});

describe("flushIntervalMs", () => {
	it("reads METRICS_FLUSH_MS, and falls back to 5 s for anything but a whole number of ms up to a minute", () => {
		expect(flushIntervalMs("250")).toBe(250);
		expect(flushIntervalMs(undefined)).toBe(5000);
		expect(flushIntervalMs("")).toBe(5000);
		expect(flushIntervalMs("0")).toBe(5000);
		expect(flushIntervalMs("1.5")).toBe(5000);
		expect(flushIntervalMs("600000")).toBe(5000);
	});
});
