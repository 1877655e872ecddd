/**
 * `backoffice-jobs`: work that must not slow a request down: audit records, listing lifecycle
 * events and e-mails now; backups, alert rules and reconciliation as they land. One discriminated
 * union, one handler per `kind` in the consumer.
 */
import { z } from "zod";
import { templates } from "../shared/email/templates/index.ts";
import { linkUrl } from "../shared/email/templates/layout.ts";
import { notificationKinds } from "../shared/notifications/kinds.ts";
import { eventId, isoTime, type QueueProducer, sendAll, tenantId } from "./envelope.ts";
import { metricsFlushJobSchema } from "./metrics.ts";

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

/**
 * Whom a non-essential e-mail is for and which notification kind it is: the consumer checks the
 * user's preference when it sends (so turning a kind off applies to e-mails already queued) and
 * adds the one-click unsubscribe for that user and kind, with links on `origin` (the site the
 * producer's links point at). Optional on every job, so jobs queued before it existed still parse.
 */
export const emailNotification = z
	.object({
		user_id: z.string().regex(/^usr_[0-9a-f]{32}$/),
		kind: z.enum(notificationKinds),
		origin: linkUrl.refine((value) => URL.canParse(value) && new URL(value).origin === value, "must be an origin"),
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
			notification: emailNotification.optional(),
		})
		.strict();

/** The job of a non-essential template: `notification` is required, so none goes out ungated. */
const notificationEmailJob = <N extends keyof typeof templates>(name: N) =>
	emailJob(name).extend({ notification: emailNotification });

/**
 * Send one e-mail (workers/consumers/email.ts). `id` is the idempotency key: the consumer records
 * it with MailerSend's message id and never sends a recorded job again.
 */
export const emailJobSchema = z.discriminatedUnion("template", [
	emailJob("verify-email"),
	emailJob("password-reset"),
	emailJob("password-changed"),
	notificationEmailJob("offer-received"),
	notificationEmailJob("offer-update"),
	notificationEmailJob("payment-paid"),
	notificationEmailJob("payment-update"),
	notificationEmailJob("access-request"),
	emailJob("email-change-verify"),
	emailJob("email-change-requested"),
	emailJob("email-changed"),
	notificationEmailJob("saved-search-match"),
	notificationEmailJob("watchlist-change"),
	emailJob("listing-moderated"),
	emailJob("alert-fired"),
	emailJob("alert-resolved"),
]);

/**
 * An access request was made or decided (workers/user/access-requests), written to the outbox in
 * the same D1 batch as the change; the consumer turns it into the notification e-mails
 * (workers/consumers/access-mail.ts). `status` is the request's status after the change.
 */
export const accessRequestEventJobSchema = z
	.object({
		id: eventId,
		kind: z.literal("access_request.event"),
		occurred_at: isoTime,
		access_request_id: z.string().regex(/^acr_[0-9a-f]{32}$/),
		listing_id: z.string().regex(/^lst_[0-9a-f]{32}$/),
		buyer_tenant_id: tenantId,
		seller_tenant_id: tenantId,
		status: z.enum(["pending", "approved", "declined", "revoked"]),
	})
	.strict();
export type AccessRequestEventJob = z.infer<typeof accessRequestEventJobSchema>;

export const backofficeJobSchema = z.discriminatedUnion("kind", [
	auditJobSchema,
	listingEventJobSchema,
	emailJobSchema,
	accessRequestEventJobSchema,
	metricsFlushJobSchema,
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
