import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { routeTable } from "../../shared/contract/table.ts";

const worker = (exports as unknown as { default: Fetcher }).default;
const get = (path: string, headers: Record<string, string> = {}) =>
	worker.fetch(`https://techflunky.com${path}`, {
		headers: { "CF-Connecting-IP": `203.0.113.${crypto.randomUUID()}`, ...headers },
	});

describe("GET /api/v1/openapi.json", () => {
	it("serves the OpenAPI 3.1 document of every route, for the host it was asked on", async () => {
		const res = await get("/api/v1/openapi.json");
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
		expect(res.headers.get("RateLimit-Policy")).toBe('"anonymous";q=100;w=3600');
		const document = (await res.json()) as {
			openapi: string;
			paths: Record<string, object>;
			servers: { url: string }[];
		};
		expect(document.openapi).toBe("3.1.0");
		expect(document.servers).toEqual([{ url: "https://techflunky.com" }]);
		expect(Object.keys(document.paths).sort()).toEqual([...new Set(routeTable.map((route) => route.path))].sort());
	});
});

describe("GET /api/v1/reference", () => {
	it("serves the interactive reference with a script allowed by a nonce of its own", async () => {
		const res = await get("/api/v1/reference");
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
		const html = await res.text();
		const nonce = /<script[^>]* nonce="([0-9a-f]{32})"/.exec(html)?.[1];
		expect(nonce).toBeDefined();
		const csp = res.headers.get("Content-Security-Policy") ?? "";
		expect(csp).toContain(`script-src 'nonce-${nonce}' https://cdn.jsdelivr.net`);
		expect(csp).toContain("frame-ancestors 'none'");
		expect(html).toContain("/api/v1/openapi.json");
		// Another request, another nonce.
		const again = await (await get("/api/v1/reference")).text();
		expect(again).not.toContain(`nonce="${nonce}"`);
	});

	it("leaves every other response under the default policy", async () => {
		const res = await get("/healthz");
		expect(res.headers.get("Content-Security-Policy")).toMatch(/^default-src 'self'/);
		expect(res.headers.get("Content-Security-Policy")).not.toContain("jsdelivr");
	});
});
