/**
 * HMAC-SHA-256 keys for the platform's secrets (token signing, the tenant context), imported once
 * per isolate instead of on every request: `importKey` is a measurable share of a request's CPU.
 * Secrets do not change under a running isolate; the cache is tiny and bounded anyway.
 */
import { utf8 } from "../encoding.ts";

const MAX_KEYS = 8;
const keys = new Map<string, Promise<CryptoKey>>();

export function hmacSha256Key(secret: string): Promise<CryptoKey> {
	let key = keys.get(secret);
	if (!key) {
		if (keys.size >= MAX_KEYS) keys.clear();
		key = crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
			"sign",
			"verify",
		]);
		keys.set(secret, key);
	}
	return key;
}
