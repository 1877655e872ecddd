import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const worker = exports.default as unknown as Fetcher;

describe("dispatch Worker", () => {
	it("answers /healthz with ok", async () => {
		const res = await worker.fetch("https://techflunky.com/healthz");
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ status: "ok" });
	});
});
