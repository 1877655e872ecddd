/**
 * Sessions and tenant status, as pure rules: the id formats, what makes a stored session usable at
 * a given instant, and how long a dead session is kept. Storage, and making a check-then-spend
 * exact, is TenantObject's job; this module has no I/O and no clock.
 *
 * A session is usable only while unrevoked, strictly before its expiry, and by the user it was
 * opened for; anything else (including an id we never stored) fails closed the same way, so a
 * caller learns nothing about which of those it was.
 */
import { z } from "zod";

export const sessionIdSchema = z.string().regex(/^ses_[0-9a-f]{32}$/);
export const userIdSchema = z.string().regex(/^usr_[0-9a-f]{32}$/);

export const tenantStatuses = ["active", "suspended"] as const;
export type TenantStatus = (typeof tenantStatuses)[number];
export const tenantStatusSchema = z.enum(tenantStatuses);

/**
 * How long a session is kept after it expires. Expired sessions are refused anyway; the grace
 * only absorbs callers whose clocks run behind ours, so pruning never turns into a refusal we
 * would not have made.
 */
export const PRUNE_GRACE_MS = 86_400_000;

export interface StoredSession {
	userId: string;
	/** ms since the epoch; the session is refused from this instant on. */
	expiresAt: number;
	revokedAt: number | null;
}

/** Whether `session` (as stored, or `null` if unknown) admits `userId` at `now`. */
export function isSessionLive(session: StoredSession | null, userId: string, now: number): boolean {
	return session !== null && session.revokedAt === null && now < session.expiresAt && session.userId === userId;
}

/** Sessions that expired before this instant may be deleted at `now`. */
export function pruneCutoff(now: number): number {
	return now - PRUNE_GRACE_MS;
}
