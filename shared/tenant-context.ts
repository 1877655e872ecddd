/**
 * The tenant context that the dispatch Worker hands to the user Worker.
 *
 * The user Worker is reachable only through the dispatch Worker, which is what makes the context
 * trustworthy; the HMAC on top means a misrouted or replayed request is refused anyway. The
 * context is short-lived (60 s) and bound to the request id, so a captured header is useless
 * for long. Trade-off: one HMAC sign and verify per request (microseconds) for defence in depth.
 */

import { z } from "zod";
import { hmacSha256Key } from "./crypto/hmac.ts";
import { fromBase64Url, toBase64Url, utf8 } from "./encoding.ts";

export const HEADER = "X-TechFlunky-Context";
const MAX_AGE_MS = 60_000;

export const roles = ["seller", "buyer", "investor", "admin", "guest"] as const;
export type Role = (typeof roles)[number];

export const tenantContextSchema = z
	.object({
		request_id: z.string().min(1).max(64),
		/** `null` for anonymous callers. */
		tenant_id: z.string().min(1).max(64).nullable(),
		user_id: z.string().min(1).max(64).nullable(),
		role: z.enum(roles),
		/** The admin's own tenant when an admin acts for `tenant_id` (audited); otherwise `null`. */
		actor_tenant_id: z.string().min(1).max(64).nullable(),
		client_ip: z.string().max(64),
		issued_at: z.number().int().nonnegative(),
	})
	.strict();

export type TenantContext = z.infer<typeof tenantContextSchema>;

/** The HMAC key, imported once per isolate: this runs twice on every request. */
function hmacKey(secret: string): Promise<CryptoKey> {
	if (secret.length < 32) return Promise.reject(new Error("TENANT_CONTEXT_SECRET must be at least 32 characters"));
	return hmacSha256Key(secret);
}

export async function signTenantContext(context: TenantContext, secret: string): Promise<string> {
	const payload = toBase64Url(utf8.encode(JSON.stringify(context)));
	const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), utf8.encode(payload));
	return `${payload}.${toBase64Url(new Uint8Array(mac))}`;
}

/** Returns the verified context, or `null` when the header is missing, forged, stale or malformed. */
export async function verifyTenantContext(
	header: string | null | undefined,
	secret: string,
	now: number,
): Promise<TenantContext | null> {
	if (!header || header.length > 2048) return null;
	const [payload, mac, extra] = header.split(".");
	if (!payload || !mac || extra !== undefined) return null;
	try {
		const macBytes = fromBase64Url(mac);
		// Base64url leaves spare bits in the last character; accept only the canonical spelling.
		if (toBase64Url(macBytes) !== mac) return null;
		const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), macBytes, utf8.encode(payload));
		if (!valid) return null;
		const parsed = tenantContextSchema.safeParse(JSON.parse(utf8.decode(fromBase64Url(payload))));
		if (!parsed.success) return null;
		const age = now - parsed.data.issued_at;
		if (age < -5_000 || age > MAX_AGE_MS) return null;
		return parsed.data;
	} catch {
		return null;
	}
}
