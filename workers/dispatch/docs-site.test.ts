/**
 * What the edge sends to the documentation site (`DOCS`, a stand-in here: vitest.config.ts):
 * every GET and HEAD on `docs.<ROOT_DOMAIN>`, whatever the path (the site's reference lives under
 * `/api/`), keeping the site's own CSP under the edge's other security headers; a write there is
 * a 405 problem that reaches nothing; other hosts never reach the site.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

const DOCS = "http://docs.localhost";

describe("the documentation host", () => {
	it("forwards a page to the site and keeps its CSP under the edge's headers", async () => {
		const res = await SELF.fetch(`${DOCS}/guides/webhooks/`);
		expect(res.status).toBe(200);
		expect(await res.text()).toBe("<p>docs GET docs.localhost/guides/webhooks/</p>");
		expect(res.headers.get("Content-Security-Policy")).toBe("default-src 'self'; script-src 'self' 'sha256-docs'");
		expect(res.headers.get("X-Frame-Options")).toBe("DENY");
		expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
	});

	it("forwards paths the API owns on other hosts, and a HEAD", async () => {
		expect(await (await SELF.fetch(`${DOCS}/api/operations/login/`)).text()).toBe(
			"<p>docs GET docs.localhost/api/operations/login/</p>",
		);
		expect(await (await SELF.fetch(`${DOCS}/healthz`)).text()).toBe("<p>docs GET docs.localhost/healthz</p>");
		const head = await SELF.fetch(`${DOCS}:8787/`, { method: "HEAD" });
		expect(head.status).toBe(200);
	});

	it("answers a write with a 405 problem and forwards nothing", async () => {
		const res = await SELF.fetch(`${DOCS}/api/v1/auth/login`, {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ email: "ada@seller.techflunky.test", password: "x" }),
		});
		expect(res.status).toBe(405);
		expect(res.headers.get("Allow")).toBe("GET, HEAD");
		expect(res.headers.get("Content-Type")).toMatch(/application\/problem\+json/);
		expect(res.headers.get("Content-Security-Policy")).not.toContain("sha256-docs");
	});

	it("keeps the marketplace's hosts and look-alikes away from the site", async () => {
		for (const url of ["http://localhost/", "http://docs.seller.localhost/", "http://xdocs.localhost/"]) {
			const text = await (await SELF.fetch(url)).text();
			expect(text, url).not.toContain("<p>docs");
		}
		const api = await SELF.fetch("http://localhost/api/v1/listings?limit=1");
		expect(api.headers.get("Content-Type")).toMatch(/application\/json/);
	});
});
