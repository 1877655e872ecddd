/**
 * The values the payment machine (./machine.ts) takes and gives: its state, the moves that drive
 * it (verified Stripe webhooks and people's requests), the effects it asks a Durable Object to run,
 * and its refusals. Plain types and constants, no runtime imports, so Workers, consumers, scripts
 * and tests share them.
 */

/** The buyer may confirm the handover, or the money is released this long after it was paid. */
export const INSPECTION_WINDOW_MS = 14 * 24 * 3600 * 1000;

export const paymentStatuses = ["pending", "paid", "disputed", "released", "refunded", "failed", "expired"] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** The order statuses move in; no move lowers the rank. `failed`, `expired` and `refunded` are terminal. */
export const STATUS_RANK: Record<PaymentStatus, number> = {
	pending: 0,
	paid: 1,
	disputed: 2,
	released: 3,
	refunded: 4,
	failed: 4,
	expired: 4,
};

/** Every status change a move may make. */
export const NEXT: Record<PaymentStatus, readonly PaymentStatus[]> = {
	pending: ["paid", "failed", "expired"],
	paid: ["disputed", "released", "refunded"],
	disputed: ["released", "refunded"],
	released: ["refunded"],
	refunded: [],
	failed: [],
	expired: [],
};

export function isTerminal(status: PaymentStatus): boolean {
	return NEXT[status].length === 0;
}

/** Who asks, for the moves people make (the route maps the caller; Stripe's moves need none). */
export type Party = "buyer" | "seller" | "admin";

export interface Dispute {
	/** `buyer`: opened through our API, an admin decides; `stripe`: a chargeback, the card issuer decides. */
	by: "buyer" | "stripe";
	/** Stripe's dispute id (`dp_…`); `null` for a buyer's dispute. */
	id: string | null;
	opened_at: number;
	closed_at: number | null;
	outcome: "won" | "lost" | "release" | "refund" | null;
}

export interface PaymentOpening {
	id: string;
	offer_id: string;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	amount_cents: number;
	currency: string;
	checkout_session_id: string;
}

export interface PaymentState extends PaymentOpening {
	status: PaymentStatus;
	/** Starts at 1 and grows by one on every transition. */
	version: number;
	/** 8% of what the buyer is not refunded, rounded half up (../payments/fee.ts). */
	fee_cents: number;
	/** What the seller gets: `amount − refund_requested − fee`. */
	payout_cents: number;
	/** Refunds asked of Stripe or seen on the charge; never more than the amount. */
	refund_requested_cents: number;
	/** `charge.refunded`'s running total. */
	refunded_cents: number;
	/** The transfer asked for at release; 0 before. */
	transfer_cents: number;
	/** Reversals asked for after release, in total; `transfer − reversal_requested = payout` once released. */
	reversal_requested_cents: number;
	/** `transfer.reversed`'s running total. */
	reversed_cents: number;
	/** A refund asked for after release, sent once its reversal is confirmed. */
	refund_awaiting_reversal_cents: number;
	payment_intent_id: string | null;
	charge_id: string | null;
	transfer_id: string | null;
	/** Checkout completed without the money (a bank payment): `pending` until it succeeds or fails. */
	processing: boolean;
	dispute: Dispute | null;
	created_at: number;
	paid_at: number | null;
	/** `paid_at` + 14 days: when the inspection window ends. */
	release_at: number | null;
	release_requested_at: number | null;
	released_at: number | null;
	/** When the payment reached `refunded`, `failed` or `expired`. */
	closed_at: number | null;
	updated_at: number;
}

export type PaymentMove =
	/** `checkout.session.completed`: `unpaid` when a bank payment is still on its way. */
	| { type: "checkout_completed"; payment_status: "paid" | "unpaid"; payment_intent_id: string; charge_id?: string }
	/** `checkout.session.async_payment_succeeded`. */
	| { type: "async_payment_succeeded"; payment_intent_id: string; charge_id?: string }
	/** `checkout.session.async_payment_failed`. */
	| { type: "async_payment_failed" }
	/** `checkout.session.expired`. */
	| { type: "session_expired" }
	| { type: "handover_confirmed"; by: Party }
	/** The release alarm, 14 days after the payment. */
	| { type: "inspection_window_ended" }
	/** `transfer.created`. */
	| { type: "transfer_created"; transfer_id: string }
	/** `transfer.reversed`, with the transfer's running `amount_reversed`. */
	| { type: "transfer_reversed"; transfer_id: string; amount_reversed: number }
	/** A buyer's dispute (`POST …/dispute`), or `charge.dispute.created`. */
	| { type: "dispute_opened"; by: Party; reason?: string }
	| { type: "dispute_opened"; by: "stripe"; dispute_id: string }
	/** `charge.dispute.closed`. */
	| { type: "dispute_closed"; dispute_id: string; outcome: "won" | "lost" }
	/** An admin's decision on a buyer's dispute. */
	| { type: "dispute_decided"; by: Party; decision: "release" | "refund" }
	/** An admin's refund: the rest of the amount, or `amount_cents` of it. */
	| { type: "refund_requested"; by: Party; amount_cents?: number }
	/** `charge.refunded`, with the charge's running `amount_refunded`. */
	| { type: "charge_refunded"; amount_refunded: number };

/** What the Durable Object does after it has stored the transition; Stripe calls carry the key. */
export type PaymentEffect =
	| {
			type: "transfer";
			idempotencyKey: string;
			payment_id: string;
			/** The runner looks up the seller's Connect account. */
			seller_tenant_id: string;
			amount_cents: number;
			currency: string;
			transfer_group: string;
			/** The charge the transfer draws on (`source_transaction`); the runner resolves it from the intent when `null`. */
			source_transaction: string | null;
			payment_intent_id: string | null;
	  }
	| { type: "reverse_transfer"; idempotencyKey: string; payment_id: string; transfer_id: string; amount_cents: number }
	| {
			type: "refund";
			idempotencyKey: string;
			payment_id: string;
			payment_intent_id: string | null;
			charge_id: string | null;
			amount_cents: number;
	  }
	/** The listing's `sell` (shared/data/listings.ts, `platformListings(db).move`), from `under_offer` to this offer. */
	| { type: "mark_listing_sold"; listing_id: string; seller_tenant_id: string; offer_id: string; payment_id: string }
	| { type: "notify_room"; offer_id: string; payment_id: string; status: PaymentStatus }
	| { type: "schedule_release"; payment_id: string; at: number };

export interface PaymentTransition {
	ok: true;
	state: PaymentState;
	/** In the order they are to run. */
	effects: PaymentEffect[];
}

export const paymentRefusalKinds = [
	/** A duplicate: the move's outcome is already recorded. Harmless; answer a webhook 2xx. */
	"already",
	/** An event older than the state (a later one arrived first). Harmless; answer a webhook 2xx. */
	"stale",
	/** `refunded`, `failed` or `expired`: nothing more happens. */
	"closed",
	"not_paid",
	/** The checkout session cannot expire while a bank payment is processing. */
	"processing",
	/** An open dispute freezes the money. */
	"disputed",
	/** The transfer is asked for and not yet confirmed; retry once it is (Stripe redelivers a webhook). */
	"releasing",
	"released",
	"not_due",
	"not_buyer",
	"not_admin",
	"invalid_amount",
	/** The event names another payment intent, transfer or dispute. */
	"mismatch",
	"no_dispute",
	"not_requested",
	/** A refund after release is waiting for its reversal. */
	"refund_pending",
	"nothing_to_release",
] as const;
export type PaymentRefusalKind = (typeof paymentRefusalKinds)[number];

export interface PaymentRefusal {
	ok: false;
	kind: PaymentRefusalKind;
	/** Short, and safe to show to either party. */
	detail: string;
}
