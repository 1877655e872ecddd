import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashLinkToken, linkOrigin, newLinkToken, pageLink, TOKEN_TTL_MS, tokenExpiry } from "./link-tokens.ts";

describe("link tokens", () => {
	it("are 32 random bytes in base64url, stored as the hex SHA-256 of the token text", async () => {
		const tokens = await Promise.all(Array.from({ length: 20 }, () => newLinkToken()));
		for (const { token, hash } of tokens) {
			expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
			expect(Buffer.from(token, "base64url")).toHaveLength(32);
			expect(hash).toBe(createHash("sha256").update(token).digest("hex"));
			expect(await hashLinkToken(token)).toBe(hash);
		}
		expect(new Set(tokens.map((each) => each.token)).size).toBe(tokens.length);
	});

	it("expire two days after issue for verification and thirty minutes for a reset", () => {
		const now = Date.parse("2026-12-01T10:00:00.000Z");
		expect(tokenExpiry("verify_email", now)).toBe("2026-12-03T10:00:00.000Z");
		expect(tokenExpiry("password_reset", now)).toBe("2026-12-01T10:30:00.000Z");
		expect(TOKEN_TTL_MS.password_reset).toBeLessThanOrEqual(60 * 60_000);
	});
});

describe("linkOrigin", () => {
	it("keeps the apex and the portals the request came to, always https in production", () => {
		expect(linkOrigin("https://techflunky.com/api/v1/auth/register", "techflunky.com")).toBe("https://techflunky.com");
		expect(linkOrigin("https://seller.techflunky.com/x", "techflunky.com")).toBe("https://seller.techflunky.com");
		expect(linkOrigin("https://buyer.techflunky.com/x", "techflunky.com")).toBe("https://buyer.techflunky.com");
		expect(linkOrigin("http://www.techflunky.com/x", "techflunky.com")).toBe("https://www.techflunky.com");
	});

	it("sends a storefront's or a foreign host's request to the apex, so a Host header never picks where a token goes", () => {
		expect(linkOrigin("https://acme.techflunky.com/x", "techflunky.com")).toBe("https://techflunky.com");
		expect(linkOrigin("https://evil.example/x", "techflunky.com")).toBe("https://techflunky.com");
		expect(linkOrigin("https://techflunky.com.evil.example/x", "techflunky.com")).toBe("https://techflunky.com");
	});

	it("keeps http and the port on localhost", () => {
		expect(linkOrigin("http://localhost:8787/x", "localhost")).toBe("http://localhost:8787");
		expect(linkOrigin("http://seller.localhost:8787/x", "localhost")).toBe("http://seller.localhost:8787");
		expect(linkOrigin("http://acme.localhost:8787/x", "localhost")).toBe("http://localhost:8787");
	});

	it("puts the token into the page link's query, encoded", () => {
		expect(pageLink("https://techflunky.com", "/reset-password", "a-b_c")).toBe(
			"https://techflunky.com/reset-password?token=a-b_c",
		);
		expect(pageLink("https://techflunky.com", "/forgot-password")).toBe("https://techflunky.com/forgot-password");
	});
});
