/**
 * `GET /api/v1/admin/audit`: the audit log (`audit_log`, written by the `audit.record` consumer),
 * newest first on the (occurred_at, event_id) index, filtered by action, by the tenant acted on
 * or by who acted. Admin only (the access table). The log is as fresh as the backoffice queue:
 * an action shows seconds after it was taken.
 */
import { contractApp } from "../../../shared/contract/app.ts";
import { operationsRoutes as r } from "../../../shared/contract/routes/operations.ts";
import { encodeCursor } from "../../../shared/http/cursor.ts";
import type { DispatchHono } from "../types.ts";

interface AuditRow {
	event_id: string;
	action: string;
	actor_user_id: string | null;
	actor_tenant_id: string | null;
	subject_tenant_id: string | null;
	detail: string;
	occurred_at: string;
}

/** The stored detail, an object as every writer stores it; anything else is answered under `value`. */
function parsedDetail(text: string): Record<string, unknown> {
	try {
		const value: unknown = JSON.parse(text);
		if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
		return { value };
	} catch {
		return { value: text };
	}
}

export const auditLog = contractApp<DispatchHono>().openapi(r.listAudit, async (c) => {
	const query = c.req.valid("query");
	const where: string[] = [];
	const binds: string[] = [];
	if (query.action) {
		where.push("action = ?");
		binds.push(query.action);
	}
	if (query.tenant) {
		where.push("subject_tenant_id = ?");
		binds.push(query.tenant);
	}
	if (query.actor) {
		where.push(query.actor.startsWith("usr_") ? "actor_user_id = ?" : "actor_tenant_id = ?");
		binds.push(query.actor);
	}
	if (query.cursor) {
		where.push("(occurred_at, event_id) < (?, ?)");
		binds.push(...query.cursor);
	}
	const { results } = await c.env.DB.prepare(
		`SELECT event_id, action, actor_user_id, actor_tenant_id, subject_tenant_id, detail, occurred_at
		 FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
		 ORDER BY occurred_at DESC, event_id DESC LIMIT ?`,
	)
		.bind(...binds, query.limit + 1)
		.all<AuditRow>();
	const rows = results.slice(0, query.limit);
	const last = rows.at(-1);
	const next_cursor = results.length > query.limit && last ? encodeCursor([last.occurred_at, last.event_id]) : null;
	return c.json({ items: rows.map((row) => ({ ...row, detail: parsedDetail(row.detail) })), next_cursor }, 200);
});
