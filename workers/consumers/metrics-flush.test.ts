import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { MetricsFlushJob, RequestMetricsRow } from "../../queues/metrics.ts";
import { newId } from "../../shared/encoding.ts";
import consumers from "./index.ts";
import { METRICS_RETENTION_DAYS } from "./metrics-flush.ts";

const bindings = env as unknown as ConsumersEnv;
const worker = {
	queue: (batch: MessageBatch, ctx: ExecutionContext) =>
		(consumers.queue as ExportedHandlerQueueHandler<ConsumersEnv>)(batch, bindings, ctx),
};

const MINUTE = Math.floor(Date.now() / 60_000);

async function deliver(bodies: unknown[], attempts = 1) {
	const batch = createMessageBatch(
		"backoffice-jobs",
		bodies.map((body, i) => ({
			id: `msg-metrics-${Date.now()}-${i}-${Math.random()}`,
			timestamp: new Date(),
			attempts,
			body,
		})),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, ctx);
	return { batch, result: await getQueueResult(batch, ctx) };
}

function row(tenant: string, overrides: Partial<RequestMetricsRow> = {}): RequestMetricsRow {
	const h = new Array(16).fill(0);
	h[3] = 2;
	return {
		minute: MINUTE,
		tenant_id: tenant,
		route: "GET /api/v1/listings/{id}",
		portal: "apex",
		requests: 2,
		errors: 1,
		limited: 0,
		latency_sum_ms: 60,
		latency_max_ms: 40,
		h,
		...overrides,
	};
}

function flushJob(tenant: string, overrides: Partial<MetricsFlushJob> = {}): MetricsFlushJob {
	return {
		id: newId("evt"),
		kind: "metrics.flush",
		occurred_at: new Date().toISOString(),
		requests: [row(tenant)],
		security: [{ minute: MINUTE, tenant_id: tenant, kind: "sign_in_failed", count: 3 }],
		...overrides,
	};
}

const tenant = () => `seller_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;

async function minutes(tenantId: string) {
	const { results } = await bindings.DB.prepare("SELECT * FROM metrics_minutes WHERE tenant_id = ?")
		.bind(tenantId)
		.all();
	return results;
}

async function securityCount(tenantId: string): Promise<number | undefined> {
	const found = await bindings.DB.prepare(
		"SELECT count FROM security_minutes WHERE tenant_id = ? AND kind = 'sign_in_failed'",
	)
		.bind(tenantId)
		.first<{ count: number }>();
	return found?.count;
}

describe("metrics.flush on backoffice-jobs", () => {
	it("records a flush job once when it is delivered twice", async () => {
		const id = tenant();
		const job = flushJob(id);
		const first = await deliver([job]);
		expect(first.result.explicitAcks).toEqual([first.batch.messages[0]?.id]);
		const again = await deliver([job, job], 2);
		expect(again.result.explicitAcks).toHaveLength(2);
		expect(again.result.retryMessages).toEqual([]);
		const rows = await minutes(id);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ requests: 2, errors: 1, latency_sum_ms: 60, h03: 2 });
		expect(await securityCount(id)).toBe(3);
	});

	it("adds the counts of two different jobs for the same cell, keeping the larger maximum", async () => {
		const id = tenant();
		const h = new Array(16).fill(0);
		h[15] = 1;
		await deliver([flushJob(id)]);
		await deliver([
			flushJob(id, {
				requests: [row(id, { requests: 1, errors: 0, limited: 1, latency_sum_ms: 7000, latency_max_ms: 7000, h })],
			}),
		]);
		const [cell] = await minutes(id);
		expect(cell).toMatchObject({
			requests: 3,
			errors: 1,
			limited: 1,
			latency_sum_ms: 7060,
			latency_max_ms: 7000,
			h03: 2,
			h15: 1,
		});
		expect(await securityCount(id)).toBe(6);
	});

	it("keeps cells of other minutes, routes and portals apart", async () => {
		const id = tenant();
		await deliver([
			flushJob(id, {
				requests: [row(id), row(id, { minute: MINUTE - 1 }), row(id, { route: "page" }), row(id, { portal: "seller" })],
			}),
		]);
		expect(await minutes(id)).toHaveLength(4);
	});

	it("prunes cells older than the retention while recording", async () => {
		const id = tenant();
		const old = MINUTE - METRICS_RETENTION_DAYS * 24 * 60 - 5;
		await deliver([flushJob(id, { requests: [row(id, { minute: old })], security: [] })]);
		// The flush that wrote it already pruned it: the row is older than 35 days.
		expect(await minutes(id)).toHaveLength(0);
		await deliver([flushJob(id)]);
		expect((await minutes(id)).map((cell) => cell.minute)).toEqual([MINUTE]);
	});

	it("refuses a job older than the claimed ids are kept (a late replay), so it is never counted twice", async () => {
		const id = tenant();
		const occurred_at = new Date(Date.now() - (METRICS_RETENTION_DAYS + 2) * 86_400_000).toISOString();
		const late = await deliver([flushJob(id, { occurred_at })]);
		expect(late.result.explicitAcks).toHaveLength(1);
		expect(await minutes(id)).toHaveLength(0);
	});

	it("dead-letters a job over the row cap instead of recording part of it", async () => {
		const id = tenant();
		const job = flushJob(id, { requests: Array.from({ length: 201 }, (_, i) => row(id, { minute: MINUTE - i })) });
		const { result } = await deliver([job]);
		expect(result.explicitAcks).toHaveLength(1);
		expect(await minutes(id)).toHaveLength(0);
	});
});
