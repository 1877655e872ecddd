import { describe, expect, it } from "vitest";
import {
	isSessionLive,
	PRUNE_GRACE_MS,
	pruneCutoff,
	type StoredSession,
	sessionIdSchema,
	tenantStatusSchema,
	userIdSchema,
} from "./sessions.ts";

const T0 = 1_767_225_600_000;
const USER = `usr_${"a".repeat(32)}`;
const live: StoredSession = { userId: USER, expiresAt: T0 + 1000, revokedAt: null };

describe("isSessionLive", () => {
	it("admits the session's own user before it expires", () => {
		expect(isSessionLive(live, USER, T0)).toBe(true);
		expect(isSessionLive(live, USER, T0 + 999)).toBe(true);
	});

	it("refuses from the instant of expiry on", () => {
		expect(isSessionLive(live, USER, T0 + 1000)).toBe(false);
		expect(isSessionLive(live, USER, T0 + 5000)).toBe(false);
	});

	it("refuses a revoked session even before it expires", () => {
		expect(isSessionLive({ ...live, revokedAt: T0 + 1 }, USER, T0)).toBe(false);
	});

	it("refuses another user", () => {
		expect(isSessionLive(live, `usr_${"b".repeat(32)}`, T0)).toBe(false);
	});

	it("refuses an unknown session", () => {
		expect(isSessionLive(null, USER, T0)).toBe(false);
	});
});

describe("pruneCutoff", () => {
	it("lies one day before now", () => {
		expect(PRUNE_GRACE_MS).toBe(86_400_000);
		expect(pruneCutoff(T0)).toBe(T0 - 86_400_000);
	});
});

describe("id and status schemas", () => {
	it("accepts ids of 32 lowercase hex digits after their prefix", () => {
		expect(sessionIdSchema.safeParse(`ses_${"0f".repeat(16)}`).success).toBe(true);
		expect(userIdSchema.safeParse(`usr_${"0f".repeat(16)}`).success).toBe(true);
	});

	it("rejects ids with the wrong prefix, length or alphabet", () => {
		for (const id of [
			`usr_${"0".repeat(32)}`,
			`ses_${"0".repeat(31)}`,
			`ses_${"0".repeat(33)}`,
			`ses_${"A".repeat(32)}`,
		]) {
			expect(sessionIdSchema.safeParse(id).success).toBe(false);
		}
		expect(userIdSchema.safeParse(`ses_${"0".repeat(32)}`).success).toBe(false);
		expect(userIdSchema.safeParse(` usr_${"0".repeat(32)}`).success).toBe(false);
	});

	it("knows only the active and suspended statuses", () => {
		expect(tenantStatusSchema.options).toEqual(["active", "suspended"]);
		expect(tenantStatusSchema.safeParse("deleted").success).toBe(false);
	});
});
