/**
 * The admin console's operations contract (see ../policy.ts): dead letters and their replay, the
 * audit log, and archiving a listing for moderation. Admin only, served by the dispatch Worker
 * (workers/dispatch/routes/{dead-letters,audit-log,moderation}.ts), which holds every producer a
 * replay needs and the root domain the seller's e-mail links to.
 *
 * Replay is one claim per click: the row is claimed with a conditional UPDATE before its body is
 * sent, so of two simultaneous replays of one dead letter exactly one sends. A replayed one is 409
 * unless `force=true` asks for another replay (consumers are idempotent on the event id, so a
 * second delivery changes nothing). Replaying a whole queue takes at most 100 per call, only those
 * recorded at or before `before`, so repeating the call with the `before` it answered drains what
 * was waiting and never chases messages that failed again meanwhile.
 */
import { z } from "@hono/zod-openapi";
import { adminOnly, type ContractRoute, defineRoute, type RoutePolicy } from "../policy.ts";
import {
	cursor,
	json,
	jsonBody,
	listingId,
	page,
	problems,
	signedInSecurity,
	tenantId,
	timestamp,
	userId,
} from "../schemas.ts";

/** The queues whose dead letters are recorded (workers/consumers/dead-letters.ts) and can be replayed. */
export const replayableQueues = ["offer-events", "payment-events", "backoffice-jobs"] as const;
export type ReplayableQueue = (typeof replayableQueues)[number];

/** Most dead letters one replay-all call sends. */
export const REPLAY_BATCH = 100;

/** The platform's message id of a dead letter (32 hex characters on Cloudflare and in Miniflare). */
export const deadLetterId = z
	.string()
	.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a dead letter's message id")
	.openapi({ example: "0123456789abcdef0123456789abcdef" });

export const deadLetterView = z
	.object({
		message_id: deadLetterId,
		queue: z.string().openapi({ description: "The queue the message was sent to (a replay goes back there)" }),
		body: z.unknown().openapi({ description: "The original message body, as JSON" }),
		attempts: z.number().int().nonnegative(),
		reason: z
			.string()
			.openapi({ description: "`retries exhausted`, `invalid: …` (its schema refused it) or `failed: …`" }),
		recorded_at: timestamp,
		replayed_at: timestamp.nullable().openapi({ description: "The last replay; `null` while it waits" }),
		replays: z.number().int().nonnegative(),
	})
	.strict()
	.openapi("DeadLetter");

export const deadLettersQuery = z
	.object({
		queue: z.enum(replayableQueues).optional(),
		status: z.enum(["waiting", "replayed", "all"]).default("waiting"),
		limit: z.coerce.number().int().min(1).max(100).default(50),
		cursor: cursor.optional(),
	})
	.strict();

export const replayQuery = z
	.object({
		force: z
			.enum(["true", "false"])
			.default("false")
			.transform((value) => value === "true")
			.openapi({ description: "`true` replays a dead letter that was replayed before" }),
	})
	.strict();

export const replayAllBody = z
	.object({
		queue: z.enum(replayableQueues),
		before: z.iso
			.datetime()
			.optional()
			.openapi({ description: "Only dead letters recorded at or before this time; default: now" }),
	})
	.strict()
	.openapi("ReplayDeadLetters");

export const replayAllResult = z
	.object({
		replayed: z.number().int().nonnegative(),
		remaining: z
			.number()
			.int()
			.nonnegative()
			.openapi({ description: "Still waiting, recorded at or before `before`: call again with it while above 0" }),
		before: timestamp,
	})
	.strict()
	.openapi("ReplayedDeadLetters");

/** One `action` as `recordAudit` names them: `admin.tenant_updated`, `payment.refund`, … */
const auditAction = z.string().regex(/^[a-z][a-z0-9_.]{2,63}$/, "must be an audit action such as admin.tenant_updated");

export const auditEntryView = z
	.object({
		event_id: z.string(),
		action: z.string(),
		actor_user_id: z.string().nullable(),
		actor_tenant_id: z.string().nullable(),
		subject_tenant_id: z.string().nullable(),
		detail: z.record(z.string(), z.unknown()),
		occurred_at: timestamp,
	})
	.strict()
	.openapi("AuditEntry");

export const auditQuery = z
	.object({
		action: auditAction.optional(),
		tenant: tenantId.optional().openapi({ description: "The tenant acted on (`subject_tenant_id`)" }),
		actor: z
			.union([userId, tenantId])
			.optional()
			.openapi({ description: "Who acted: a user id (`actor_user_id`) or a tenant id (`actor_tenant_id`)" }),
		limit: z.coerce.number().int().min(1).max(100).default(50),
		cursor: cursor.optional(),
	})
	.strict();

export const moderationBody = z
	.object({
		reason: z
			.string()
			.trim()
			.min(1, "is required")
			.max(1000, "must be 1000 characters or fewer")
			.openapi({ description: "Why, in words the seller reads: the e-mail quotes it" }),
	})
	.strict()
	.openapi("ArchiveListing");

export const listingModerationView = z
	.object({
		id: z.string().openapi({ example: "mod_0123456789abcdef0123456789abcdef" }),
		listing_id: listingId,
		seller_tenant_id: tenantId,
		admin_user_id: z.string(),
		action: z.literal("archived"),
		reason: z.string(),
		created_at: timestamp,
	})
	.strict()
	.openapi("ListingModeration");

const admin = (body: RoutePolicy["body"]): RoutePolicy => ({
	allow: adminOnly,
	bucket: "caller",
	body,
	credentials: "accepted",
	servedBy: "dispatch",
});

const tags = ["Admin"];

export const operationsRoutes = {
	listDeadLetters: defineRoute({
		method: "get",
		path: "/api/v1/admin/dead-letters",
		operationId: "listDeadLetters",
		tags,
		summary: "Dead letters, newest first: messages that exhausted their retries or were refused",
		description:
			"`status` waiting (default: never replayed), replayed or all; `queue` one of offer-events, payment-events, backoffice-jobs; `limit` 1–100 (default 50). `body` is the original message as it was sent.",
		security: signedInSecurity,
		request: { query: deadLettersQuery },
		responses: { 200: json(page(deadLetterView), "A page of dead letters"), ...problems(400) },
		"x-policy": admin("none"),
	}),
	replayDeadLetter: defineRoute({
		method: "post",
		path: "/api/v1/admin/dead-letters/{id}/replay",
		operationId: "replayDeadLetter",
		tags,
		summary: "Send a dead letter back to its queue (audited)",
		description:
			"Sends the original body to the queue it came from, once per call: the dead letter is claimed before it is sent, so two simultaneous replays send once (the other is 409). An already replayed one is 409 unless `force=true` (consumers ignore a message they already recorded). 404 unknown; 503 when the queue refuses the send (nothing is marked). Audited (`admin.dead_letter_replayed`).",
		security: signedInSecurity,
		request: { params: z.object({ id: deadLetterId }), query: replayQuery },
		responses: {
			200: json(deadLetterView, "The dead letter, replayed"),
			...problems(400, 404, 409),
		},
		"x-policy": admin("none"),
	}),
	replayDeadLetters: defineRoute({
		method: "post",
		path: "/api/v1/admin/dead-letters/replay",
		operationId: "replayDeadLetters",
		tags,
		summary: "Replay a queue's waiting dead letters, up to 100 per call (audited)",
		description:
			"Oldest first, those recorded at or before `before` (default now). Answers how many were sent, how many still wait and the `before` used: repeat with it while `remaining` is above 0 (messages that fail again are recorded later, so they are not chased). 503 when the queue refuses the send (nothing is marked). Audited once per call with the count (`admin.dead_letters_replayed`).",
		security: signedInSecurity,
		request: { body: jsonBody(replayAllBody) },
		responses: { 200: json(replayAllResult, "What was replayed"), ...problems(400) },
		"x-policy": admin("json"),
	}),
	listAudit: defineRoute({
		method: "get",
		path: "/api/v1/admin/audit",
		operationId: "listAudit",
		tags,
		summary: "The audit log, newest first",
		description:
			"Every admin action and account event (`admin.tenant_updated`, `admin.act_for_tenant`, `payment.refund`, …), newest first by `occurred_at`; filters `action`, `tenant` (acted on) and `actor` (a user or tenant id); `limit` 1–100 (default 50). Records arrive through the backoffice queue, seconds after the action.",
		security: signedInSecurity,
		request: { query: auditQuery },
		responses: { 200: json(page(auditEntryView), "A page of audit records"), ...problems(400) },
		"x-policy": admin("none"),
	}),
	archiveListingModeration: defineRoute({
		method: "post",
		path: "/api/v1/admin/listings/{id}/archive",
		operationId: "archiveListingModeration",
		tags,
		summary: "Archive a listing for moderation, e-mailing its seller the reason (audited)",
		description:
			"`reason` 1–1000 characters (trimmed). The listing moves to `archived` through its lifecycle with its `listing.archived` event, the moderation record and the seller's e-mail (template `listing-moderated`, quoting the reason) written in the same transaction. 404 unknown; 409 when the lifecycle refuses it, naming why (already archived, under offer, sold): nothing is written or sent. Audited (`admin.listing_archived`, the reason cut to 500 characters; the record keeps it whole).",
		security: signedInSecurity,
		request: { params: z.object({ id: listingId }), body: jsonBody(moderationBody) },
		responses: {
			200: json(listingModerationView, "The listing is archived; the moderation record"),
			...problems(400, 404, 409),
		},
		"x-policy": admin("json"),
	}),
} satisfies Record<string, ContractRoute>;
