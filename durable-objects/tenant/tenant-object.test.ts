import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TenantObject } from "./tenant-object.ts";

const namespace = (env as unknown as { TenantObject: DurableObjectNamespace<TenantObject> }).TenantObject;
const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);

describe("TenantObject", () => {
	it("counts requests per UTC day", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		expect(await stub.recordRequests(day("2026-11-01"))).toEqual({ day: "2026-11-01", requests: 1 });
		expect(await stub.recordRequests(day("2026-11-01"), 4)).toEqual({ day: "2026-11-01", requests: 5 });
		expect(await stub.recordRequests(day("2026-11-02"))).toEqual({ day: "2026-11-02", requests: 1 });
		expect(await stub.usage(day("2026-11-02"), 7)).toEqual([
			{ day: "2026-11-02", requests: 1 },
			{ day: "2026-11-01", requests: 5 },
		]);
	});

	it("limits usage to the requested window", async () => {
		const stub = namespace.getByName(`buyer_${crypto.randomUUID()}`);
		await stub.recordRequests(day("2026-10-01"));
		await stub.recordRequests(day("2026-11-20"));
		expect(await stub.usage(day("2026-11-20"), 30)).toEqual([{ day: "2026-11-20", requests: 1 }]);
	});

	it("keeps its counters across eviction", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		await stub.recordRequests(day("2026-11-03"), 7);
		await evictDurableObject(stub);
		expect(await stub.recordRequests(day("2026-11-03"))).toEqual({ day: "2026-11-03", requests: 8 });
	});

	it("records its applied schema migrations", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		const versions = await runInDurableObject(stub, (_instance, state) =>
			state.storage.sql.exec<{ version: number }>("SELECT version FROM _migrations ORDER BY version").toArray(),
		);
		expect(versions.map((row) => row.version)).toEqual([1]);
	});
});
