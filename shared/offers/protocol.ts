/**
 * The negotiation protocol, one set of zod schemas for everyone who speaks it: the NegotiationRoom
 * (parsing client frames, building views), the REST contract (the same offer view is every offer
 * route's response, ../contract/routes/offers.ts), and the partysocket client (parsing server
 * frames). docs/api.md (Offers, the negotiation WebSocket): client → counter, accept, reject,
 * withdraw, chat; server → state (on connect and after every change), chat, error.
 *
 * Server-side shapes (the view, history, server frames) are not `.strict()`: a client that meets a
 * field it does not know yet drops it instead of refusing the frame. Client frames are strict, a
 * client must not smuggle fields into a move.
 */
import { z } from "@hono/zod-openapi";
import { amountCents, currency, listingId, offerId, paymentId, tenantId, timestamp } from "../contract/schemas.ts";

export { amountCents, MAX_AMOUNT_CENTS } from "../contract/schemas.ts";

export const offerStatuses = [
	"pending",
	"countered",
	"accepted",
	"rejected",
	"withdrawn",
	"expired",
	"cancelled",
] as const;
export type OfferStatus = (typeof offerStatuses)[number];

export const sides = ["buyer", "seller"] as const;
export type Side = (typeof sides)[number];

export const historyActions = [
	"created",
	"countered",
	"accepted",
	"rejected",
	"withdrawn",
	"expired",
	"held",
	"released",
	"cancelled",
] as const;

export const MAX_CHAT_LENGTH = 2000;
export const MAX_MESSAGE_LENGTH = 2000;
/** A frame larger than this is refused with an error frame before it is parsed. */
export const MAX_FRAME_BYTES = 8 * 1024;

export const version = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** The offer id building block, under the name the dispatch Worker's socket route imports. */
export const offerIdSchema = offerId;

export const historyEntrySchema = z
	.object({
		version,
		action: z.enum(historyActions),
		actor_tenant_id: tenantId.nullable().openapi({ description: "`null` for changes nobody made (expiry, holds)." }),
		amount_cents: amountCents.nullable(),
		message: z.string().nullable(),
		at: timestamp,
	})
	.openapi("OfferHistoryEntry");
export type HistoryEntry = z.output<typeof historyEntrySchema>;

/**
 * The offer as both REST and WebSocket show it (docs/domain.md, Offer threads: the offer fields,
 * plus whose turn it is).
 */
export const offerViewSchema = z
	.object({
		id: offerId,
		listing_id: listingId,
		buyer_tenant_id: tenantId,
		seller_tenant_id: tenantId,
		amount_cents: amountCents,
		currency,
		status: z.enum(offerStatuses),
		version,
		last_proposer: z
			.enum(sides)
			.openapi({ description: "Which side made the latest proposal; the other side may counter, accept or reject." }),
		on_hold: z.boolean().openapi({ description: "True while another thread's accepted offer holds the listing." }),
		expires_at: timestamp
			.nullable()
			.openapi({ description: "When the pending proposal lapses; `null` once the thread is closed or on hold." }),
		created_at: timestamp,
		updated_at: timestamp,
		history: z
			.array(historyEntrySchema)
			.optional()
			.openapi({ description: "Every change, oldest first (a single offer's routes)." }),
		online: z
			.array(tenantId)
			.optional()
			.openapi({ description: "Tenants with a socket open in the room right now (lists and socket frames)." }),
		payment: z
			.object({
				id: paymentId,
				status: z.enum(["pending", "paid", "disputed", "released", "refunded", "failed", "expired"]),
			})
			.optional()
			.openapi({ description: "The thread's payment once it is paid; the thread is then closed for good." }),
	})
	.openapi("Offer");
export type OfferView = z.output<typeof offerViewSchema>;

export const clientFrameSchema = z.discriminatedUnion("type", [
	z
		.object({
			type: z.literal("counter"),
			amount_cents: amountCents,
			version,
			message: z.string().max(MAX_MESSAGE_LENGTH).optional(),
		})
		.strict(),
	z.object({ type: z.literal("accept"), version }).strict(),
	z.object({ type: z.literal("reject"), version }).strict(),
	z.object({ type: z.literal("withdraw"), version: version.optional() }).strict(),
	z.object({ type: z.literal("chat"), text: z.string().trim().min(1).max(MAX_CHAT_LENGTH) }).strict(),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** A refused frame or move: the status and detail of the problem REST would answer (../contract/outcomes.ts). */
export const errorFrameSchema = z.object({ type: z.literal("error"), status: z.number().int(), detail: z.string() });
export type ErrorFrame = z.output<typeof errorFrameSchema>;

export const serverFrameSchema = z.discriminatedUnion("type", [
	z.object({ type: z.literal("state"), offer: offerViewSchema }),
	z.object({
		type: z.literal("chat"),
		from_tenant_id: tenantId,
		text: z.string(),
		at: timestamp,
	}),
	errorFrameSchema,
]);
export type ServerFrame = z.output<typeof serverFrameSchema>;
