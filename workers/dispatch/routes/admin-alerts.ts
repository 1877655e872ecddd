/**
 * `GET /api/v1/admin/alerts`: the alerts the consumers Worker's rules opened and closed
 * (workers/consumers/alerts/), newest first, firing or resolved, paged by (fired_at, id) cursors
 * like the tenants list. Admin only (the access table); a read, so nothing is audited. The
 * bookkeeping columns (`notified_*`) stay inside: an admin sees what fired, not the mail queue.
 */
import { contractApp } from "../../../shared/contract/app.ts";
import { type AlertRule, adminAlertsRoutes as r } from "../../../shared/contract/routes/admin-alerts.ts";
import { encodeCursor } from "../../../shared/http/cursor.ts";
import type { DispatchHono } from "../types.ts";

interface AlertRow {
	id: string;
	rule: AlertRule;
	subject: string;
	status: "firing" | "resolved";
	value: number;
	threshold: number;
	summary: string;
	fired_at: string;
	resolved_at: string | null;
	last_evaluated_at: string;
}

export const adminAlerts = contractApp<DispatchHono>().openapi(r.listAlerts, async (c) => {
	const query = c.req.valid("query");
	const where: string[] = [];
	const binds: (string | number)[] = [];
	if (query.status) {
		where.push("status = ?");
		binds.push(query.status);
	}
	if (query.cursor) {
		where.push("(fired_at, id) < (?, ?)");
		binds.push(...query.cursor);
	}
	const { results } = await c.env.DB.prepare(
		`SELECT id, rule, subject, status, value, threshold, summary, fired_at, resolved_at, last_evaluated_at
		 FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
		 ORDER BY fired_at DESC, id DESC LIMIT ?`,
	)
		.bind(...binds, query.limit + 1)
		.all<AlertRow>();
	const items = results.slice(0, query.limit);
	const last = items.at(-1);
	const next_cursor = results.length > query.limit && last ? encodeCursor([last.fired_at, last.id]) : null;
	return c.json({ items, next_cursor }, 200);
});
