import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTopology, type Topology } from "../topology/topology.ts";

let topology: Topology;

beforeAll(async () => {
	topology = await startTopology({
		secrets: {
			JWT_SECRET: randomBytes(32).toString("hex"),
			TENANT_CONTEXT_SECRET: randomBytes(32).toString("hex"),
			PASSWORD_PEPPER: randomBytes(32).toString("hex"),
			ENCRYPTION_KEY: randomBytes(32).toString("base64"),
			STRIPE_SECRET_KEY: "sk_test_x",
			MAILERSEND_API_KEY: "mlsn.x",
		},
	});
});

afterAll(async () => {
	await topology?.dispose();
});

describe("local topology", () => {
	it("answers /healthz", async () => {
		const res = await fetch(new URL("/healthz", topology.url));
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ status: "ok" });
	});
	it("routes /api/v1/listings through the user Worker to D1", async () => {
		const res = await fetch(new URL("/api/v1/listings", topology.url));
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ items: [], next_cursor: null });
	});
});
