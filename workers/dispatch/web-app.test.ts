/**
 * What the edge sends to the web app (`WEB`, a stand-in here: vitest.config.ts): pages and static
 * files are forwarded as they are, with the visitor's cookie, and keep the app's own CSP under
 * the edge's other security headers; API, WebSocket and webhook paths, `/healthz`, and any write
 * to a page path stay with the edge and its problems.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { isPagePath } from "./middleware/web-app.ts";

const ORIGIN = "http://localhost";

describe("pages and static files", () => {
	it("forwards a GET of a page to the web app with the visitor's cookie and keeps the app's CSP", async () => {
		const res = await SELF.fetch(`${ORIGIN}/search?q=invoice`, { headers: { Cookie: "__Host-session=abc" } });
		expect(res.status).toBe(200);
		expect(await res.text()).toBe("<p>web GET /search?q=invoice</p>");
		expect(res.headers.get("X-Web-Cookie")).toBe("__Host-session=abc");
		expect(res.headers.get("Content-Security-Policy")).toBe("default-src 'self'; script-src 'self' 'sha256-web'");
		expect(res.headers.get("X-Frame-Options")).toBe("DENY");
		expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
	});

	it("tells the app which of our hosts it is on, over whatever the client claimed", async () => {
		const host = async (url: string) =>
			(await SELF.fetch(url, { headers: { "X-TechFlunky-Host": "storefront:forged" } })).headers.get("X-Web-Host");
		expect(await host(`${ORIGIN}/`)).toBe("apex");
		expect(await host("http://seller.localhost/")).toBe("seller_portal");
		expect(await host("http://buyer.localhost/offers")).toBe("buyer_portal");
		expect(await host("http://acme-tools.localhost/")).toBe("storefront:acme-tools");
	});

	it("never sends a foreign host to the app", async () => {
		const res = await SELF.fetch("http://evil.example/", { headers: { Host: "evil.example" } });
		expect(res.headers.get("X-Web-Host")).toBeNull();
		expect(res.status).toBe(404);
	});

	it("forwards the home page, a static file and a HEAD", async () => {
		expect(await (await SELF.fetch(`${ORIGIN}/`)).text()).toBe("<p>web GET /</p>");
		expect(await (await SELF.fetch(`${ORIGIN}/_astro/client.js`)).text()).toBe("<p>web GET /_astro/client.js</p>");
		const head = await SELF.fetch(`${ORIGIN}/listings/lst_1`, { method: "HEAD" });
		expect(head.status).toBe(200);
	});
});

describe("what stays with the edge", () => {
	it("answers an unknown API path with a 404 problem, not a page", async () => {
		const res = await SELF.fetch(`${ORIGIN}/api/v1/no-such-thing`);
		expect(res.status).toBe(404);
		expect(res.headers.get("Content-Type")).toMatch(/application\/problem\+json/);
		expect(res.headers.get("Content-Security-Policy")).not.toContain("sha256-web");
	});

	it("answers a write to a page path with a problem, never forwarding it", async () => {
		const res = await SELF.fetch(`${ORIGIN}/sign-in`, {
			method: "POST",
			headers: { Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
			body: "email=a%40b.c",
		});
		expect(res.status).toBe(404);
		expect(res.headers.get("Content-Type")).toMatch(/application\/problem\+json/);
	});

	it("keeps API, WebSocket and webhook prefixes and /healthz out of the app", () => {
		for (const path of ["/api", "/api/v1/x", "/parties/x", "/webhooks/x", "/webhooks", "/healthz"]) {
			expect(isPagePath(path), path).toBe(false);
		}
		for (const path of ["/", "/search", "/listings/lst_1", "/_astro/a.js", "/apidocs", "/healthz/x"]) {
			expect(isPagePath(path), path).toBe(true);
		}
	});

	it("still serves /healthz itself", async () => {
		const res = await SELF.fetch(`${ORIGIN}/healthz`);
		expect(res.headers.get("Content-Type")).toMatch(/json/);
	});
});
