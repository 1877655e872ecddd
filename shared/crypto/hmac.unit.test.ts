import { describe, expect, it } from "vitest";
import { utf8 } from "../encoding.ts";
import { hmacSha256Key } from "./hmac.ts";

describe("hmacSha256Key", () => {
	it("imports a secret once and hands back the same key afterwards", async () => {
		const secret = "s".repeat(40);
		expect(await hmacSha256Key(secret)).toBe(await hmacSha256Key(secret));
	});

	it("keys each secret separately, so a MAC under one does not verify under another", async () => {
		const data = utf8.encode("payload");
		const mac = await crypto.subtle.sign("HMAC", await hmacSha256Key("a".repeat(40)), data);
		expect(await crypto.subtle.verify("HMAC", await hmacSha256Key("a".repeat(40)), mac, data)).toBe(true);
		expect(await crypto.subtle.verify("HMAC", await hmacSha256Key("b".repeat(40)), mac, data)).toBe(false);
	});

	it("stays correct when more secrets pass through than it caches", async () => {
		const secrets = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(40, "x"));
		for (const secret of secrets) await hmacSha256Key(secret);
		const data = utf8.encode("x");
		const mac = await crypto.subtle.sign("HMAC", await hmacSha256Key(secrets[0] ?? ""), data);
		expect(await crypto.subtle.verify("HMAC", await hmacSha256Key(secrets[0] ?? ""), mac, data)).toBe(true);
	});
});
