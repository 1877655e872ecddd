import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const worker = (exports as unknown as { default: Fetcher }).default;
const bindings = env as unknown as DispatchEnv;
const uniqueIp = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID()}`;
const browse = (ip: string) =>
	worker.fetch("https://techflunky.com/api/v1/listings?limit=1", { headers: { "CF-Connecting-IP": ip } });

describe("anonymous rate limit", () => {
	it("admits the burst of 20 per IP, then answers 429 with Retry-After", async () => {
		const ip = uniqueIp();
		for (let i = 0; i < 20; i++) {
			const res = await browse(ip);
			expect(res.status).toBe(200);
			expect(res.headers.get("RateLimit-Policy")).toBe('"anonymous";q=100;w=3600');
			expect(res.headers.get("RateLimit")).toMatch(new RegExp(`^"anonymous";r=${19 - i};t=\\d+$`));
		}
		const refused = await browse(ip);
		expect(refused.status).toBe(429);
		expect(refused.headers.get("Content-Type")).toBe("application/problem+json");
		expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
		expect(refused.headers.get("RateLimit")).toMatch(/^"anonymous";r=0;t=\d+$/);
		expect(refused.headers.get("X-Request-Id")).toBeTruthy();
	});

	it("keeps separate buckets per IP", async () => {
		const busy = uniqueIp();
		for (let i = 0; i < 21; i++) await browse(busy);
		expect((await browse(busy)).status).toBe(429);
		expect((await browse(uniqueIp())).status).toBe(200);
	});

	it("admits exactly the bucket under 200 parallel requests", async () => {
		const ip = uniqueIp();
		const statuses = await Promise.all(Array.from({ length: 200 }, () => browse(ip).then((res) => res.status)));
		expect(statuses.filter((status) => status === 200)).toHaveLength(20);
		expect(statuses.filter((status) => status === 429)).toHaveLength(180);
	});

	it("never limits /healthz", async () => {
		const ip = uniqueIp();
		for (let i = 0; i < 25; i++) {
			const res = await worker.fetch("https://techflunky.com/healthz", { headers: { "CF-Connecting-IP": ip } });
			expect(res.status).toBe(200);
		}
	});

	it("stores the anonymous bucket in the Durable Object named after the IP", async () => {
		const ip = uniqueIp();
		await browse(ip);
		const decision = await bindings.TenantObject.getByName(`ip:${ip}`).consume(
			"anonymous",
			{ name: "anonymous", limit: 100, windowSeconds: 3600, burst: 20 },
			Date.now(),
		);
		expect(decision.remaining).toBe(18);
	});
});
