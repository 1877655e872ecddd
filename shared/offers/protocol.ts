/**
 * The negotiation protocol, one set of zod schemas for everyone who speaks it: the
 * NegotiationRoom (parsing client frames), the REST handlers (the same offer view), and the
 * partysocket client (parsing server frames). DESIGN §5: client → counter, accept, reject,
 * withdraw, chat; server → state (on connect and after every change), chat, error.
 */
import { z } from "zod";

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

/** Largest offer amount: a trillion in major units, well inside `Number.MAX_SAFE_INTEGER`. */
export const MAX_AMOUNT_CENTS = 100_000_000_000_000;
export const MAX_CHAT_LENGTH = 2000;
export const MAX_MESSAGE_LENGTH = 2000;
/** A frame larger than this is refused with an error frame before it is parsed. */
export const MAX_FRAME_BYTES = 8 * 1024;

export const amountCents = z.number().int().positive().max(MAX_AMOUNT_CENTS);
export const version = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const offerIdSchema = z.string().regex(/^off_[0-9a-f]{32}$/, "must be an offer id");

export interface HistoryEntry {
	version: number;
	action:
		| "created"
		| "countered"
		| "accepted"
		| "rejected"
		| "withdrawn"
		| "expired"
		| "held"
		| "released"
		| "cancelled";
	actor_tenant_id: string | null;
	amount_cents: number | null;
	message: string | null;
	at: string;
}

/** The offer as both REST and WebSocket show it (DESIGN §5 offer fields, plus whose turn it is). */
export interface OfferView {
	id: string;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	amount_cents: number;
	currency: string;
	status: OfferStatus;
	version: number;
	/** Which side made the latest proposal; the other side may counter, accept or reject. */
	last_proposer: Side;
	/** True while another thread's accepted offer holds the listing. */
	on_hold: boolean;
	/** When the pending proposal lapses (ISO time); `null` once the thread is closed or on hold. */
	expires_at: string | null;
	created_at: string;
	updated_at: string;
	history?: HistoryEntry[];
	/** Tenants with a socket open in the room right now (WebSocket frames only). */
	online?: string[];
}

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

const offerViewSchema = z.custom<OfferView>(
	(value) => typeof value === "object" && value !== null && "id" in value && "version" in value,
);

export const serverFrameSchema = z.discriminatedUnion("type", [
	z.object({ type: z.literal("state"), offer: offerViewSchema }),
	z.object({
		type: z.literal("chat"),
		from_tenant_id: z.string(),
		text: z.string(),
		at: z.string(),
	}),
	z.object({ type: z.literal("error"), status: z.number().int(), detail: z.string() }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
