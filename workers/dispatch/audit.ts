/**
 * Audit records for what admins do (suspensions, limit overrides, acting for a tenant), sent as
 * `audit.record` jobs on the backoffice queue; the consumer writes them to D1 `audit_log`,
 * idempotent on the event id. Callers await the send, so an action is never left unaudited
 * without the caller knowing.
 */
import type { Context } from "hono";
import { sendBackofficeJobs } from "../../queues/backoffice-jobs.ts";
import { newId } from "../../shared/encoding.ts";
import type { DispatchHono } from "./types.ts";

export interface AuditEntry {
	action: string;
	subjectTenantId: string | null;
	detail: Record<string, string | number | boolean | null>;
}

export async function recordAudit(c: Context<DispatchHono>, entry: AuditEntry): Promise<void> {
	const principal = c.get("principal");
	await sendBackofficeJobs(c.env.BACKOFFICE_JOBS, [
		{
			id: newId("evt"),
			kind: "audit.record",
			occurred_at: new Date().toISOString(),
			actor_user_id: principal?.userId ?? null,
			actor_tenant_id: principal?.tenantId ?? null,
			subject_tenant_id: entry.subjectTenantId,
			action: entry.action,
			detail: { ...entry.detail, request_id: c.get("requestId") },
		},
	]);
}
