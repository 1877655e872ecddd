/**
 * `/api/v1/admin/tenants`: list tenants with their status and limits; suspend, reactivate and
 * override a tenant's rate limit. Admin only (the access table), every change audited.
 *
 * The tenant's Durable Object holds the state that is enforced (status, sessions, limit
 * override) and is written first, so a suspension bites on the very next request; D1 mirrors it
 * for listing. If the D1 write fails after the object's, the answer is a 500 and repeating the
 * same PATCH converges both (every step is idempotent). Queries, bodies and answers are declared,
 * and validated, by the contract (shared/contract/routes/admin.ts).
 */
import type { z } from "@hono/zod-openapi";
import type { TokenRole } from "../../../shared/auth/jwt.ts";
import { contractApp } from "../../../shared/contract/app.ts";
import { adminRoutes as r, rateLimit } from "../../../shared/contract/routes/admin.ts";
import { encodeCursor } from "../../../shared/http/cursor.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { type LimitOverride, policyForRole } from "../../../shared/rate-limit/policies.ts";
import { recordAudit } from "../audit.ts";
import type { DispatchHono } from "../types.ts";

type RateLimitBody = z.infer<typeof rateLimit>;

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

const storedRateLimit = rateLimit.nullable();

/** The tenant as admins see it: its override (`null` for the role's defaults) and the limit in force. */
function toAdminTenant(row: TenantRow) {
	let override: RateLimitBody | null = null;
	if (row.rate_limit !== null) {
		const parsed = storedRateLimit.safeParse(JSON.parse(row.rate_limit));
		if (!parsed.success) throw new Error(`stored rate_limit of ${row.id} is invalid`, { cause: parsed.error });
		override = parsed.data;
	}
	const defaults = policyForRole(row.kind);
	const effective = override ?? {
		limit: defaults.limit,
		window_seconds: defaults.windowSeconds,
		burst: defaults.burst,
	};
	return { ...row, rate_limit: override, effective_rate_limit: effective };
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

export const admin = contractApp<DispatchHono>()
	.openapi(r.listTenants, async (c) => {
		const query = c.req.valid("query");
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
		return c.json({ items, next_cursor }, 200);
	})
	.openapi(r.updateTenant, async (c) => {
		const { id } = c.req.valid("param");
		const body = c.req.valid("json");
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
