/**
 * The scale chapter's model (site/src/content/docs/scale/): what one action costs in platform
 * operations, counted from the code (each cost names the files it was counted in), the published
 * limits those operations run into, and the traffic mix we call 1×. Data only; ./simulate.ts does
 * the arithmetic and ./report.ts writes the table the page shows.
 *
 * Trade-off: the counts are per action on its usual path (no retries, no redeliveries, no cache
 * hits), and per-query D1 time comes from the local benchmark (docs/performance.md), not from
 * production D1. That makes every "breaks at" figure an order of magnitude, which is what a plan
 * needs; the bench and production analytics are where the precise numbers come from.
 */

export type ActionName =
	| "public_read"
	| "search"
	| "signed_in_read"
	| "signed_in_write"
	| "negotiation_move"
	| "payment"
	| "email";

export type QueueName = "offer-events" | "payment-events" | "backoffice-jobs";

export interface ActionCost {
	label: string;
	/** Worker invocations (dispatch, user, web, consumers; a consumer batch is shared by its messages). */
	workerInvocations: number;
	/** Durable Object requests (RPC calls and incoming WebSocket messages). */
	durableObjectRequests: number;
	/** Of those, requests on the EdgeLimiter shards (anonymous admission). */
	edgeLimiterRequests: number;
	/** Rows written to Durable Object SQLite storage (and alarms set). */
	durableObjectWrites: number;
	/** D1 statements on the primary: point reads and writes. */
	d1Statements: number;
	/** D1 full-text searches (FTS5 MATCH over the listings). */
	d1Searches: number;
	/** Messages sent, per queue. */
	queueMessages: Partial<Record<QueueName, number>>;
	/** Stripe API calls (writes: sessions, transfers, refunds). */
	stripeCalls: number;
	/** E-mails it causes (each one an `email` action of its own). */
	emails: number;
	/** MailerSend API calls. */
	mailerSendCalls: number;
	/** Bytes it adds to D1 for good (rows and their index entries, estimated). */
	d1BytesStored: number;
	/** Where it was counted. */
	source: string;
}

export const ACTION_COSTS: Record<ActionName, ActionCost> = {
	public_read: {
		label: "a public read (anonymous `GET /api/v1/listings/{id}`)",
		workerInvocations: 2,
		durableObjectRequests: 1,
		edgeLimiterRequests: 1,
		durableObjectWrites: 0,
		d1Statements: 1,
		d1Searches: 0,
		queueMessages: {},
		stripeCalls: 0,
		emails: 0,
		mailerSendCalls: 0,
		d1BytesStored: 0,
		source:
			"workers/dispatch/middleware/rate-limit.ts (one EdgeLimiter call, in memory), workers/dispatch/user-worker.ts (the user Worker), shared/data/listings.ts (one `public_listings` read)",
	},
	search: {
		label: "a search (anonymous `GET /api/v1/listings?q=`)",
		workerInvocations: 2,
		durableObjectRequests: 1,
		edgeLimiterRequests: 1,
		durableObjectWrites: 0,
		d1Statements: 0,
		d1Searches: 1,
		queueMessages: {},
		stripeCalls: 0,
		emails: 0,
		mailerSendCalls: 0,
		d1BytesStored: 0,
		source: "as a public read; `ftsQuery` and `browse` in shared/data/listings.ts (one FTS5 query)",
	},
	signed_in_read: {
		label: "a signed-in read (`GET /api/v1/listings/{id}` with a token)",
		workerInvocations: 2,
		durableObjectRequests: 1,
		edgeLimiterRequests: 0,
		durableObjectWrites: 1,
		d1Statements: 2,
		d1Searches: 0,
		queueMessages: {},
		stripeCalls: 0,
		emails: 0,
		mailerSendCalls: 0,
		d1BytesStored: 0,
		source:
			"workers/dispatch/middleware/rate-limit.ts (the TenantObject: session, suspension and bucket in one call, one bucket upsert: durable-objects/tenant/), the listing and its access grant in shared/data/",
	},
	signed_in_write: {
		label: "a signed-in write (e.g. `PATCH /api/v1/listings/{id}`)",
		workerInvocations: 2.1,
		durableObjectRequests: 1,
		edgeLimiterRequests: 0,
		durableObjectWrites: 1,
		d1Statements: 5,
		d1Searches: 0,
		queueMessages: { "backoffice-jobs": 1 },
		stripeCalls: 0,
		emails: 0,
		mailerSendCalls: 0,
		d1BytesStored: 600,
		source:
			"the change and its outbox row in one `batch`, then `outbox.flush` (send, mark sent): shared/data/outbox.ts, workers/user/listings/routes.ts; the consumer's record: workers/consumers/ (a batch of up to 10 shares one invocation)",
	},
	negotiation_move: {
		label: "a negotiation move (a counter over the WebSocket)",
		workerInvocations: 0.01,
		durableObjectRequests: 2,
		edgeLimiterRequests: 0,
		durableObjectWrites: 6,
		d1Statements: 3,
		d1Searches: 0,
		queueMessages: { "offer-events": 1 },
		stripeCalls: 0,
		emails: 1,
		mailerSendCalls: 0,
		d1BytesStored: 900,
		source:
			"durable-objects/negotiation-room/negotiation-room.ts `#commit` (thread update, history row, outbox row in one transaction) and `#afterChange` (send, mark sent, set the alarm), the frame's token in the sender's TenantObject; workers/consumers/offer-events.ts (per event: activity upsert, event row, deal upsert; one batch of up to 100 per invocation); workers/consumers/offer-mail.ts (one e-mail to the party who did not move)",
	},
	payment: {
		label: "a payment, checkout to release (card, confirmed handover)",
		workerInvocations: 17,
		durableObjectRequests: 10,
		edgeLimiterRequests: 0,
		durableObjectWrites: 15,
		d1Statements: 20,
		d1Searches: 0,
		queueMessages: { "payment-events": 7, "backoffice-jobs": 4 },
		stripeCalls: 3,
		emails: 4,
		mailerSendCalls: 0,
		d1BytesStored: 6_000,
		source:
			"workers/user/payments/ (checkout), durable-objects/payment/ (the PaymentObject, its effects: checkout session, payment intent read, transfer), workers/dispatch/routes/webhooks.ts (three deliveries, each recorded and queued), workers/consumers/stripe-events.ts and payment-events.ts (moves, records, the listing's sale, the room's settle), workers/consumers/payment-mail.ts",
	},
	email: {
		label: "an e-mail",
		workerInvocations: 0.1,
		durableObjectRequests: 0,
		edgeLimiterRequests: 0,
		durableObjectWrites: 0,
		d1Statements: 3,
		d1Searches: 0,
		queueMessages: { "backoffice-jobs": 1 },
		stripeCalls: 0,
		emails: 0,
		mailerSendCalls: 1,
		d1BytesStored: 500,
		source:
			"workers/consumers/email.ts (claim the job in `emails`, read the preference, POST to MailerSend, mark it sent; a batch of up to 10 per invocation)",
	},
};

export interface Limit {
	id: string;
	label: string;
	/** How much of the resource there is per second (or, for storage, in bytes). */
	capacity: number;
	unit: string;
	/** The capacity as the tables show it, e.g. `5,000 messages/s`. */
	shown: string;
	/** Where the figure comes from. */
	source: string;
}

/** The local benchmark's costs (docs/performance.md, Results): seconds of D1 time per statement. */
export const D1_SECONDS_PER_STATEMENT = 1 / 1_175;
export const D1_SECONDS_PER_SEARCH = 1 / 342;
/** Anonymous admission is spread over this many EdgeLimiter objects (durable-objects/edge-limiter/edge-limiter.ts). */
export const EDGE_LIMITER_SHARDS = 64;
/** Daily volume over peak-hour rate × 24 h: a day is not all peak. */
export const DAILY_DUTY = 0.25;

export const LIMITS: Limit[] = [
	{
		id: "d1_primary",
		label: "D1: one database runs one query at a time",
		capacity: 1,
		unit: "busy seconds per second",
		shown: "1 s of work per s",
		source:
			"https://developers.cloudflare.com/d1/platform/limits/ (single-threaded per database); per-query time from docs/performance.md",
	},
	{
		id: "edge_limiter_shard",
		label: "Durable Object: one EdgeLimiter shard",
		capacity: 1_000,
		unit: "requests/s per object (soft)",
		shown: "1,000 requests/s (soft)",
		// The soft limit moved from the limits page to the FAQ (read 2026-12-01).
		source: "https://developers.cloudflare.com/durable-objects/reference/faq/",
	},
	{
		id: "queue_offer_events",
		label: "Queues: offer-events",
		capacity: 5_000,
		unit: "messages/s per queue",
		shown: "5,000 messages/s",
		source: "https://developers.cloudflare.com/queues/platform/limits/",
	},
	{
		id: "queue_payment_events",
		label: "Queues: payment-events",
		capacity: 5_000,
		unit: "messages/s per queue",
		shown: "5,000 messages/s",
		source: "https://developers.cloudflare.com/queues/platform/limits/",
	},
	{
		id: "queue_backoffice_jobs",
		label: "Queues: backoffice-jobs",
		capacity: 5_000,
		unit: "messages/s per queue",
		shown: "5,000 messages/s",
		source: "https://developers.cloudflare.com/queues/platform/limits/",
	},
	{
		id: "stripe_live",
		label: "Stripe: live-mode API requests",
		capacity: 100,
		unit: "requests/s per account",
		shown: "100 requests/s",
		source: "https://docs.stripe.com/rate-limits",
	},
	{
		id: "d1_size_year",
		label: "D1: database size, one year of growth",
		capacity: 10_000_000_000,
		unit: "bytes (10 GB per database)",
		shown: "10 GB",
		source: "https://developers.cloudflare.com/d1/platform/limits/",
	},
];

/** Today's demo traffic, the 1× of the chapter: a busy hour of the demo marketplace, per second. */
export const DEMO_MIX: Record<Exclude<ActionName, "email">, number> = {
	public_read: 5,
	search: 1,
	signed_in_read: 2,
	signed_in_write: 0.2,
	negotiation_move: 0.5,
	payment: 0.002,
};

export const SCALES = [1, 10, 100, 1_000] as const;
