/**
 * TenantObject: one Durable Object per tenant (or per anonymous client IP), holding the tenant's
 * own SQLite state: usage counters, rate-limit token buckets and the admin's limit override;
 * sessions as they land. A single-threaded object per tenant is what makes its counters exact
 * without locks: each method below reads, decides and writes with no `await` in between, so no
 * other call can interleave and a burst of parallel requests never overdraws a bucket.
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

/** `settings` key of the admin's override of this tenant's limits. */
const OVERRIDE_KEY = "rate_limit_override";
/** Bucket keys with this prefix are auth buckets, which an override never loosens. */
const AUTH_PREFIX = "auth:";

const consumeSchema = z.object({
	key: z.string().min(1).max(256),
	policy: bucketPolicySchema,
	now: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
	cost: z.number().int().nonnegative().max(100_000),
});

export interface DailyUsage {
	day: string;
	requests: number;
}

export class TenantObject extends DurableObject {
	/** The stored override, read once per instance; `undefined` until read. Only this object writes it. */
	#cachedOverride: LimitOverride | null | undefined;

	constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
		super(ctx, env);
		migrate(ctx.storage, migrations);
	}

	/** Counts `count` requests on the UTC day of `now` and returns that day's total. */
	recordRequests(now: number, count = 1): DailyUsage {
		const day = new Date(now).toISOString().slice(0, 10);
		const [row] = query(this.ctx.storage.sql)<{ day: string; requests: number }>`
			INSERT INTO usage_daily (day, requests) VALUES (${day}, ${count})
			ON CONFLICT (day) DO UPDATE SET requests = requests + excluded.requests
			RETURNING day, requests`;
		if (!row) throw new Error("usage upsert returned no row");
		return row;
	}

	/** Usage for the last `days` UTC days up to `now`, newest first. */
	usage(now: number, days = 30): DailyUsage[] {
		const since = new Date(now - (days - 1) * 86_400_000).toISOString().slice(0, 10);
		return query(this.ctx.storage.sql)<{ day: string; requests: number }>`
			SELECT day, requests FROM usage_daily WHERE day >= ${since} ORDER BY day DESC`;
	}

	/**
	 * Takes `cost` tokens from the bucket `key` under `policy` (with this tenant's override, unless
	 * `key` is an auth bucket) at time `now`, and says whether the request may proceed.
	 */
	consume(key: string, policy: BucketPolicy, now: number, cost = 1): RateLimitDecision {
		const input = consumeSchema.parse({ key, policy, now, cost });
		const effective = input.key.startsWith(AUTH_PREFIX) ? input.policy : applyOverride(input.policy, this.#override());
		const sql = query(this.ctx.storage.sql);
		const [row] = sql<{ tokens: number; updated_at: number }>`
			SELECT tokens, updated_at FROM buckets WHERE key = ${input.key}`;
		const stored = row ? { tokens: row.tokens, updatedAt: row.updated_at } : null;
		const { decision, state } = take(stored, effective, input.now, input.cost);
		// A refusal spends nothing, and refill is recomputed from the stored row next time, so
		// writing it back would change no outcome; skipping it keeps a flood of refusals write-free.
		if (decision.allowed) {
			sql`INSERT INTO buckets (key, tokens, updated_at) VALUES (${input.key}, ${state.tokens}, ${state.updatedAt})
				ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`;
		}
		return decision;
	}

	/** Sets (or, with `null`, clears) the admin's override of this tenant's non-auth limits. */
	setLimitOverride(override: LimitOverride | null): void {
		const parsed = limitOverrideSchema.nullable().parse(override);
		const sql = query(this.ctx.storage.sql);
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

	#override(): LimitOverride | null {
		if (this.#cachedOverride === undefined) this.#cachedOverride = this.#readOverride();
		return this.#cachedOverride;
	}

	#readOverride(): LimitOverride | null {
		const [row] = query(this.ctx.storage.sql)<{ value: string }>`
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
