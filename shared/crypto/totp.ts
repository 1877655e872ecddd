/**
 * Time-based one-time passwords (RFC 6238): HMAC-SHA-1, 6 digits, 30-second steps, the profile
 * every authenticator app supports. Pure apart from WebCrypto: the caller passes `now` and the
 * last step it accepted, and stores the returned step.
 *
 * Trade-offs: one step of drift either way is accepted (up to ~90 s of validity) so slightly
 * wrong phone clocks still work; in exchange the caller must persist the last accepted step,
 * because refusing every step at or before it is what stops a code from being used twice.
 */

const DIGITS = 6;
const STEP_MS = 30_000;
const SECRET_BYTES = 20;
/** RFC 4226 section 4 requires at least 128 bits of shared secret. */
const MIN_SECRET_BYTES = 16;
const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 without padding. */
export function encodeBase32(bytes: Uint8Array): string {
	let text = "";
	let buffer = 0;
	let bits = 0;
	for (const byte of bytes) {
		buffer = ((buffer << 8) | byte) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			text += BASE32_ALPHABET[(buffer >> bits) & 31];
		}
	}
	if (bits > 0) text += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
	return text;
}

/**
 * RFC 4648 base32, forgiving the way people type secrets: any case, spaces anywhere, optional
 * trailing `=` padding. Any other character, or a length no encoding produces, throws.
 */
export function decodeBase32(text: string): Uint8Array<ArrayBuffer> {
	const normalized = text.replaceAll(" ", "").toUpperCase().replace(/=+$/, "");
	if (!/^[A-Z2-7]*$/.test(normalized)) throw new Error("not base32");
	// 1, 3 or 6 leftover characters cannot come from whole bytes.
	if ([1, 3, 6].includes(normalized.length % 8)) throw new Error("not base32: impossible length");
	const bytes = new Uint8Array(Math.floor((normalized.length * 5) / 8));
	let buffer = 0;
	let bits = 0;
	let index = 0;
	for (const char of normalized) {
		buffer = ((buffer << 5) | BASE32_ALPHABET.indexOf(char)) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			bytes[index++] = (buffer >> bits) & 0xff;
		}
	}
	return bytes;
}

/** A new 160-bit secret (the RFC 4226 recommendation), base32 without padding: 32 characters. */
export function generateTotpSecret(): string {
	return encodeBase32(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

export function totpStep(now: number): number {
	if (!Number.isFinite(now) || now < 0) throw new RangeError("now must be a non-negative time in milliseconds");
	return Math.floor(now / STEP_MS);
}

async function importSecret(secretBase32: string): Promise<CryptoKey> {
	const secret = decodeBase32(secretBase32);
	// A short or empty secret is stored data gone wrong, not a wrong code: fail loudly.
	if (secret.length < MIN_SECRET_BYTES) throw new Error(`TOTP secret must be at least ${MIN_SECRET_BYTES} bytes`);
	return crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
}

/** HOTP (RFC 4226) with dynamic truncation. */
async function hotp(key: CryptoKey, counter: number): Promise<string> {
	if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError("TOTP step must be a non-negative integer");
	const message = new DataView(new ArrayBuffer(8));
	message.setUint32(0, Math.floor(counter / 2 ** 32));
	message.setUint32(4, counter >>> 0);
	const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
	const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
	const binary =
		(((mac[offset] ?? 0) & 0x7f) << 24) |
		((mac[offset + 1] ?? 0) << 16) |
		((mac[offset + 2] ?? 0) << 8) |
		(mac[offset + 3] ?? 0);
	return String(binary % 10 ** DIGITS).padStart(DIGITS, "0");
}

export async function totpCode(secretBase32: string, step: number): Promise<string> {
	return hotp(await importSecret(secretBase32), step);
}

/** Compares in constant time for strings of equal length (codes are checked to be 6 digits first). */
function equalStrings(a: string, b: string): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
	return diff === 0;
}

export interface TotpCheck {
	valid: boolean;
	/** The step the code matched, to store as the new `lastUsedStep`; `null` when invalid. */
	step: number | null;
}

export async function verifyTotp(
	secretBase32: string,
	code: string,
	now: number,
	lastUsedStep: number | null,
): Promise<TotpCheck> {
	const key = await importSecret(secretBase32);
	const current = totpStep(now);
	if (!/^[0-9]{6}$/.test(code)) return { valid: false, step: null };
	// Every candidate is computed and compared, so the timing does not reveal which one matched.
	let matched: number | null = null;
	for (const step of [current - 1, current, current + 1]) {
		if (step < 0) continue;
		const ok = equalStrings(await hotp(key, step), code);
		// The latest matching step wins: storing an earlier one would let the same code pass again.
		if (ok && (lastUsedStep === null || step > lastUsedStep)) matched = step;
	}
	return matched === null ? { valid: false, step: null } : { valid: true, step: matched };
}

/** The Key Uri Format that authenticator apps read from a QR code. */
export function otpauthUri(secretBase32: string, accountEmail: string, issuer = "TechFlunky"): string {
	if (!accountEmail) throw new Error("otpauth account must not be empty");
	// Apps split the label on the first colon, decoded or not, so the issuer cannot contain one.
	if (!issuer || issuer.includes(":")) throw new Error("otpauth issuer must be non-empty and contain no colon");
	const secret = encodeBase32(decodeBase32(secretBase32));
	const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountEmail)}`;
	return (
		`otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(issuer)}` +
		`&algorithm=SHA1&digits=${DIGITS}&period=${STEP_MS / 1000}`
	);
}
