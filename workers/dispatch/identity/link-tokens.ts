/**
 * The tokens of the links we e-mail (verify an address, reset a password) and the links
 * themselves, as pure functions: no D1, no clock (the caller passes `now`), so they are unit
 * tested without a runtime. Storage and single use are ./account-tokens.ts.
 *
 * A token is 32 bytes from the platform's CSPRNG, base64url (43 characters, 256 bits): far beyond
 * guessing, so it needs no rate limit of its own besides the route's. Only its SHA-256 is stored;
 * a plain hash (no salt, no stretching) is enough because the input is uniformly random, which
 * also lets a lookup be one indexed equality.
 *
 * A link points at the host the request came to when that is one of ours that serves the pages
 * (apex, `www.`, `seller.`, `buyer.`), else at the apex: a storefront or foreign `Host` never
 * picks where a token is sent. Outside `localhost` it is always https.
 */
import { toBase64Url, toHex, utf8 } from "../../../shared/encoding.ts";
import { classifyHost } from "../../../shared/http/origins.ts";

export type TokenPurpose = "verify_email" | "password_reset" | "email_change";

/** How long a link works: a verification link two days, a reset link half an hour, an address change a day. */
export const TOKEN_TTL_MS: Readonly<Record<TokenPurpose, number>> = Object.freeze({
	verify_email: 48 * 3_600_000,
	password_reset: 30 * 60_000,
	email_change: 24 * 3_600_000,
});

const TOKEN_BYTES = 32;

export interface LinkToken {
	/** What the link carries; never stored. */
	token: string;
	/** What is stored: hex SHA-256 of `token`. */
	hash: string;
}

export async function hashLinkToken(token: string): Promise<string> {
	return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(token))));
}

export async function newLinkToken(): Promise<LinkToken> {
	const token = toBase64Url(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)));
	return { token, hash: await hashLinkToken(token) };
}

/** When a token of `purpose` issued at `now` (ms) stops working, as stored: ISO 8601. */
export function tokenExpiry(purpose: TokenPurpose, now: number): string {
	return new Date(now + TOKEN_TTL_MS[purpose]).toISOString();
}

/** The origin links in e-mails point at, for a request to `requestUrl` (see the header). */
export function linkOrigin(requestUrl: string, rootDomain: string): string {
	const url = new URL(requestUrl);
	const kind = classifyHost(url.host, rootDomain).kind;
	const local = rootDomain === "localhost";
	const protocol = local ? url.protocol : "https:";
	if (kind === "apex" || kind === "seller_portal" || kind === "buyer_portal") return `${protocol}//${url.host}`;
	return `${protocol}//${rootDomain}${local && url.port ? `:${url.port}` : ""}`;
}

/** `<origin><path>`, with `?token=` when there is one. */
export function pageLink(
	origin: string,
	path: "/verify-email" | "/reset-password" | "/forgot-password" | "/confirm-email-change",
	token?: string,
) {
	return `${origin}${path}${token === undefined ? "" : `?token=${encodeURIComponent(token)}`}`;
}
