import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessMatrix, type Caller, callers, type RouteRule, samplePath } from "../../shared/access/matrix.ts";
import { bearer, signedIn } from "../../test/support/sessions.ts";

const worker = (exports as unknown as { default: Fetcher }).default;
const bindings = env as unknown as DispatchEnv;

/** One request as `caller`, with a fresh session and client IP so no bucket or logout interferes. */
async function requestAs(caller: Caller, method: string, path: string): Promise<Response> {
	const headers = new Headers({ "CF-Connecting-IP": `203.0.113.${crypto.randomUUID()}` });
	if (caller !== "guest") {
		for (const [name, value] of Object.entries(bearer(await signedIn(bindings, caller)))) headers.set(name, value);
	}
	return worker.fetch(`https://techflunky.com${path}`, { method, headers });
}

const rows = accessMatrix.flatMap((rule: RouteRule) =>
	callers.map((caller) => ({
		caller,
		rule,
		label: `${rule.method} ${rule.path}`,
		allowed: rule.allow.includes(caller),
	})),
);

describe("the access table, enforced at the edge", () => {
	it.each(rows.filter((row) => row.allowed))("lets $caller through to $label", async ({ caller, rule }) => {
		const res = await requestAs(caller, rule.method, samplePath(rule));
		// Past the gate a handler may still refuse the (empty) request, but never as the gate does.
		expect([401, 403, 405], `${res.status} ${await res.clone().text()}`).not.toContain(res.status);
	});

	it.each(rows.filter((row) => !row.allowed))("refuses $caller on $label", async ({ caller, rule }) => {
		const res = await requestAs(caller, rule.method, samplePath(rule));
		expect(res.status).toBe(caller === "guest" ? 401 : 403);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	});

	it.each(callers)("answers %s on a route the table does not know with 404", async (caller) => {
		const res = await requestAs(caller, "GET", "/api/v1/secret-backdoor");
		expect(res.status).toBe(404);
	});

	it.each(callers)("answers %s with 405 and Allow on a method the route lacks", async (caller) => {
		const res = await requestAs(caller, "PUT", "/api/v1/me");
		expect(res.status).toBe(405);
		expect(res.headers.get("Allow")).toBe("GET, HEAD, DELETE");
	});
});
