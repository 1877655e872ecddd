import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { edgeLimiterShard } from "../../durable-objects/edge-limiter/edge-limiter.ts";
import { clientKeys } from "../../shared/rate-limit/client-address.ts";
import { anonymousPolicy } from "../../shared/rate-limit/policies.ts";

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

	it("keeps the anonymous bucket in the edge limiter's shard of the client's network, not in a TenantObject", async () => {
		const ip = uniqueIp();
		await browse(ip);
		const keys = clientKeys(ip);
		const result = await bindings.EdgeLimiter.getByName(edgeLimiterShard(keys.network)).take({
			buckets: [{ key: `anon:${keys.client}`, policy: anonymousPolicy }],
			now: Date.now(),
		});
		expect(result.decisions[0]?.remaining).toBe(18);
	});
});

/** A random IPv6 /48 and IPv4 /24 of the documentation ranges, so no two tests share a network. */
const random16 = () => Math.floor(Math.random() * 0xffff).toString(16);
const ipv6In = (prefix48: string, subnet: number, host: string) => `${prefix48}:${subnet.toString(16)}:${host}`;

describe("anonymous callers that rotate addresses", () => {
	it("share one bucket across every address of an IPv6 /64", async () => {
		const prefix = `2001:db8:${random16()}`;
		const statuses: number[] = [];
		for (let i = 0; i < 25; i++) {
			const res = await browse(ipv6In(prefix, 7, `${random16()}:${random16()}:${random16()}:${i.toString(16)}`));
			statuses.push(res.status);
		}
		expect(statuses.filter((status) => status === 200)).toHaveLength(20);
		expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
	});

	it("meet the network's ceiling (ten clients' worth) across the /64s of one /48", async () => {
		const prefix = `2001:db8:${random16()}`;
		const statuses = await Promise.all(
			Array.from({ length: 260 }, (_, i) => browse(ipv6In(prefix, i, "0:0:0:1")).then((res) => res.status)),
		);
		expect(statuses.filter((status) => status === 200)).toHaveLength(200);
		// A /64 of another /48 is not affected.
		expect((await browse(ipv6In(`2001:db8:${random16()}`, 1, "0:0:0:1"))).status).toBe(200);
	});

	it("meet the network's ceiling across the addresses of one IPv4 /24", async () => {
		const net = `198.18.${Math.floor(Math.random() * 256)}`;
		const statuses = await Promise.all(
			Array.from({ length: 250 }, (_, i) => browse(`${net}.${i}`).then((res) => res.status)),
		);
		expect(statuses.filter((status) => status === 200)).toHaveLength(200);
	});

	it("are one client whether an IPv4 address comes as itself or IPv4-mapped", async () => {
		const ip = `198.19.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
		for (let i = 0; i < 10; i++) await browse(ip);
		for (let i = 0; i < 10; i++) expect((await browse(`::ffff:${ip}`)).status).toBe(200);
		expect((await browse(`::ffff:${ip}`)).status).toBe(429);
	});
});
