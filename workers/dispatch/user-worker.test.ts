import { describe, expect, it } from "vitest";
import { HttpProblem } from "../../shared/http/problem.ts";
import { HEADER, verifyTenantContext } from "../../shared/tenant-context.ts";
import { toUserWorkerRequest, userWorkerGateway } from "./user-worker.ts";

const SECRET = "s".repeat(64);

function namespace(get: DispatchNamespace["get"]): DispatchEnv {
	return { DISPATCHER: { get } as DispatchNamespace } as DispatchEnv;
}

/** A namespace whose script throws `message` when called, as the platform does. */
function failingNamespace(message: string): DispatchEnv {
	return namespace(
		() =>
			({
				fetch: async () => {
					throw new Error(message);
				},
			}) as unknown as Fetcher,
	);
}

async function problemOf(promise: Promise<unknown>) {
	const error = await promise.then(
		() => null,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(HttpProblem);
	return (error as HttpProblem).problem.reason;
}

describe("user Worker gateway", () => {
	it("uses the dispatch namespace when it is bound, with per-tenant limits", async () => {
		const calls: unknown[][] = [];
		const gateway = userWorkerGateway(
			namespace((...args) => {
				calls.push(args);
				return { fetch: async () => new Response("from namespace") } as unknown as Fetcher;
			}),
		);
		const res = await gateway.fetch(new Request("https://x/api/v1/listings"), "techflunky-user-worker");
		expect(await res.text()).toBe("from namespace");
		expect(calls[0]?.[0]).toBe("techflunky-user-worker");
		expect(calls[0]?.[2]).toMatchObject({ limits: { cpuMs: expect.any(Number), subRequests: expect.any(Number) } });
	});

	it("answers 404 when the tenant's script is missing from the namespace", async () => {
		const gateway = userWorkerGateway(failingNamespace("Worker not found."));
		expect(await problemOf(gateway.fetch(new Request("https://x/"), "gone"))).toBe("not_found");
	});

	it("answers 502 when the user Worker fails", async () => {
		const gateway = userWorkerGateway(failingNamespace("exceeded CPU"));
		expect(await problemOf(gateway.fetch(new Request("https://x/"), "s"))).toBe("bad_gateway");
	});

	it("falls back to the service binding locally", async () => {
		const gateway = userWorkerGateway({
			USER_WORKER: { fetch: async () => new Response("from service") } as unknown as Fetcher,
		} as DispatchEnv);
		expect(await (await gateway.fetch(new Request("https://x/"), "s")).text()).toBe("from service");
	});

	it("signs the context and drops the caller's credentials", async () => {
		const original = new Request("https://techflunky.com/api/v1/listings?q=1", {
			method: "POST",
			headers: { Authorization: "Bearer t", Cookie: "__Host-session=s", "Content-Type": "application/json" },
			body: "{}",
		});
		const context = {
			request_id: "r1",
			tenant_id: null,
			user_id: null,
			role: "guest" as const,
			client_ip: "198.51.100.7",
			actor_tenant_id: null,
			issued_at: Date.now(),
		};
		const forwarded = await toUserWorkerRequest(original, context, SECRET);
		expect(forwarded.headers.get("Authorization")).toBeNull();
		expect(forwarded.headers.get("Cookie")).toBeNull();
		expect(forwarded.method).toBe("POST");
		expect(forwarded.url).toBe(original.url);
		expect(await forwarded.text()).toBe("{}");
		expect(await verifyTenantContext(forwarded.headers.get(HEADER), SECRET, Date.now())).toEqual(context);
	});
});
