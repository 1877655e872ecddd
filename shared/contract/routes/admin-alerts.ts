/**
 * The admin alerts' contract: the alerts the consumers Worker's scheduled rules opened and closed
 * (workers/consumers/alerts/), newest first, optionally only the firing or the resolved ones.
 * Served by the dispatch Worker, read-only (so nothing to audit). The rule names live here, the
 * one place the consumers, the e-mails and the admin pages all read them from.
 */
import { z } from "@hono/zod-openapi";
import { adminOnly, type ContractRoute, defineRoute } from "../policy.ts";
import { cursor, json, page, problems, signedInSecurity, timestamp } from "../schemas.ts";

export const ALERT_RULES = ["latency_p95", "error_rate", "security_burst", "dead_letters", "payment_stuck"] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export const alertRule = z.enum(ALERT_RULES).openapi("AlertRule");
export const alertStatus = z.enum(["firing", "resolved"]).openapi("AlertStatus");

export const alertsQuery = z
	.object({
		status: alertStatus.optional(),
		limit: z.coerce.number().int().min(1).max(100).default(50),
		cursor: cursor.optional(),
	})
	.strict();

export const alertView = z
	.object({
		id: z.string().regex(/^alr_[0-9a-f]{32}$/),
		rule: alertRule,
		subject: z
			.string()
			.openapi({ description: "What it is about beyond the rule: a queue, a payment id; '' for the platform" }),
		status: alertStatus,
		value: z.number().openapi({ description: "The measured value when it fired, then the latest while firing" }),
		threshold: z.number(),
		summary: z.string(),
		fired_at: timestamp,
		resolved_at: timestamp.nullable(),
		last_evaluated_at: timestamp,
	})
	.strict()
	.openapi("Alert");

export const alertsPage = page(alertView);

export const adminAlertsRoutes = {
	listAlerts: defineRoute({
		method: "get",
		path: "/api/v1/admin/alerts",
		operationId: "listAlerts",
		tags: ["Admin"],
		summary: "Alerts, newest first, firing or resolved",
		description:
			"Newest first (by `fired_at`); `status` ∈ firing, resolved (both when absent); `limit` 1–100 (default 50). A rule that fires, resolves and fires again is two alerts.",
		security: signedInSecurity,
		request: { query: alertsQuery },
		responses: { 200: json(alertsPage, "A page of alerts"), ...problems(400, 401, 403, 429, 503) },
		"x-policy": { allow: adminOnly, bucket: "caller", body: "none", credentials: "accepted", servedBy: "dispatch" },
	}),
} satisfies Record<string, ContractRoute>;
