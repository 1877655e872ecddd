/**
 * `backoffice-jobs`: work that must not slow a request down: audit records, listing lifecycle
 * events and e-mails now; backups, alert rules and reconciliation as they land. One discriminated
 * union, one handler per `kind` in the consumer.
 */
import { z } from "zod";
import { templates } from "../shared/email/templates/index.ts";
import { eventId, isoTime, type QueueProducer, sendAll, tenantId } from "./envelope.ts";

export const auditJobSchema = z
	.object({
		id: eventId,
		kind: z.literal("audit.record"),
		occurred_at: isoTime,
		actor_user_id: z.string().max(64).nullable(),
		actor_tenant_id: tenantId.nullable(),
		subject_tenant_id: tenantId.nullable(),
		action: z.string().regex(/^[a-z][a-z0-9_.]{2,63}$/),
		detail: z.record(z.string(), z.union([z.string().max(500), z.number(), z.boolean(), z.null()])),
	})
	.strict();

export const listingEventTypes = [
	"listing.created",
	"listing.updated",
	"listing.published",
	"listing.archived",
	// The lifecycle's moves (shared/listings/lifecycle.ts): claim, reopen, sell.
	"listing.under_offer",
	"listing.reopened",
	"listing.sold",
] as const;

/**
 * A listing changed; written to the outbox in the same D1 batch as the change (shared/data/outbox.ts).
 * `offer_id` names the accepted offer of `listing.under_offer` and `listing.sold`, `payment_id` the
 * payment of `listing.sold`; both are optional, so events written before they existed still parse.
 */
export const listingEventJobSchema = z
	.object({
		id: eventId,
		kind: z.literal("listing.event"),
		type: z.enum(listingEventTypes),
		occurred_at: isoTime,
		listing_id: z.string().regex(/^lst_[0-9a-f]{32}$/),
		seller_tenant_id: tenantId,
		actor_tenant_id: tenantId.nullable(),
		offer_id: z
			.string()
			.regex(/^off_[0-9a-f]{32}$/)
			.optional(),
		payment_id: z
			.string()
			.regex(/^pay_[0-9a-f]{32}$/)
			.optional(),
	})
	.strict();

/** Who an e-mail goes to; MailerSend refuses `;` and `,` in a recipient's name. */
export const emailRecipient = z
	.object({
		email: z.email().max(254),
		name: z
			.string()
			.trim()
			.min(1)
			.max(100)
			.regex(/^[^;,]*$/, "may not contain ; or ,")
			.optional(),
	})
	.strict();

/** One `email.send` job per template: its name and its data (never rendered bodies), checked here. */
const emailJob = <N extends keyof typeof templates>(name: N) =>
	z
		.object({
			id: eventId,
			kind: z.literal("email.send"),
			occurred_at: isoTime,
			to: emailRecipient,
			template: z.literal(name),
			data: templates[name].data,
		})
		.strict();

/**
 * Send one e-mail (workers/consumers/email.ts). `id` is the idempotency key: the consumer records
 * it with MailerSend's message id and never sends a recorded job again.
 */
export const emailJobSchema = z.discriminatedUnion("template", [
	emailJob("verify-email"),
	emailJob("password-reset"),
	emailJob("password-changed"),
	emailJob("offer-received"),
	emailJob("payment-paid"),
]);

export const backofficeJobSchema = z.discriminatedUnion("kind", [
	auditJobSchema,
	listingEventJobSchema,
	emailJobSchema,
]);

export type AuditJob = z.infer<typeof auditJobSchema>;
export type ListingEventJob = z.infer<typeof listingEventJobSchema>;
export type EmailJob = z.infer<typeof emailJobSchema>;
export type BackofficeJob = z.infer<typeof backofficeJobSchema>;

export function sendBackofficeJobs(queue: QueueProducer, jobs: BackofficeJob[]): Promise<void> {
	return sendAll(
		queue,
		jobs.map((job) => backofficeJobSchema.parse(job)),
	);
}
