/**
 * `/api/v1/admin/tenants`: list tenants with their status and limits; suspend, reactivate and
 * override a tenant's rate limit. Admin only (the access table), every change audited.
 *
 * The tenant's Durable Object holds the state that is enforced (status, sessions, limit
 * override) and is written first, so a suspension bites on the very next request; D1 mirrors it
 * for listing. If the D1 write fails after the object's, the answer is a 500 and repeating the
 * same PATCH converges both (every step is idempotent).
 */
import { Hono } from "hono";
import { z } from "zod";
import { tenantId } from "../../../queues/envelope.ts";
import type { TokenRole } from "../../../shared/auth/jwt.ts";
import { cursorQuery, encodeCursor } from "../../../shared/http/cursor.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { readJson, readParams, readQuery } from "../../../shared/http/validate.ts";
import { type LimitOverride, policyForRole } from "../../../shared/rate-limit/policies.ts";
import { recordAudit } from "../audit.ts";
import type { DispatchHono } from "../types.ts";

const rateLimitBody = z
	.object({
		limit: z.number().int().min(1).max(1_000_000),
		window_seconds: z.number().int().min(1).max(86_400),
		burst: z.number().int().min(1).max(100_000),
	})
	.strict();
type RateLimitBody = z.infer<typeof rateLimitBody>;

const patchSchema = z
	.object({
		status: z.enum(["active", "suspended"]).optional(),
		/** `null` clears the override and the role's defaults apply again. */
		rate_limit: rateLimitBody.nullable().optional(),
	})
	.strict()
	.refine((body) => body.status !== undefined || body.rate_limit !== undefined, {
		message: "send status, rate_limit or both",
	});

const listQuery = z
	.object({
		status: z.enum(["active", "suspended"]).optional(),
		kind: z.enum(["seller", "buyer", "investor", "admin"]).optional(),
		limit: z.coerce.number().int().min(1).max(100).default(50),
		cursor: cursorQuery.optional(),
	})
	.strict();

interface TenantRow {
	id: string;
	kind: TokenRole;
	name: string;
	status: "active" | "suspended";
	rate_limit: string | null;
	created_at: string;
	updated_at: string;
	users: number;
}

const storedRateLimit = rateLimitBody.nullable();

/** The tenant as admins see it: its override (`null` for the role's defaults) and the limit in force. */
function toAdminTenant(row: TenantRow) {
	let rateLimit: RateLimitBody | null = null;
	if (row.rate_limit !== null) {
		const parsed = storedRateLimit.safeParse(JSON.parse(row.rate_limit));
		if (!parsed.success) throw new Error(`stored rate_limit of ${row.id} is invalid`, { cause: parsed.error });
		rateLimit = parsed.data;
	}
	const defaults = policyForRole(row.kind);
	const effective = rateLimit ?? {
		limit: defaults.limit,
		window_seconds: defaults.windowSeconds,
		burst: defaults.burst,
	};
	return { ...row, rate_limit: rateLimit, effective_rate_limit: effective };
}

const SELECT_TENANT = `
	SELECT t.id, t.kind, t.name, t.status, t.rate_limit, t.created_at, t.updated_at,
	       (SELECT COUNT(*) FROM users u WHERE u.tenant_id = t.id) AS users
	FROM tenants t`;

const toOverride = (body: RateLimitBody): LimitOverride => ({
	limit: body.limit,
	windowSeconds: body.window_seconds,
	burst: body.burst,
});

export const admin = new Hono<DispatchHono>()
	.get("/admin/tenants", async (c) => {
		const query = readQuery(c, listQuery);
		const where: string[] = [];
		const binds: (string | number)[] = [];
		if (query.status) {
			where.push("t.status = ?");
			binds.push(query.status);
		}
		if (query.kind) {
			where.push("t.kind = ?");
			binds.push(query.kind);
		}
		if (query.cursor) {
			where.push("(t.created_at, t.id) < (?, ?)");
			binds.push(...query.cursor);
		}
		const { results } = await c.env.DB.prepare(
			`${SELECT_TENANT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
			 ORDER BY t.created_at DESC, t.id DESC LIMIT ?`,
		)
			.bind(...binds, query.limit + 1)
			.all<TenantRow>();
		const items = results.slice(0, query.limit).map(toAdminTenant);
		const last = items.at(-1);
		const next_cursor = results.length > query.limit && last ? encodeCursor([last.created_at, last.id]) : null;
		return c.json({ items, next_cursor });
	})
	.patch("/admin/tenants/:id", async (c) => {
		const { id } = readParams(c, z.object({ id: tenantId }));
		const body = await readJson(c, patchSchema);
		const principal = c.get("principal");
		if (body.status === "suspended" && principal?.tenantId === id) {
			throw new HttpProblem({ reason: "conflict", detail: "You cannot suspend your own tenant." });
		}
		const existing = await c.env.DB.prepare(`${SELECT_TENANT} WHERE t.id = ?`).bind(id).first<TenantRow>();
		if (!existing) throw new HttpProblem({ reason: "not_found" });

		const now = Date.now();
		const tenantObject = c.env.TenantObject.getByName(id);
		if (body.status !== undefined) await tenantObject.setStatus(body.status, now);
		if (body.rate_limit !== undefined) {
			await tenantObject.setLimitOverride(body.rate_limit === null ? null : toOverride(body.rate_limit));
		}
		const sets: string[] = ["updated_at = ?"];
		const binds: (string | null)[] = [new Date(now).toISOString()];
		if (body.status !== undefined) {
			sets.push("status = ?");
			binds.push(body.status);
		}
		if (body.rate_limit !== undefined) {
			sets.push("rate_limit = ?");
			binds.push(body.rate_limit === null ? null : JSON.stringify(body.rate_limit));
		}
		await c.env.DB.prepare(`UPDATE tenants SET ${sets.join(", ")} WHERE id = ?`)
			.bind(...binds, id)
			.run();
		await recordAudit(c, {
			action: "admin.tenant_updated",
			subjectTenantId: id,
			detail: {
				status: body.status ?? null,
				rate_limit: body.rate_limit === undefined ? null : JSON.stringify(body.rate_limit),
				previous_status: existing.status,
			},
		});
		const updated = await c.env.DB.prepare(`${SELECT_TENANT} WHERE t.id = ?`).bind(id).first<TenantRow>();
		if (!updated) throw new HttpProblem({ reason: "not_found" });
		return c.json(toAdminTenant(updated), 200);
	});
