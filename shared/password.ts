/**
 * Password hashing: PBKDF2-SHA256 through WebCrypto, peppered, salted, self-describing.
 *
 * Stored form: `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`. The pepper (a secret
 * outside the database) keys an HMAC of the password before PBKDF2, so a stolen database alone
 * cannot be brute-forced. Production Workers cap PBKDF2 at 100,000 iterations, so that is both the
 * current cost and the ceiling; the iteration count is stored so it can be raised on login.
 * During a pepper rotation `verifyPasswordUnder` tries the current pepper, then the previous
 * one: a miss costs one derivation per pepper (so an unknown account, checked against a dummy
 * hash, costs the same as a wrong password), and a hit under the previous pepper asks for a
 * re-hash under the current one.
 */
import { fromBase64Url, toBase64Url, utf8 } from "./encoding.ts";

export const PBKDF2_ITERATIONS = 100_000;
/** The password policy (docs/api.md, Auth: under 12 characters is refused); the cap bounds the hashing work. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const ALGORITHM = "pbkdf2-sha256";

async function peppered(password: string, pepper: string): Promise<Uint8Array<ArrayBuffer>> {
	const key = await crypto.subtle.importKey("raw", utf8.encode(pepper), { name: "HMAC", hash: "SHA-256" }, false, [
		"sign",
	]);
	return new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(password.normalize("NFKC"))));
}

async function derive(
	password: string,
	pepper: string,
	salt: Uint8Array<ArrayBuffer>,
	iterations: number,
): Promise<Uint8Array> {
	const material = await crypto.subtle.importKey("raw", await peppered(password, pepper), "PBKDF2", false, [
		"deriveBits",
	]);
	const bits = await crypto.subtle.deriveBits(
		{ name: "PBKDF2", hash: "SHA-256", salt, iterations },
		material,
		HASH_BITS,
	);
	return new Uint8Array(bits);
}

export async function hashPassword(password: string, pepper: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
	if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) {
		throw new Error(`PBKDF2 iterations must be a whole number from 1 to ${PBKDF2_ITERATIONS}`);
	}
	if (!pepper) throw new Error("PASSWORD_PEPPER is empty");
	const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
	const hash = await derive(password, pepper, salt, iterations);
	return `${ALGORITHM}$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/** Compares in constant time with respect to the hash bytes. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
	return diff === 0;
}

export interface PasswordCheck {
	valid: boolean;
	/**
	 * True when the stored hash uses weaker parameters than today's, or was derived under the
	 * previous pepper, and should be replaced by a hash under today's parameters and pepper.
	 */
	needsRehash: boolean;
}

export async function verifyPassword(password: string, stored: string, pepper: string): Promise<PasswordCheck> {
	const [algorithm, iterationsText, saltText, hashText, extra] = stored.split("$");
	const iterations = /^[1-9]\d{0,6}$/.test(iterationsText ?? "") ? Number(iterationsText) : Number.NaN;
	if (
		algorithm !== ALGORITHM ||
		extra !== undefined ||
		!Number.isInteger(iterations) ||
		iterations < 1 ||
		iterations > PBKDF2_ITERATIONS ||
		!saltText ||
		!hashText
	) {
		return { valid: false, needsRehash: false };
	}
	let salt: Uint8Array<ArrayBuffer>;
	let expected: Uint8Array;
	try {
		salt = fromBase64Url(saltText);
		expected = fromBase64Url(hashText);
	} catch {
		// A corrupt stored hash is a failed login, never a server error.
		return { valid: false, needsRehash: false };
	}
	const actual = await derive(password, pepper, salt, iterations);
	const valid = equalBytes(actual, expected);
	return { valid, needsRehash: valid && iterations < PBKDF2_ITERATIONS };
}

/**
 * `verifyPassword` under each pepper in turn, the current one first (`secretValues(env,
 * "PASSWORD_PEPPER")`, ./auth/rotation.ts). A miss tries every pepper, whatever the stored hash;
 * a hit under any but the first needs a re-hash.
 */
export async function verifyPasswordUnder(
	password: string,
	stored: string,
	peppers: readonly [string, ...string[]],
): Promise<PasswordCheck> {
	for (const [index, pepper] of peppers.entries()) {
		const check = await verifyPassword(password, stored, pepper);
		if (check.valid) return { valid: true, needsRehash: check.needsRehash || index > 0 };
	}
	return { valid: false, needsRehash: false };
}
