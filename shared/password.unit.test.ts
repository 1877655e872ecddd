import { createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "./password.ts";

const PEPPER = "pepper-0123456789abcdef0123456789";
const OTHER_PEPPER = "pepper-fedcba9876543210fedcba9876";
/** Low cost for tests that are not about the cost itself. */
const FAST = 1_000;

/** The stored form computed with node:crypto, independently of the module. */
function referenceHash(password: string, pepper: string, iterations: number, salt = randomBytes(16)): string {
	const peppered = createHmac("sha256", pepper).update(password.normalize("NFKC")).digest();
	const hash = pbkdf2Sync(peppered, salt, iterations, 32, "sha256");
	return `pbkdf2-sha256$${iterations}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

describe("hashPassword", () => {
	it("stores algorithm, the default 100000 iterations, a 16-byte salt and a 32-byte hash", async () => {
		const stored = await hashPassword("correct horse battery staple", PEPPER);
		expect(PBKDF2_ITERATIONS).toBe(100_000);
		expect(stored).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
	});

	it("derives the hash as PBKDF2-SHA256 over an HMAC of the password keyed by the pepper", async () => {
		const stored = await hashPassword("correct horse battery staple", PEPPER, FAST);
		const [, , saltText = ""] = stored.split("$");
		const salt = Buffer.from(saltText, "base64url");
		expect(stored).toBe(referenceHash("correct horse battery staple", PEPPER, FAST, salt));
	});

	it("salts each hash, so the same password hashes differently", async () => {
		const first = await hashPassword("same password", PEPPER, FAST);
		const second = await hashPassword("same password", PEPPER, FAST);
		expect(first).not.toBe(second);
		expect(first.split("$")[2]).not.toBe(second.split("$")[2]);
		expect((await verifyPassword("same password", first, PEPPER)).valid).toBe(true);
		expect((await verifyPassword("same password", second, PEPPER)).valid).toBe(true);
	});

	it("refuses more iterations than the Workers cap", async () => {
		await expect(hashPassword("pw", PEPPER, PBKDF2_ITERATIONS + 1)).rejects.toThrow(/iterations/);
	});
});

describe("verifyPassword", () => {
	it("accepts the right password at the default cost without asking for a rehash", async () => {
		const stored = await hashPassword("correct horse battery staple", PEPPER);
		expect(await verifyPassword("correct horse battery staple", stored, PEPPER)).toEqual({
			valid: true,
			needsRehash: false,
		});
	});

	it("rejects a wrong password", async () => {
		const stored = await hashPassword("correct horse battery staple", PEPPER, FAST);
		expect(await verifyPassword("correct horse battery stapler", stored, PEPPER)).toEqual({
			valid: false,
			needsRehash: false,
		});
	});

	it("rejects the right password under a different pepper", async () => {
		const stored = await hashPassword("correct horse battery staple", PEPPER, FAST);
		expect((await verifyPassword("correct horse battery staple", stored, OTHER_PEPPER)).valid).toBe(false);
	});

	it("accepts the same password in another Unicode normalization form", async () => {
		const stored = await hashPassword("caf\u00e9", PEPPER, FAST);
		expect((await verifyPassword("cafe\u0301", stored, PEPPER)).valid).toBe(true);
	});

	it("accepts a hash made with fewer iterations and asks for a rehash", async () => {
		const stored = await hashPassword("pw", PEPPER, FAST);
		expect(stored.startsWith("pbkdf2-sha256$1000$")).toBe(true);
		expect(await verifyPassword("pw", stored, PEPPER)).toEqual({ valid: true, needsRehash: true });
	});

	it("does not ask for a rehash when a weak hash does not match", async () => {
		const stored = await hashPassword("pw", PEPPER, FAST);
		expect(await verifyPassword("other", stored, PEPPER)).toEqual({ valid: false, needsRehash: false });
	});

	it("verifies a hash computed independently of the module", async () => {
		expect(await verifyPassword("pw", referenceHash("pw", PEPPER, FAST), PEPPER)).toEqual({
			valid: true,
			needsRehash: true,
		});
	});

	it("treats a correct hash with more iterations than the cap as invalid", async () => {
		const stored = referenceHash("pw", PEPPER, PBKDF2_ITERATIONS + 1);
		expect(await verifyPassword("pw", stored, PEPPER)).toEqual({ valid: false, needsRehash: false });
	});

	// Each mutation applies to an otherwise correct hash, so only the format check can reject it.
	it.each<[string, (parts: string[]) => string]>([
		["another algorithm name", ([, i, s, h]) => `pbkdf2-sha512$${i}$${s}$${h}`],
		["an extra segment", (parts) => `${parts.join("$")}$extra`],
		["an empty trailing segment", (parts) => `${parts.join("$")}$`],
		["a non-numeric iteration count", ([a, , s, h]) => `${a}$many$${s}$${h}`],
		["a zero iteration count", ([a, , s, h]) => `${a}$0$${s}$${h}`],
		["a negative iteration count", ([a, , s, h]) => `${a}$-1000$${s}$${h}`],
		["a fractional iteration count", ([a, , s, h]) => `${a}$1000.5$${s}$${h}`],
		["an empty iteration count", ([a, , s, h]) => `${a}$$${s}$${h}`],
		["a missing hash", ([a, i, s]) => `${a}$${i}$${s}`],
		["an empty hash", ([a, i, s]) => `${a}$${i}$${s}$`],
		["an empty salt", ([a, i, , h]) => `${a}$${i}$$${h}`],
		["a truncated hash", ([a, i, s, h = ""]) => `${a}$${i}$${s}$${h.slice(0, 40)}`],
	])("treats a stored hash with %s as invalid", async (_label, mutate) => {
		const stored = await hashPassword("pw", PEPPER, FAST);
		const mutated = mutate(stored.split("$"));
		expect(await verifyPassword("pw", mutated, PEPPER)).toEqual({ valid: false, needsRehash: false });
	});

	it.each(["", "pw", "$$$", "pbkdf2-sha256", "pbkdf2-sha256$1000"])(
		"treats the malformed stored string %j as invalid",
		async (stored) => {
			expect(await verifyPassword("pw", stored, PEPPER)).toEqual({ valid: false, needsRehash: false });
		},
	);

	// A corrupt stored hash must be a failed login, never an exception (a 500 at login).
	it("treats a stored hash whose salt is not base64url as invalid", async () => {
		expect(await verifyPassword("pw", "pbkdf2-sha256$1000$not*base64$abcd", PEPPER)).toEqual({
			valid: false,
			needsRehash: false,
		});
	});

	it("treats a stored hash whose hash has an impossible base64url length as invalid", async () => {
		expect(await verifyPassword("pw", "pbkdf2-sha256$1000$abcd$abcde", PEPPER)).toEqual({
			valid: false,
			needsRehash: false,
		});
	});
});
