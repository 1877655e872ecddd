import { createHmac } from "node:crypto";
import { SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
	AUDIENCE,
	ISSUER,
	issueToken,
	rememberedTokenCount,
	TOKEN_TTL_SECONDS,
	VERIFIED_CACHE_SIZE,
	verifyToken,
} from "./jwt.ts";

const SECRET = "j".repeat(64);
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const subject = {
	userId: `usr_${"a".repeat(32)}`,
	tenantId: `seller_${"b".repeat(32)}`,
	role: "seller" as const,
	sessionId: `ses_${"c".repeat(32)}`,
};
const secretBytes = new TextEncoder().encode(SECRET);
const validClaims = { tid: subject.tenantId, role: "seller", sid: subject.sessionId };

function base64url(input: string | Buffer): string {
	return Buffer.from(input).toString("base64url");
}

/** A correctly signed HS256 token over arbitrary header and payload. */
function signRaw(header: object, payload: object, secret = SECRET): string {
	const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
	return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

function fullPayload(overrides: Record<string, unknown> = {}) {
	const iat = Math.floor(NOW / 1000);
	return {
		iss: ISSUER,
		aud: AUDIENCE,
		sub: subject.userId,
		jti: subject.sessionId,
		iat,
		exp: iat + 3600,
		...validClaims,
		...overrides,
	};
}

describe("issueToken / verifyToken", () => {
	it("round-trips the subject with a 30-day expiry", async () => {
		const { token, expiresAt } = await issueToken(subject, SECRET, NOW);
		expect(expiresAt).toBe(Math.floor(NOW / 1000) * 1000 + TOKEN_TTL_SECONDS * 1000);
		const claims = await verifyToken(token, SECRET, NOW);
		expect(claims).toMatchObject({
			sub: subject.userId,
			tid: subject.tenantId,
			role: "seller",
			sid: subject.sessionId,
		});
	});

	it("accepts a hand-signed token with every claim (the forgery tests below differ in one thing)", async () => {
		expect(await verifyToken(signRaw({ alg: "HS256", typ: "JWT" }, fullPayload()), SECRET, NOW)).not.toBeNull();
	});

	it("refuses an unsigned alg:none token", async () => {
		const token = new UnsecuredJWT(fullPayload()).encode();
		expect(await verifyToken(token, SECRET, NOW)).toBeNull();
	});

	it("refuses a token whose payload was changed after signing", async () => {
		const { token } = await issueToken(subject, SECRET, NOW);
		const [header, payload, signature] = token.split(".");
		const changed = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
		changed.role = "admin";
		expect(await verifyToken(`${header}.${base64url(JSON.stringify(changed))}.${signature}`, SECRET, NOW)).toBeNull();
	});

	it("refuses a token signed with another secret", async () => {
		const { token } = await issueToken(subject, "k".repeat(64), NOW);
		expect(await verifyToken(token, SECRET, NOW)).toBeNull();
	});

	it("refuses HS512 even with the right secret", async () => {
		const token = await new SignJWT(validClaims)
			.setProtectedHeader({ alg: "HS512", typ: "JWT" })
			.setIssuer(ISSUER)
			.setAudience(AUDIENCE)
			.setSubject(subject.userId)
			.setJti(subject.sessionId)
			.setIssuedAt(Math.floor(NOW / 1000))
			.setExpirationTime(Math.floor(NOW / 1000) + 3600)
			.sign(secretBytes);
		expect(await verifyToken(token, SECRET, NOW)).toBeNull();
	});

	it("refuses an expired token", async () => {
		const { token } = await issueToken(subject, SECRET, NOW);
		expect(await verifyToken(token, SECRET, NOW + (TOKEN_TTL_SECONDS + 1) * 1000)).toBeNull();
	});

	it.each(["sub", "tid", "role", "sid", "jti", "iat", "exp", "iss", "aud"])(
		"refuses a token without %s",
		async (claim) => {
			const payload: Record<string, unknown> = fullPayload();
			delete payload[claim];
			expect(await verifyToken(signRaw({ alg: "HS256", typ: "JWT" }, payload), SECRET, NOW)).toBeNull();
		},
	);

	it.each([
		["iss", "https://evil.example"],
		["aud", "another-api"],
		["role", "superuser"],
		["tid", "root"],
	])("refuses a token with a wrong %s", async (claim, value) => {
		const token = signRaw({ alg: "HS256", typ: "JWT" }, fullPayload({ [claim]: value }));
		expect(await verifyToken(token, SECRET, NOW)).toBeNull();
	});

	it("refuses an oversized token before parsing it", async () => {
		const token = signRaw({ alg: "HS256", typ: "JWT", pad: "x".repeat(4096) }, fullPayload());
		expect(await verifyToken(token, SECRET, NOW)).toBeNull();
	});

	it.each(["", "a.b", "a.b.c", "....", "not a token"])("refuses garbage %j", async (token) => {
		expect(await verifyToken(token, SECRET, NOW)).toBeNull();
	});
});

describe("verifyToken's memory of verified tokens", () => {
	it("still refuses a remembered token once it has expired", async () => {
		const token = signRaw({ alg: "HS256", typ: "JWT" }, fullPayload({ jti: "remembered-expiry" }));
		expect(await verifyToken(token, SECRET, NOW)).not.toBeNull();
		expect(await verifyToken(token, SECRET, NOW + 3599_000)).not.toBeNull();
		expect(await verifyToken(token, SECRET, NOW + 3600_000)).toBeNull();
	});

	it("does not accept a remembered token under another secret", async () => {
		const token = signRaw({ alg: "HS256", typ: "JWT" }, fullPayload({ jti: "remembered-secret" }));
		expect(await verifyToken(token, SECRET, NOW)).not.toBeNull();
		expect(await verifyToken(token, "k".repeat(64), NOW)).toBeNull();
	});

	it("remembers no refusal, so a flood of forged tokens cannot fill its memory", async () => {
		const before = rememberedTokenCount();
		for (let i = 0; i < 50; i++) {
			const forged = signRaw({ alg: "HS256", typ: "JWT" }, fullPayload({ jti: `forged-${i}` }), "x".repeat(64));
			expect(await verifyToken(forged, SECRET, NOW)).toBeNull();
		}
		expect(rememberedTokenCount()).toBe(before);
	});

	it("remembers at most VERIFIED_CACHE_SIZE tokens", async () => {
		for (let i = 0; i <= VERIFIED_CACHE_SIZE; i++) {
			await verifyToken(signRaw({ alg: "HS256", typ: "JWT" }, fullPayload({ jti: `bound-${i}` })), SECRET, NOW);
		}
		expect(rememberedTokenCount()).toBe(VERIFIED_CACHE_SIZE);
	});
});
