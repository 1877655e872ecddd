/**
 * TenantObject: one Durable Object per tenant, holding the tenant's own SQLite state: usage
 * counters, rate-limit token buckets and the admin's limit override, the tenant's sessions and
 * its status (active or suspended). Callers without a tenant (anonymous clients, sign-in buckets
 * per address and per account) are limited by the in-memory EdgeLimiter shards instead, so a new
 * address never creates an object with storage.
 *
 * This object is the one strongly consistent place the edge asks on every request: `admit`
 * checks the status, then the session, then spends a token, in a single call. A JWT alone stays
 * valid until it expires; because every request also needs its session here, a logout, a
 * "sign out everywhere" or a suspension takes effect on the very next request, with no cache to
 * go stale and no replication lag. The price is a round trip to this object per request, which
 * the rate limiter already paid.
 *
 * A single-threaded object per tenant is what makes all of this exact without locks: each method
 * below reads, decides and writes with no `await` in between, so no other call can interleave.
 * A burst of parallel requests never overdraws a bucket, and once a revocation or a suspension
 * has returned, every later `admit` sees it.
 */
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import {
	applyOverride,
	bucketPolicySchema,
	type LimitOverride,
	limitOverrideSchema,
} from "../../shared/rate-limit/policies.ts";
import { type BucketPolicy, type RateLimitDecision, take } from "../../shared/rate-limit/token-bucket.ts";
import { migrate, query } from "../sqlite.ts";
import { migrations } from "./migrations.ts";
import {
	isSessionLive,
	pruneCutoff,
	sessionIdSchema,
	type TenantStatus,
	tenantStatusSchema,
	userIdSchema,
} from "./sessions.ts";

export type { TenantStatus } from "./sessions.ts";

/** `settings` key of the admin's override of this tenant's limits. */
const OVERRIDE_KEY = "rate_limit_override";
/** `settings` key of the tenant's status; absent means active. */
const STATUS_KEY = "status";
/** Bucket keys with this prefix are auth buckets, which an override never loosens. */
const AUTH_PREFIX = "auth:";

/** ms since the epoch, as every caller passes it. */
const timeSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const bucketKeySchema = z.string().min(1).max(256);
const costSchema = z.number().int().nonnegative().max(100_000);

const consumeSchema = z.object({
	key: bucketKeySchema,
	policy: bucketPolicySchema,
	now: timeSchema,
	cost: costSchema,
});

const openSessionSchema = z
	.object({ sessionId: sessionIdSchema, userId: userIdSchema, now: timeSchema, expiresAt: timeSchema })
	.strict()
	.refine((input) => input.expiresAt > input.now, { message: "expiresAt must be after now", path: ["expiresAt"] });

const admitSchema = z
	.object({
		session: z.object({ id: sessionIdSchema, userId: userIdSchema }).strict().nullable(),
		key: bucketKeySchema,
		policy: bucketPolicySchema,
		now: timeSchema,
		cost: costSchema.default(1),
	})
	.strict();

const revokeSessionSchema = z.object({ sessionId: sessionIdSchema, now: timeSchema });
const revokeUserSessionsSchema = z.object({
	userId: userIdSchema,
	now: timeSchema,
	keepSessionId: sessionIdSchema.nullish(),
});
const setStatusSchema = z.object({ status: tenantStatusSchema, now: timeSchema });

export interface OpenSessionInput {
	sessionId: string;
	userId: string;
	/** ms since the epoch. */
	now: number;
	/** ms since the epoch; the session is refused from this instant on. */
	expiresAt: number;
}

export type OpenSessionResult = { opened: true } | { opened: false; reason: "suspended" };

export interface AdmitInput {
	/** The session the request's token names, or `null` for an anonymous request. */
	session: { id: string; userId: string } | null;
	key: string;
	policy: BucketPolicy;
	now: number;
	cost?: number;
}

export type Admission =
	| { outcome: "admitted"; decision: RateLimitDecision }
	| { outcome: "limited"; decision: RateLimitDecision }
	/** The session is unknown, revoked, expired, or belongs to another user; no token was spent. */
	| { outcome: "unauthenticated" }
	/** The tenant is suspended; no token was spent. */
	| { outcome: "suspended" };

export interface DailyUsage {
	day: string;
	requests: number;
}

export class TenantObject extends DurableObject {
	/** The stored override, read once per instance; `undefined` until read. Only this object writes it. */
	#cachedOverride: LimitOverride | null | undefined;
	/** The stored status, read once per instance; `undefined` until read. Only this object writes it. */
	#cachedStatus: TenantStatus | undefined;

	/** False once the alarm has deleted this object's storage; the next call re-creates the schema. */
	#schemaReady: boolean;

	constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
		super(ctx, env);
		migrate(ctx.storage, migrations);
		this.#schemaReady = true;
	}

	/**
	 * Only objects from before the EdgeLimiter ever had an alarm: per-IP (`ip:…`) and per-account
	 * (`acct:…`) objects that held nothing but buckets, set to forget themselves once full. When
	 * such an alarm fires, the object's storage is deleted unless it holds sessions, settings or
	 * usage (a tenant's object never had the alarm, and is never deleted here).
	 */
	override async alarm(): Promise<void> {
		const [kept] = this.#query()<{ n: number }>`
			SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM settings) + (SELECT count(*) FROM usage_daily) AS n`;
		if ((kept?.n ?? 0) > 0) return;
		await this.ctx.storage.deleteAll();
		this.#schemaReady = false;
		this.#cachedOverride = undefined;
		this.#cachedStatus = undefined;
	}

	/** Counts `count` requests on the UTC day of `now` and returns that day's total. */
	recordRequests(now: number, count = 1): DailyUsage {
		const day = new Date(now).toISOString().slice(0, 10);
		const [row] = this.#query()<{ day: string; requests: number }>`
			INSERT INTO usage_daily (day, requests) VALUES (${day}, ${count})
			ON CONFLICT (day) DO UPDATE SET requests = requests + excluded.requests
			RETURNING day, requests`;
		if (!row) throw new Error("usage upsert returned no row");
		return row;
	}

	/** Usage for the last `days` UTC days up to `now`, newest first. */
	usage(now: number, days = 30): DailyUsage[] {
		const since = new Date(now - (days - 1) * 86_400_000).toISOString().slice(0, 10);
		return this.#query()<{ day: string; requests: number }>`
			SELECT day, requests FROM usage_daily WHERE day >= ${since} ORDER BY day DESC`;
	}

	/**
	 * Takes `cost` tokens from the bucket `key` under `policy` (with this tenant's override, unless
	 * `key` is an auth bucket) at time `now`, and says whether the request may proceed.
	 */
	consume(key: string, policy: BucketPolicy, now: number, cost = 1): RateLimitDecision {
		return this.#take(consumeSchema.parse({ key, policy, now, cost }));
	}

	/**
	 * Opens session `sessionId` for `userId` until `expiresAt`, unless the tenant is suspended.
	 * Idempotent on the id: re-opening an existing session changes nothing, so a revoked session
	 * stays revoked.
	 */
	openSession(input: OpenSessionInput): OpenSessionResult {
		const parsed = openSessionSchema.parse(input);
		if (this.#status() === "suspended") return { opened: false, reason: "suspended" };
		const sql = this.#query();
		sql`INSERT INTO sessions (id, user_id, created_at, expires_at, revoked_at)
			VALUES (${parsed.sessionId}, ${parsed.userId}, ${parsed.now}, ${parsed.expiresAt}, NULL)
			ON CONFLICT (id) DO NOTHING`;
		// Sessions are opened far less often than requests arrive, so this is where the table is kept small.
		sql`DELETE FROM sessions WHERE expires_at < ${pruneCutoff(parsed.now)}`;
		return { opened: true };
	}

	/**
	 * The edge's one call per request: refuses a suspended tenant, then (when the request names
	 * one) a session that is not live for its user, and only then takes `cost` tokens from bucket
	 * `key` exactly as `consume` does. A refusal before the bucket spends nothing.
	 */
	admit(input: AdmitInput): Admission {
		const parsed = admitSchema.parse(input);
		if (this.#status() === "suspended") return { outcome: "suspended" };
		if (parsed.session !== null && !this.#sessionLive(parsed.session.id, parsed.session.userId, parsed.now)) {
			return { outcome: "unauthenticated" };
		}
		const decision = this.#take(parsed);
		return decision.allowed ? { outcome: "admitted", decision } : { outcome: "limited", decision };
	}

	/** Revokes session `sessionId` (logout); true if it was live at `now`. */
	revokeSession(sessionId: string, now: number): boolean {
		const parsed = revokeSessionSchema.parse({ sessionId, now });
		const revoked = this.#query()<{ expires_at: number }>`
			UPDATE sessions SET revoked_at = ${parsed.now} WHERE id = ${parsed.sessionId} AND revoked_at IS NULL
			RETURNING expires_at`;
		return countLive(revoked, parsed.now) > 0;
	}

	/**
	 * Revokes every session of `userId` except `keepSessionId` (password change, "sign out
	 * everywhere else"); returns how many of them were live at `now`.
	 */
	revokeUserSessions(userId: string, now: number, keepSessionId: string | null = null): number {
		const parsed = revokeUserSessionsSchema.parse({ userId, now, keepSessionId });
		const revoked = this.#query()<{ expires_at: number }>`
			UPDATE sessions SET revoked_at = ${parsed.now}
			WHERE user_id = ${parsed.userId} AND revoked_at IS NULL AND id IS NOT ${parsed.keepSessionId ?? null}
			RETURNING expires_at`;
		return countLive(revoked, parsed.now);
	}

	/**
	 * Sets the tenant's status. Suspending also revokes every session, so reactivating the tenant
	 * later does not bring any of them back: its users sign in again.
	 */
	setStatus(status: TenantStatus, now: number): void {
		const parsed = setStatusSchema.parse({ status, now });
		const sql = this.#query();
		if (parsed.status === "active") {
			sql`DELETE FROM settings WHERE key = ${STATUS_KEY}`;
		} else {
			sql`INSERT INTO settings (key, value) VALUES (${STATUS_KEY}, ${parsed.status})
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
			sql`UPDATE sessions SET revoked_at = ${parsed.now} WHERE revoked_at IS NULL`;
		}
		this.#cachedStatus = parsed.status;
	}

	/** The tenant's status: "active" until an admin suspends it. */
	status(): TenantStatus {
		return this.#status();
	}

	/** Sets (or, with `null`, clears) the admin's override of this tenant's non-auth limits. */
	setLimitOverride(override: LimitOverride | null): void {
		const parsed = limitOverrideSchema.nullable().parse(override);
		const sql = this.#query();
		if (parsed === null) {
			sql`DELETE FROM settings WHERE key = ${OVERRIDE_KEY}`;
		} else {
			sql`INSERT INTO settings (key, value) VALUES (${OVERRIDE_KEY}, ${JSON.stringify(parsed)})
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
		}
		this.#cachedOverride = parsed;
	}

	/** The admin's override of this tenant's limits, or `null` when the defaults apply. */
	limitOverride(): LimitOverride | null {
		return this.#override();
	}

	/** `consume` on already-parsed input; the override applies except to auth buckets. */
	#take(input: { key: string; policy: BucketPolicy; now: number; cost: number }): RateLimitDecision {
		const effective = input.key.startsWith(AUTH_PREFIX) ? input.policy : applyOverride(input.policy, this.#override());
		const sql = this.#query();
		const [row] = sql<{ tokens: number; updated_at: number }>`
			SELECT tokens, updated_at FROM buckets WHERE key = ${input.key}`;
		const stored = row ? { tokens: row.tokens, updatedAt: row.updated_at } : null;
		const { decision, state } = take(stored, effective, input.now, input.cost);
		// A refusal spends nothing, and refill is recomputed from the stored row next time, so
		// writing it back would change no outcome; skipping it keeps a flood of refusals write-free.
		if (decision.allowed) {
			const fullAt = state.updatedAt + decision.resetSeconds * 1000;
			sql`INSERT INTO buckets (key, tokens, updated_at, full_at)
				VALUES (${input.key}, ${state.tokens}, ${state.updatedAt}, ${fullAt})
				ON CONFLICT (key) DO UPDATE SET
				  tokens = excluded.tokens, updated_at = excluded.updated_at, full_at = excluded.full_at`;
		}
		return decision;
	}

	/** The query helper, after re-creating the schema if the alarm deleted it. */
	#query() {
		if (!this.#schemaReady) {
			migrate(this.ctx.storage, migrations);
			this.#schemaReady = true;
		}
		return query(this.ctx.storage.sql);
	}

	#sessionLive(sessionId: string, userId: string, now: number): boolean {
		const [row] = this.#query()<{ user_id: string; expires_at: number; revoked_at: number | null }>`
			SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = ${sessionId}`;
		const stored = row ? { userId: row.user_id, expiresAt: row.expires_at, revokedAt: row.revoked_at } : null;
		return isSessionLive(stored, userId, now);
	}

	#status(): TenantStatus {
		if (this.#cachedStatus === undefined) this.#cachedStatus = this.#readStatus();
		return this.#cachedStatus;
	}

	#readStatus(): TenantStatus {
		const [row] = this.#query()<{ value: string }>`
			SELECT value FROM settings WHERE key = ${STATUS_KEY}`;
		if (!row) return "active";
		const result = tenantStatusSchema.safeParse(row.value);
		if (!result.success) throw new Error("stored tenant status is invalid", { cause: result.error });
		return result.data;
	}

	#override(): LimitOverride | null {
		if (this.#cachedOverride === undefined) this.#cachedOverride = this.#readOverride();
		return this.#cachedOverride;
	}

	#readOverride(): LimitOverride | null {
		const [row] = this.#query()<{ value: string }>`
			SELECT value FROM settings WHERE key = ${OVERRIDE_KEY}`;
		if (!row) return null;
		let json: unknown;
		try {
			json = JSON.parse(row.value);
		} catch (cause) {
			throw new Error("stored rate-limit override is not JSON", { cause });
		}
		const result = limitOverrideSchema.safeParse(json);
		if (!result.success) throw new Error("stored rate-limit override is invalid", { cause: result.error });
		return result.data;
	}
}

/** How many of the just-revoked sessions were still live at `now` (an expired one is revoked too, harmlessly). */
function countLive(revoked: readonly { expires_at: number }[], now: number): number {
	return revoked.filter((row) => row.expires_at > now).length;
}
