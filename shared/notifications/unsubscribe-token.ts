/**
 * The one-click unsubscribe token (RFC 8058) every non-essential e-mail carries: `v1.<user id>.
 * <kind>.<mac>`, the MAC an HMAC-SHA-256 under `UNSUBSCRIBE_SECRET` of the version, user and kind.
 * It needs no sign-in (a mail provider posts it, or the landing page does for a person who is not
 * signed in), so it has to be unforgeable, and that is all it has to be: it only ever turns one
 * kind off for one user, so it neither expires nor is single use (a second POST changes nothing).
 * Its own secret, not the session one: rotating it voids links in old e-mails and nothing else.
 * The user id and kind are readable on purpose: the landing page says what will be turned off.
 */
import { hmacSha256Key } from "../crypto/hmac.ts";
import { fromBase64Url, toBase64Url, utf8 } from "../encoding.ts";
import { isNotificationKind, type NotificationKind } from "./kinds.ts";

const VERSION = "v1";
const USER_ID = /^usr_[0-9a-f]{32}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

const payloadOf = (userId: string, kind: string) => `${VERSION}.${userId}.${kind}`;

export async function unsubscribeToken(secret: string, userId: string, kind: NotificationKind): Promise<string> {
	const payload = payloadOf(userId, kind);
	const mac = await crypto.subtle.sign("HMAC", await hmacSha256Key(secret), utf8.encode(payload));
	return `${payload}.${toBase64Url(new Uint8Array(mac))}`;
}

/** What a token says, unchecked: for showing, never for acting (use `verifyUnsubscribeToken`). */
export function readUnsubscribeToken(token: string): { userId: string; kind: NotificationKind } | null {
	const [version, userId, kind, mac, ...rest] = token.split(".");
	if (version !== VERSION || rest.length > 0 || !userId || !kind || !mac) return null;
	if (!USER_ID.test(userId) || !isNotificationKind(kind) || !MAC.test(mac)) return null;
	return { userId, kind };
}

/** The user and kind of a genuine token; `null` for anything else (malformed, wrong MAC, other key). */
export async function verifyUnsubscribeToken(
	secret: string,
	token: string,
): Promise<{ userId: string; kind: NotificationKind } | null> {
	if (token.length > 200) return null;
	const claims = readUnsubscribeToken(token);
	if (!claims) return null;
	const mac = fromBase64Url(token.slice(token.lastIndexOf(".") + 1));
	const valid = await crypto.subtle.verify(
		"HMAC",
		await hmacSha256Key(secret),
		mac,
		utf8.encode(payloadOf(claims.userId, claims.kind)),
	);
	return valid ? claims : null;
}
