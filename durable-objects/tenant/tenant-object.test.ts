import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	anonymousPolicy,
	authPerAccountPolicy,
	authPerIpPolicy,
	buyerPolicy,
	type LimitOverride,
	sellerPolicy,
} from "../../shared/rate-limit/policies.ts";
import type { BucketPolicy, RateLimitDecision } from "../../shared/rate-limit/token-bucket.ts";
import type { AdmitInput, TenantObject } from "./tenant-object.ts";

const namespace = (env as unknown as { TenantObject: DurableObjectNamespace<TenantObject> }).TenantObject;
const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);

describe("TenantObject", () => {
	it("counts requests per UTC day", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		expect(await stub.recordRequests(day("2026-11-01"))).toEqual({ day: "2026-11-01", requests: 1 });
		expect(await stub.recordRequests(day("2026-11-01"), 4)).toEqual({ day: "2026-11-01", requests: 5 });
		expect(await stub.recordRequests(day("2026-11-02"))).toEqual({ day: "2026-11-02", requests: 1 });
		expect(await stub.usage(day("2026-11-02"), 7)).toEqual([
			{ day: "2026-11-02", requests: 1 },
			{ day: "2026-11-01", requests: 5 },
		]);
	});

	it("limits usage to the requested window", async () => {
		const stub = namespace.getByName(`buyer_${crypto.randomUUID()}`);
		await stub.recordRequests(day("2026-10-01"));
		await stub.recordRequests(day("2026-11-20"));
		expect(await stub.usage(day("2026-11-20"), 30)).toEqual([{ day: "2026-11-20", requests: 1 }]);
	});

	it("keeps its counters across eviction", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		await stub.recordRequests(day("2026-11-03"), 7);
		await evictDurableObject(stub);
		expect(await stub.recordRequests(day("2026-11-03"))).toEqual({ day: "2026-11-03", requests: 8 });
	});

	it("records its applied schema migrations", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		const versions = await runInDurableObject(stub, (_instance, state) =>
			state.storage.sql.exec<{ version: number }>("SELECT version FROM _migrations ORDER BY version").toArray(),
		);
		expect(versions.map((row) => row.version)).toEqual([1, 2, 3, 4]);
	});
});

const T0 = 1_767_225_600_000;
/** One token every 90 s, five at most. */
const slow: BucketPolicy = { name: "slow", limit: 10, windowSeconds: 900, burst: 5 };

type Stub = DurableObjectStub<TenantObject>;

/** `count` parallel `consume` calls on one stub, all at the same instant (so nothing refills). */
async function consumeInParallel(
	stub: Stub,
	key: string,
	policy: BucketPolicy,
	count: number,
	now = T0,
): Promise<RateLimitDecision[]> {
	return Promise.all(Array.from({ length: count }, () => stub.consume(key, policy, now)));
}

const admitted = (decisions: RateLimitDecision[]) => decisions.filter((d) => d.allowed);

/**
 * The error an RPC call rejects with. Awaited directly rather than through `expect().rejects`,
 * which probes the RPC promise's properties and so spawns pipelined calls that reject unhandled.
 */
async function rejectionOf(call: Promise<unknown>): Promise<unknown> {
	try {
		await call;
	} catch (error) {
		return error;
	}
	throw new Error("the call did not reject");
}

describe("TenantObject rate limiting", () => {
	it("admits exactly the burst out of 200 parallel requests", async () => {
		const stub = namespace.getByName(`buyer_${crypto.randomUUID()}`);
		const decisions = await consumeInParallel(stub, "tenant", buyerPolicy, 200);
		const allowed = admitted(decisions);
		expect(allowed).toHaveLength(50);
		// Each admitted request saw its own token: remaining counts 49 down to 0 with no repeats.
		expect(allowed.map((d) => d.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
		for (const refused of decisions.filter((d) => !d.allowed)) {
			expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
		}
	});

	it("keeps its buckets across eviction", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		await consumeInParallel(stub, "tenant", slow, 3);
		await evictDurableObject(stub);
		expect(await stub.consume("tenant", slow, T0)).toMatchObject({ allowed: true, remaining: 1 });
		expect(await stub.consume("tenant", slow, T0)).toMatchObject({ allowed: true, remaining: 0 });
		expect(await stub.consume("tenant", slow, T0)).toMatchObject({ allowed: false, retryAfterSeconds: 90 });
	});

	it("refills a stored bucket as time passes", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		await consumeInParallel(stub, "tenant", slow, 5);
		expect(await stub.consume("tenant", slow, T0 + 45_000)).toMatchObject({ allowed: false, retryAfterSeconds: 45 });
		await evictDurableObject(stub);
		const later = await consumeInParallel(stub, "tenant", slow, 3, T0 + 90_000);
		expect(admitted(later)).toHaveLength(1);
	});

	it("keeps a separate bucket per key", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		await consumeInParallel(stub, "tenant", slow, 5);
		expect(await stub.consume("tenant", slow, T0)).toMatchObject({ allowed: false });
		expect(await stub.consume("export", slow, T0)).toMatchObject({ allowed: true, remaining: 4 });
	});

	it("has no override until one is set", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		expect(await stub.limitOverride()).toBeNull();
	});

	it("applies a lowering override that persists across eviction", async () => {
		const stub = namespace.getByName(`buyer_${crypto.randomUUID()}`);
		const override = { limit: 1, windowSeconds: 3600, burst: 3 };
		await stub.setLimitOverride(override);
		await evictDurableObject(stub);
		expect(await stub.limitOverride()).toEqual(override);
		const decisions = await consumeInParallel(stub, "tenant", buyerPolicy, 20);
		expect(admitted(decisions)).toHaveLength(3);
		expect(decisions[0]?.policy).toEqual({ name: "buyer", ...override });
	});

	it("applies a raising override", async () => {
		const stub = namespace.getByName(`buyer_${crypto.randomUUID()}`);
		await stub.setLimitOverride({ limit: 5000, windowSeconds: 3600, burst: 80 });
		await evictDurableObject(stub);
		expect(admitted(await consumeInParallel(stub, "tenant", buyerPolicy, 200))).toHaveLength(80);
	});

	it("returns to the default limits when the override is cleared", async () => {
		const stub = namespace.getByName(`buyer_${crypto.randomUUID()}`);
		await stub.setLimitOverride({ limit: 1, windowSeconds: 3600, burst: 3 });
		await stub.setLimitOverride(null);
		await evictDurableObject(stub);
		expect(await stub.limitOverride()).toBeNull();
		expect(admitted(await consumeInParallel(stub, "tenant", buyerPolicy, 60))).toHaveLength(50);
	});

	it("ignores the override on auth buckets", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		await stub.setLimitOverride({ limit: 100_000, windowSeconds: 60, burst: 500 });
		const [general, perIp, perAccount] = await Promise.all([
			consumeInParallel(stub, "tenant", sellerPolicy, 150),
			consumeInParallel(stub, "auth:ip:203.0.113.7", authPerIpPolicy, 20),
			consumeInParallel(stub, "auth:account:usr_0123456789abcdef", authPerAccountPolicy, 20),
		]);
		expect(admitted(general)).toHaveLength(150);
		expect(admitted(perIp)).toHaveLength(10);
		expect(admitted(perAccount)).toHaveLength(5);
		expect(perIp[0]?.policy).toEqual(authPerIpPolicy);
	});

	it("refuses an invalid override and keeps the stored one", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		const valid = { limit: 2000, windowSeconds: 3600, burst: 150 };
		await stub.setLimitOverride(valid);
		const invalid = [
			{ limit: 2000, windowSeconds: 3600, burst: 0 },
			{ limit: 2000.5, windowSeconds: 3600, burst: 150 },
			{ limit: 2000, windowSeconds: 3600, burst: 150, name: "admin" },
			{ limit: 1e12, windowSeconds: 3600, burst: 150 },
		];
		for (const override of invalid) {
			expect(await rejectionOf(stub.setLimitOverride(override as LimitOverride))).toBeInstanceOf(Error);
		}
		expect(await stub.limitOverride()).toEqual(valid);
	});

	it("refuses a malformed consume without touching the bucket", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		expect(await rejectionOf(stub.consume("", slow, T0))).toBeInstanceOf(Error);
		expect(await rejectionOf(stub.consume("tenant", { ...slow, limit: 0 }, T0))).toBeInstanceOf(Error);
		expect(await rejectionOf(stub.consume("tenant", slow, Number.NaN))).toBeInstanceOf(Error);
		expect(await rejectionOf(stub.consume("tenant", slow, T0, 1.5))).toBeInstanceOf(Error);
		expect(await rejectionOf(stub.consume("tenant", slow, T0, 6))).toBeInstanceOf(Error);
		expect(await stub.consume("tenant", slow, T0)).toMatchObject({ allowed: true, remaining: 4 });
	});
});

const hex32 = () => crypto.randomUUID().replaceAll("-", "");
const newSessionId = () => `ses_${hex32()}`;
const newUserId = () => `usr_${hex32()}`;
const HOUR = 3_600_000;

/** One `slow` token from bucket "tenant" at `now`, on `session` (or anonymously). */
const request = (session: AdmitInput["session"], now = T0): AdmitInput => ({
	session,
	key: "tenant",
	policy: slow,
	now,
});

/** A fresh tenant with one session open for an hour from T0. */
async function tenantWithSession(): Promise<{ stub: Stub; session: { id: string; userId: string } }> {
	const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
	const session = { id: newSessionId(), userId: newUserId() };
	expect(
		await stub.openSession({ sessionId: session.id, userId: session.userId, now: T0, expiresAt: T0 + HOUR }),
	).toEqual({ opened: true });
	return { stub, session };
}

describe("TenantObject sessions and status", () => {
	it("admits a request on an open session and spends a token", async () => {
		const { stub, session } = await tenantWithSession();
		expect(await stub.admit(request(session))).toMatchObject({
			outcome: "admitted",
			decision: { allowed: true, remaining: 4, policy: slow },
		});
		expect(await stub.admit(request(session))).toMatchObject({ outcome: "admitted", decision: { remaining: 3 } });
	});

	it("refuses an unknown session without spending a token", async () => {
		const { stub, session } = await tenantWithSession();
		expect(await stub.admit(request({ id: newSessionId(), userId: session.userId }))).toEqual({
			outcome: "unauthenticated",
		});
		expect(await stub.admit(request(session))).toMatchObject({ outcome: "admitted", decision: { remaining: 4 } });
	});

	it("refuses a revoked session without spending a token", async () => {
		const { stub, session } = await tenantWithSession();
		expect(await stub.revokeSession(session.id, T0)).toBe(true);
		expect(await stub.revokeSession(session.id, T0)).toBe(false);
		expect(await stub.admit(request(session))).toEqual({ outcome: "unauthenticated" });
		expect(await stub.admit(request(null))).toMatchObject({ outcome: "admitted", decision: { remaining: 4 } });
	});

	it("refuses a session from the instant it expires without spending a token", async () => {
		const { stub, session } = await tenantWithSession();
		expect(await stub.admit(request(session, T0 + HOUR - 1))).toMatchObject({ outcome: "admitted" });
		expect(await stub.admit(request(session, T0 + HOUR))).toEqual({ outcome: "unauthenticated" });
		// Only 1 ms of refill since the admitted request, far less than a token.
		expect(await stub.admit(request(null, T0 + HOUR))).toMatchObject({ decision: { remaining: 3 } });
		expect(await stub.admit(request(session, T0 + 2 * HOUR))).toEqual({ outcome: "unauthenticated" });
	});

	it("refuses a session presented for another user without spending a token", async () => {
		const { stub, session } = await tenantWithSession();
		expect(await stub.admit(request({ id: session.id, userId: newUserId() }))).toEqual({
			outcome: "unauthenticated",
		});
		expect(await stub.admit(request(session))).toMatchObject({ outcome: "admitted", decision: { remaining: 4 } });
	});

	it("does not resurrect a revoked session when it is opened again", async () => {
		const { stub, session } = await tenantWithSession();
		await stub.revokeSession(session.id, T0);
		const reopen = { sessionId: session.id, userId: session.userId, now: T0, expiresAt: T0 + 2 * HOUR };
		expect(await stub.openSession(reopen)).toEqual({ opened: true });
		expect(await stub.admit(request(session))).toEqual({ outcome: "unauthenticated" });
	});

	it("revokes every session of a user except the one kept", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		const alice = newUserId();
		const kept = { id: newSessionId(), userId: alice };
		const others = [
			{ id: newSessionId(), userId: alice },
			{ id: newSessionId(), userId: alice },
		];
		const bobs = { id: newSessionId(), userId: newUserId() };
		const all = [kept, ...others, bobs];
		for (const s of all) await stub.openSession({ sessionId: s.id, userId: s.userId, now: T0, expiresAt: T0 + HOUR });
		const outcomes = async () => (await Promise.all(all.map((s) => stub.admit(request(s))))).map((a) => a.outcome);

		expect(await stub.revokeUserSessions(alice, T0, kept.id)).toBe(2);
		expect(await outcomes()).toEqual(["admitted", "unauthenticated", "unauthenticated", "admitted"]);
		expect(await stub.revokeUserSessions(alice, T0)).toBe(1);
		expect(await outcomes()).toEqual(["unauthenticated", "unauthenticated", "unauthenticated", "admitted"]);
	});

	it("refuses every request of a suspended tenant without spending a token", async () => {
		const { stub, session } = await tenantWithSession();
		expect(await stub.status()).toBe("active");
		await stub.setStatus("suspended", T0);
		expect(await stub.status()).toBe("suspended");
		expect(await stub.admit(request(null))).toEqual({ outcome: "suspended" });
		expect(await stub.admit(request(session))).toEqual({ outcome: "suspended" });
		expect(await stub.admit(request({ id: newSessionId(), userId: newUserId() }))).toEqual({ outcome: "suspended" });
		await stub.setStatus("active", T0);
		expect(await stub.admit(request(null))).toMatchObject({ outcome: "admitted", decision: { remaining: 4 } });
	});

	it("refuses to open a session while suspended", async () => {
		const { stub } = await tenantWithSession();
		await stub.setStatus("suspended", T0);
		const session = { id: newSessionId(), userId: newUserId() };
		expect(
			await stub.openSession({ sessionId: session.id, userId: session.userId, now: T0, expiresAt: T0 + HOUR }),
		).toEqual({ opened: false, reason: "suspended" });
		await stub.setStatus("active", T0);
		expect(await stub.admit(request(session))).toEqual({ outcome: "unauthenticated" });
	});

	it("keeps the sessions of a suspension revoked after reactivation", async () => {
		const { stub, session } = await tenantWithSession();
		await stub.setStatus("suspended", T0);
		await stub.setStatus("active", T0 + 1);
		expect(await stub.status()).toBe("active");
		expect(await stub.admit(request(session, T0 + 2))).toEqual({ outcome: "unauthenticated" });
		const fresh = { id: newSessionId(), userId: session.userId };
		await stub.openSession({ sessionId: fresh.id, userId: fresh.userId, now: T0 + 2, expiresAt: T0 + HOUR });
		expect(await stub.admit(request(fresh, T0 + 2))).toMatchObject({ outcome: "admitted" });
	});

	it("keeps its status across eviction", async () => {
		const { stub, session } = await tenantWithSession();
		await stub.setStatus("suspended", T0);
		await evictDurableObject(stub);
		expect(await stub.status()).toBe("suspended");
		expect(await stub.admit(request(null))).toEqual({ outcome: "suspended" });
		await stub.setStatus("active", T0);
		await evictDurableObject(stub);
		expect(await stub.status()).toBe("active");
		expect(await stub.admit(request(session))).toEqual({ outcome: "unauthenticated" });
		expect(await stub.admit(request(null))).toMatchObject({ outcome: "admitted" });
	});

	it("admits exactly the burst out of 60 parallel requests on one session", async () => {
		const { stub, session } = await tenantWithSession();
		const tight: BucketPolicy = { name: "tight", limit: 20, windowSeconds: 3600, burst: 20 };
		const admissions = await Promise.all(
			Array.from({ length: 60 }, () => stub.admit({ session, key: "tenant", policy: tight, now: T0 })),
		);
		const remaining = admissions.flatMap((a) => (a.outcome === "admitted" ? [a.decision.remaining] : []));
		expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
		expect(admissions.filter((a) => a.outcome === "limited")).toHaveLength(40);
	});

	it("applies the limit override to admits except on auth buckets", async () => {
		const { stub, session } = await tenantWithSession();
		await stub.setLimitOverride({ limit: 1, windowSeconds: 3600, burst: 2 });
		const admits = (key: string, policy: BucketPolicy) =>
			Promise.all(Array.from({ length: 10 }, () => stub.admit({ session, key, policy, now: T0 })));
		const [general, auth] = await Promise.all([
			admits("tenant", buyerPolicy),
			admits("auth:ip:203.0.113.7", authPerIpPolicy),
		]);
		expect(general.filter((a) => a.outcome === "admitted")).toHaveLength(2);
		expect(auth.filter((a) => a.outcome === "admitted")).toHaveLength(10);
	});

	it("spends the requested cost on an admit", async () => {
		const { stub, session } = await tenantWithSession();
		expect(await stub.admit({ ...request(session), cost: 3 })).toMatchObject({ decision: { remaining: 2 } });
		expect(await stub.admit({ ...request(session), cost: 3 })).toMatchObject({ outcome: "limited" });
	});

	it("prunes sessions expired for more than a day when a session opens", async () => {
		const stub = namespace.getByName(`seller_${crypto.randomUUID()}`);
		const userId = newUserId();
		const open = (sessionId: string, now: number, expiresAt: number) =>
			stub.openSession({ sessionId, userId, now, expiresAt });
		const old = newSessionId();
		const recent = newSessionId();
		await open(old, T0, T0 + HOUR);
		await open(recent, T0, T0 + 2 * HOUR);
		const later = T0 + 2 * HOUR + 24 * HOUR;
		await open(newSessionId(), later, later + HOUR);
		const ids = await runInDurableObject(stub, (_instance, state) =>
			state.storage.sql.exec<{ id: string }>("SELECT id FROM sessions").toArray(),
		);
		expect(ids.map((row) => row.id)).not.toContain(old);
		expect(ids.map((row) => row.id)).toContain(recent);
		expect(ids).toHaveLength(2);
	});

	it("refuses malformed session and status input without changing anything", async () => {
		const { stub, session } = await tenantWithSession();
		const opening = { sessionId: newSessionId(), userId: newUserId(), now: T0, expiresAt: T0 + HOUR };
		const calls: Promise<unknown>[] = [
			stub.openSession({ ...opening, sessionId: "ses_0123" }),
			stub.openSession({ ...opening, sessionId: opening.sessionId.toUpperCase() }),
			stub.openSession({ ...opening, userId: "usr_nope" }),
			stub.openSession({ ...opening, expiresAt: T0 }),
			stub.openSession({ ...opening, now: -1, expiresAt: T0 }),
			stub.openSession({ ...opening, role: "admin" } as typeof opening),
			stub.admit(request(session, -1)),
			stub.admit(request({ id: "ses_bad", userId: session.userId })),
			stub.admit(request({ ...session, role: "admin" } as typeof session)),
			stub.admit({ ...request(session), cost: 1.5 }),
			stub.admit({ ...request(session), key: "" }),
			stub.revokeSession("ses_bad", T0),
			stub.revokeSession(session.id, -1),
			stub.revokeUserSessions(session.userId, T0, "ses_bad"),
			stub.revokeUserSessions("usr_bad", T0),
			stub.setStatus("deleted" as "active", T0),
			stub.setStatus("suspended", -1),
		];
		for (const call of calls) expect(await rejectionOf(call)).toBeInstanceOf(Error);
		expect(await stub.status()).toBe("active");
		expect(await stub.admit(request({ id: opening.sessionId, userId: opening.userId }))).toEqual({
			outcome: "unauthenticated",
		});
		expect(await stub.admit(request(session))).toMatchObject({ outcome: "admitted", decision: { remaining: 4 } });
	});
});

describe("TenantObject's alarm, left only for per-IP objects made before the edge limiter", () => {
	const guest = (now: number): AdmitInput => ({ session: null, key: "anonymous", policy: anonymousPolicy, now });
	const tablesOf = (stub: Stub) =>
		runInDurableObject(stub, (_instance, state) =>
			state.storage.sql
				.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name IN ('buckets', 'sessions', '_migrations')")
				.toArray()
				.map((row) => row.name)
				.sort(),
		);
	const alarmOf = (stub: Stub) => runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());

	it("deletes a legacy per-IP object's storage when its pending alarm fires, and works as new afterwards", async () => {
		const stub = namespace.getByName(`ip:198.51.100.${crypto.randomUUID()}`);
		for (let i = 0; i < 3; i++) expect((await stub.admit(guest(Date.now()))).outcome).toBe("admitted");
		// The alarm such an object was given by the code before the edge limiter.
		await runInDurableObject(stub, (_instance, state) => state.storage.setAlarm(Date.now() + HOUR));
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await tablesOf(stub)).toEqual([]);
		expect(await stub.admit(guest(Date.now()))).toMatchObject({
			outcome: "admitted",
			decision: { remaining: anonymousPolicy.burst - 1 },
		});
		expect(await tablesOf(stub)).toEqual(["_migrations", "buckets", "sessions"]);
	});

	it("never sets an alarm itself, in any object", async () => {
		const { stub, session } = await tenantWithSession();
		for (let i = 0; i < 5; i++) expect((await stub.admit(request(session))).outcome).toBe("admitted");
		const client = namespace.getByName(`ip:198.51.100.${crypto.randomUUID()}`);
		expect((await client.admit(guest(Date.now()))).outcome).toBe("admitted");
		expect(await alarmOf(stub)).toBeNull();
		expect(await alarmOf(client)).toBeNull();
		expect(await runDurableObjectAlarm(stub)).toBe(false);
	});

	it("keeps an object that holds sessions when an alarm fires", async () => {
		const { stub, session } = await tenantWithSession();
		await runInDurableObject(stub, (_instance, state) => state.storage.setAlarm(Date.now() + HOUR));
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect((await stub.admit(request(session))).outcome).toBe("admitted");
	});
});
