import { afterEach, describe, expect, it, vi } from "vitest";
import { hashPassword, PBKDF2_ITERATIONS, verifyPasswordUnder } from "../password.ts";
import { issueToken, verifyToken } from "./jwt.ts";
import { previousSecret, secretValues } from "./rotation.ts";

const CURRENT = "c".repeat(64);
const OLD = "o".repeat(64);
const OTHER = "x".repeat(64);
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const PEPPER = "pepper-current-0123456789abcdef01";
const OLD_PEPPER = "pepper-previous-fedcba9876543210f";
const PASSWORD = "correct horse battery staple";

const env = (extra: Record<string, unknown> = {}) =>
	({ JWT_SECRET: CURRENT, PASSWORD_PEPPER: PEPPER, ...extra }) as { JWT_SECRET: string; PASSWORD_PEPPER: string };

let jti = 0;
async function tokenUnder(secret: string): Promise<string> {
	jti += 1;
	const subject = {
		userId: `usr_${"a".repeat(32)}`,
		tenantId: `buyer_${"b".repeat(32)}`,
		role: "buyer" as const,
		sessionId: `ses_${jti.toString(16).padStart(32, "0")}`,
	};
	return (await issueToken(subject, secret, NOW)).token;
}

afterEach(() => {
	vi.restoreAllMocks();
});

describe("previousSecret", () => {
	it("reads <NAME>_PREVIOUS when it is a non-empty string", () => {
		expect(previousSecret(env({ JWT_SECRET_PREVIOUS: OLD }), "JWT_SECRET")).toBe(OLD);
		expect(previousSecret(env({ PASSWORD_PEPPER_PREVIOUS: OLD_PEPPER }), "PASSWORD_PEPPER")).toBe(OLD_PEPPER);
	});

	it("treats a missing, empty or non-string value as unset", () => {
		expect(previousSecret(env(), "JWT_SECRET")).toBeUndefined();
		expect(previousSecret(env({ JWT_SECRET_PREVIOUS: "" }), "JWT_SECRET")).toBeUndefined();
		expect(previousSecret(env({ JWT_SECRET_PREVIOUS: 42 }), "JWT_SECRET")).toBeUndefined();
	});

	it("reads only the named secret's previous value", () => {
		expect(previousSecret(env({ JWT_SECRET_PREVIOUS: OLD }), "PASSWORD_PEPPER")).toBeUndefined();
	});
});

describe("secretValues", () => {
	it("lists the current value first, then the previous one", () => {
		expect(secretValues(env({ JWT_SECRET_PREVIOUS: OLD }), "JWT_SECRET")).toEqual([CURRENT, OLD]);
	});

	it("lists the current value alone when the previous one is unset, empty or the same", () => {
		expect(secretValues(env(), "JWT_SECRET")).toEqual([CURRENT]);
		expect(secretValues(env({ JWT_SECRET_PREVIOUS: "" }), "JWT_SECRET")).toEqual([CURRENT]);
		expect(secretValues(env({ JWT_SECRET_PREVIOUS: CURRENT }), "JWT_SECRET")).toEqual([CURRENT]);
	});
});

describe("verifyToken during a rotation", () => {
	it("accepts a token signed with the previous secret while it is listed", async () => {
		const claims = await verifyToken(await tokenUnder(OLD), [CURRENT, OLD], NOW);
		expect(claims?.sub).toBe(`usr_${"a".repeat(32)}`);
	});

	it("still accepts a token signed with the current secret", async () => {
		expect(await verifyToken(await tokenUnder(CURRENT), [CURRENT, OLD], NOW)).not.toBeNull();
	});

	it("refuses a token signed with the previous secret once it is no longer listed, even one it remembers", async () => {
		const token = await tokenUnder(OLD);
		expect(await verifyToken(token, [CURRENT, OLD], NOW)).not.toBeNull();
		expect(await verifyToken(token, [CURRENT], NOW)).toBeNull();
		expect(await verifyToken(token, CURRENT, NOW)).toBeNull();
	});

	it("refuses a token signed with neither secret", async () => {
		expect(await verifyToken(await tokenUnder(OTHER), [CURRENT, OLD], NOW)).toBeNull();
	});

	it("keeps the expiry under the previous secret", async () => {
		const token = await tokenUnder(OLD);
		expect(await verifyToken(token, [CURRENT, OLD], NOW + 31 * 86_400_000)).toBeNull();
	});
});

describe("verifyPasswordUnder", () => {
	it("accepts a hash under the current pepper without asking for a re-hash", async () => {
		const stored = await hashPassword(PASSWORD, PEPPER);
		expect(await verifyPasswordUnder(PASSWORD, stored, [PEPPER, OLD_PEPPER])).toEqual({
			valid: true,
			needsRehash: false,
		});
	});

	it("accepts a hash under the previous pepper and asks for a re-hash", async () => {
		const stored = await hashPassword(PASSWORD, OLD_PEPPER, PBKDF2_ITERATIONS);
		expect(await verifyPasswordUnder(PASSWORD, stored, [PEPPER, OLD_PEPPER])).toEqual({
			valid: true,
			needsRehash: true,
		});
	});

	it("refuses a hash under the previous pepper when only the current one is listed", async () => {
		const stored = await hashPassword(PASSWORD, OLD_PEPPER);
		expect(await verifyPasswordUnder(PASSWORD, stored, [PEPPER])).toEqual({ valid: false, needsRehash: false });
	});

	it("refuses a wrong password under both peppers", async () => {
		const stored = await hashPassword(PASSWORD, OLD_PEPPER, 1_000);
		expect(await verifyPasswordUnder("wrong password!!", stored, [PEPPER, OLD_PEPPER])).toEqual({
			valid: false,
			needsRehash: false,
		});
	});

	it("derives once per listed pepper on a miss, so an unknown account costs what a wrong password does", async () => {
		const stored = await hashPassword(PASSWORD, PEPPER, 1_000);
		const derivations = vi.spyOn(crypto.subtle, "deriveBits");
		await verifyPasswordUnder("wrong password!!", stored, [PEPPER, OLD_PEPPER]);
		expect(derivations).toHaveBeenCalledTimes(2);
		derivations.mockClear();
		await verifyPasswordUnder("wrong password!!", stored, [PEPPER]);
		expect(derivations).toHaveBeenCalledTimes(1);
		derivations.mockClear();
		await verifyPasswordUnder(PASSWORD, stored, [PEPPER, OLD_PEPPER]);
		expect(derivations).toHaveBeenCalledTimes(1);
	});
});
