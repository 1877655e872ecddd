/**
 * Field encryption at rest: AES-256-GCM through WebCrypto, for confidential columns (listing
 * financials, TOTP secrets). This is the only encryption helper the product uses.
 *
 * Envelope: `v1.<iv b64url>.<ciphertext+tag b64url>`, with a fresh random 96-bit IV per call. The
 * associated data is the JSON of `["v1", tenantId, recordId, field]`, so a ciphertext copied into
 * another tenant, record or column fails authentication instead of decrypting as someone else's
 * data. Trade-offs: the binding must be known at read time and a row cannot change tenant or id
 * without re-encryption; random 96-bit IVs keep one key safe for far fewer than 2^32 encryptions,
 * which is ample here. The version prefix leaves room for rotation: a later `v2` can name a key id
 * while `v1` envelopes stay readable until they are rewritten.
 */
import { fromBase64Url, toBase64Url, utf8 } from "../encoding.ts";

const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where a ciphertext belongs; every part is authenticated with it. */
export interface FieldBinding {
	tenantId: string;
	recordId: string;
	field: string;
}

export type DecryptionFailure = "malformed_envelope" | "unsupported_version" | "authentication_failed";

/**
 * The envelope cannot be opened with this key and binding. Tampering, a wrong key and a wrong
 * binding are indistinguishable by design (all are `authentication_failed`).
 */
export class DecryptionError extends Error {
	override readonly name = "DecryptionError";
	readonly reason: DecryptionFailure;

	constructor(reason: DecryptionFailure, options?: ErrorOptions) {
		super(`field could not be decrypted: ${reason}`, options);
		this.reason = reason;
	}
}

/** Imports `ENCRYPTION_KEY` (standard base64 of 32 bytes) as a non-extractable AES-256-GCM key. */
export async function importEncryptionKey(base64Key: string): Promise<CryptoKey> {
	// Error messages never echo the key: they end up in logs.
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64Key) || base64Key.length % 4 !== 0) {
		throw new Error(`ENCRYPTION_KEY must be standard base64 of ${KEY_BYTES} bytes`);
	}
	const binary = atob(base64Key);
	if (binary.length !== KEY_BYTES) {
		throw new Error(`ENCRYPTION_KEY must decode to exactly ${KEY_BYTES} bytes, not ${binary.length}`);
	}
	const raw = new Uint8Array(KEY_BYTES);
	for (let i = 0; i < KEY_BYTES; i++) raw[i] = binary.charCodeAt(i);
	return crypto.subtle.importKey("raw", raw, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

let cachedKey: { source: string; key: Promise<CryptoKey> } | undefined;

/** `importEncryptionKey`, imported once per isolate for the same key text (secrets do not change under a running isolate). */
export function encryptionKeyFor(base64Key: string): Promise<CryptoKey> {
	if (cachedKey?.source !== base64Key) cachedKey = { source: base64Key, key: importEncryptionKey(base64Key) };
	return cachedKey.key;
}

function associatedData(binding: FieldBinding): Uint8Array<ArrayBuffer> {
	for (const part of ["tenantId", "recordId", "field"] as const) {
		// An empty part is a caller bug that would silently weaken tenant isolation.
		if (typeof binding[part] !== "string" || binding[part] === "") {
			throw new Error(`FieldBinding.${part} must be a non-empty string`);
		}
	}
	// JSON of an array is unambiguous: no choice of parts can collide with another binding.
	return utf8.encode(JSON.stringify([VERSION, binding.tenantId, binding.recordId, binding.field]));
}

export async function encryptField(key: CryptoKey, plaintext: string, binding: FieldBinding): Promise<string> {
	const additionalData = associatedData(binding);
	const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
	const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, key, utf8.encode(plaintext));
	return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`;
}

/** Decodes base64url, accepting only the canonical spelling so an envelope has exactly one form. */
function canonicalBytes(text: string): Uint8Array<ArrayBuffer> | null {
	try {
		const bytes = fromBase64Url(text);
		return toBase64Url(bytes) === text ? bytes : null;
	} catch {
		return null;
	}
}

export async function decryptField(key: CryptoKey, envelope: string, binding: FieldBinding): Promise<string> {
	const additionalData = associatedData(binding);
	const [version, ivText, ciphertextText, extra] = envelope.split(".");
	if (version !== VERSION) {
		throw new DecryptionError(/^v\d+$/.test(version ?? "") ? "unsupported_version" : "malformed_envelope");
	}
	if (ivText === undefined || ciphertextText === undefined || extra !== undefined) {
		throw new DecryptionError("malformed_envelope");
	}
	const iv = canonicalBytes(ivText);
	const ciphertext = canonicalBytes(ciphertextText);
	if (!iv || iv.length !== IV_BYTES || !ciphertext || ciphertext.length < TAG_BYTES) {
		throw new DecryptionError("malformed_envelope");
	}
	let plaintext: ArrayBuffer;
	try {
		plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData }, key, ciphertext);
	} catch (error) {
		throw new DecryptionError("authentication_failed", { cause: error });
	}
	return utf8.decode(new Uint8Array(plaintext));
}
