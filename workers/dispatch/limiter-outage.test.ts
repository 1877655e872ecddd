/**
 * What the edge does when the limiters (the TenantObject and the EdgeLimiter shards) cannot be
 * reached: the app runs with every binding real except those two namespaces, whose calls fail, as
 * during an outage.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { issueToken } from "../../shared/auth/jwt.ts";
import { newId } from "../../shared/encoding.ts";
import { app } from "./app.ts";

const bindings = env as unknown as DispatchEnv;

const unreachable = {
	getByName: () =>
		new Proxy(
			{},
			{
				get: () => () => Promise.reject(new Error("Durable Object reset because its code was updated")),
			},
		),
} as unknown as DispatchEnv["TenantObject"] & DispatchEnv["EdgeLimiter"];

async function duringOutage(path: string, init: RequestInit = {}): Promise<Response> {
	vi.spyOn(console, "error").mockImplementation(() => {});
	vi.spyOn(console, "warn").mockImplementation(() => {});
	const ctx = createExecutionContext();
	const headers = new Headers(init.headers);
	headers.set("CF-Connecting-IP", `203.0.113.${crypto.randomUUID()}`);
	const res = await app.fetch(
		new Request(`https://techflunky.com${path}`, { ...init, headers }),
		{ ...bindings, TenantObject: unreachable, EdgeLimiter: unreachable },
		ctx,
	);
	await waitOnExecutionContext(ctx);
	return res;
}

const credentials = JSON.stringify({ email: "someone@example.test", password: "long enough password" });

describe("when the limiter is unreachable", () => {
	it("still serves anonymous reads (fail open)", async () => {
		const res = await duringOutage("/api/v1/listings?limit=1");
		expect(res.status).toBe(200);
	});

	it("refuses signed-in requests with 503, since the session cannot be checked", async () => {
		const subject = { userId: newId("usr"), tenantId: newId("buyer"), role: "buyer" as const, sessionId: newId("ses") };
		const { token } = await issueToken(subject, bindings.JWT_SECRET, Date.now());
		const res = await duringOutage("/api/v1/listings?limit=1", { headers: { Authorization: `Bearer ${token}` } });
		expect(res.status).toBe(503);
	});

	it.each(["/api/v1/auth/login", "/api/v1/auth/register"])("refuses %s with 503 (fail closed)", async (path) => {
		const res = await duringOutage(path, {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: credentials,
		});
		expect(res.status).toBe(503);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	});
});
