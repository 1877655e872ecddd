/**
 * `POST /api/v1/admin/listings/{id}/archive`: an admin archives a listing for moderation. Admin
 * only (the access table). Served here rather than by the user Worker because it is the
 * platform's act on a seller's listing, like account deletion's archive: the listing moves
 * through the one data-layer writer (`platformListings(db).move`, the lifecycle of
 * shared/listings/lifecycle.ts), guarded by the state it was read in.
 *
 * One D1 batch writes everything or nothing: the guarded UPDATE and its `listing.event`, then the
 * `listing_moderations` row, the `admin.listing_archived` audit record and one `listing-moderated`
 * e-mail per user of the seller's tenant — each inserted only if the statement before it wrote a
 * row (`changes() = 1`), so a refused or lost move writes and sends nothing. The outbox rows are
 * then flushed (the consumers' cron resends what the flush could not). A repeat is 409 from the
 * lifecycle (already archived): nothing is sent twice.
 */
import type { Context } from "hono";
import { type AuditJob, auditJobSchema, type EmailJob, emailJobSchema } from "../../../queues/backoffice-jobs.ts";
import { contractApp } from "../../../shared/contract/app.ts";
import { operationsRoutes as r } from "../../../shared/contract/routes/operations.ts";
import { platformListings } from "../../../shared/data/listings.ts";
import { flushOutbox, type OutboxMessage, outboxInsert } from "../../../shared/data/outbox.ts";
import { newId } from "../../../shared/encoding.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import type { ListingStatus } from "../../../shared/listings/lifecycle.ts";
import { originOf } from "../identity/recovery-mail.ts";
import type { DispatchHono, Principal } from "../types.ts";

interface Target {
	id: string;
	seller_tenant_id: string;
	status: ListingStatus;
	claimed_by_offer_id: string | null;
	title: string;
}

interface Person {
	id: string;
	email: string;
	name: string;
}

/** Audit detail strings are at most 500 characters (the queue's schema); the record keeps the reason whole. */
const AUDIT_REASON_CHARS = 500;

/** The recipient as MailerSend takes it: no `;` or `,` in a name. */
function recipientOf(person: Person): EmailJob["to"] {
	const name = person.name.replaceAll(/[;,]/g, " ").replaceAll(/\s+/g, " ").trim().slice(0, 100);
	return name === "" ? { email: person.email } : { email: person.email, name };
}

function auditMessage(
	c: Context<DispatchHono>,
	admin: Principal,
	listing: Target,
	detail: AuditJob["detail"],
	now: number,
): OutboxMessage {
	const id = newId("evt");
	const body = auditJobSchema.parse({
		id,
		kind: "audit.record",
		occurred_at: new Date(now).toISOString(),
		actor_user_id: admin.userId,
		actor_tenant_id: admin.tenantId,
		subject_tenant_id: listing.seller_tenant_id,
		action: "admin.listing_archived",
		detail: { ...detail, request_id: c.get("requestId") },
	} satisfies AuditJob);
	return { id, queue: "backoffice-jobs", body };
}

function mailMessage(person: Person, data: Extract<EmailJob, { template: "listing-moderated" }>["data"], now: number) {
	const id = newId("evt");
	const body = emailJobSchema.parse({
		id,
		kind: "email.send",
		occurred_at: new Date(now).toISOString(),
		to: recipientOf(person),
		template: "listing-moderated",
		data: { ...(person.name.trim() ? { name: person.name.trim().slice(0, 100) } : {}), ...data },
	} satisfies EmailJob);
	return { id, queue: "backoffice-jobs", body } satisfies OutboxMessage;
}

export const moderation = contractApp<DispatchHono>().openapi(r.archiveListingModeration, async (c) => {
	const { id } = c.req.valid("param");
	const { reason } = c.req.valid("json");
	const admin = c.get("principal");
	if (!admin) throw new HttpProblem({ reason: "unauthorized" });
	const db = c.env.DB;
	const listing = await db
		.prepare("SELECT id, seller_tenant_id, status, claimed_by_offer_id, title FROM listings WHERE id = ?")
		.bind(id)
		.first<Target>();
	if (!listing) throw new HttpProblem({ reason: "not_found" });

	const now = Date.now();
	const change = platformListings(db).move(listing, { type: "archive" }, now, admin.tenantId);
	if (!change.ok)
		throw new HttpProblem({ reason: "conflict", detail: change.detail.replace("under_offer", "under offer") });

	const { results: people } = await db
		.prepare("SELECT id, email, name FROM users WHERE tenant_id = ? AND deleted_at IS NULL ORDER BY created_at, id")
		.bind(listing.seller_tenant_id)
		.all<Person>();
	const record = {
		id: newId("mod"),
		listing_id: listing.id,
		seller_tenant_id: listing.seller_tenant_id,
		admin_user_id: admin.userId,
		action: "archived" as const,
		reason,
		created_at: new Date(now).toISOString(),
	};
	const data = {
		listing_title: listing.title.trim().slice(0, 200) || "your listing",
		reason,
		listing_url: `${originOf(c)}/seller/listings/${listing.id}`,
	};
	const messages = [
		auditMessage(
			c,
			admin,
			listing,
			{ listing_id: listing.id, moderation_id: record.id, reason: reason.slice(0, AUDIT_REASON_CHARS) },
			now,
		),
		...people.map((person) => mailMessage(person, data, now)),
	];
	const [update] = await db.batch([
		...change.statements,
		db
			.prepare(
				`INSERT INTO listing_moderations (id, listing_id, seller_tenant_id, admin_user_id, action, reason, created_at)
				 SELECT ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1`,
			)
			.bind(
				record.id,
				record.listing_id,
				record.seller_tenant_id,
				record.admin_user_id,
				record.action,
				record.reason,
				record.created_at,
			),
		...messages.map((message) => outboxInsert(db, message, now, { afterChange: true })),
	]);
	// D1 counts the FTS trigger's writes too; the WHERE names one primary key, so any change means this row.
	if ((update?.meta.changes ?? 0) === 0) {
		throw new HttpProblem({ reason: "conflict", detail: "The listing changed meanwhile; reload and try again." });
	}
	const ids = [change.message.id, ...messages.map((message) => message.id)];
	await flushOutbox(db, { "backoffice-jobs": c.env.BACKOFFICE_JOBS }, ids, now);
	return c.json(record, 200);
});
