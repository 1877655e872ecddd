/**
 * TenantObject: one Durable Object per tenant (or per anonymous client IP), holding the tenant's
 * own SQLite state: usage counters now; token buckets, limit overrides and sessions as they land.
 * A single-threaded object per tenant is what makes its counters exact without locks.
 */
import { DurableObject } from "cloudflare:workers";
import { migrate, query } from "../sqlite.ts";
import { migrations } from "./migrations.ts";

export interface DailyUsage {
	day: string;
	requests: number;
}

export class TenantObject extends DurableObject {
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
}
