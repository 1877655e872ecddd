/**
 * How the buyer's pages and the listing page's islands name statuses and show money: one place,
 * shared by server-rendered pages and islands alike. It imports types only, because the islands
 * ship it to the browser and the contract modules (and so zod) must stay out of their bundles;
 * that is also why it formats money itself rather than through ../../lib/format.ts, which loads
 * the listing contract. Amounts keep their cents when there are any (an offer or an 8% fee is
 * rarely whole dollars); whole amounts read like the listing pages' prices.
 */
import type { AccessRequestStatus } from "../../../../shared/contract/routes/access-requests.ts";
import type { PaymentStatus } from "../../../../shared/contract/routes/payments.ts";
import type { OfferStatus } from "../../../../shared/offers/protocol.ts";

export const OFFER_STATUS: Record<OfferStatus, string> = {
	pending: "Offer sent",
	countered: "Countered",
	accepted: "Accepted",
	rejected: "Rejected",
	withdrawn: "Withdrawn",
	expired: "Expired",
	cancelled: "Cancelled",
};

/** The threads that still count as the buyer's one open thread on a listing (docs/api.md, createOffer). */
export const OPEN_OFFER_STATUSES: readonly OfferStatus[] = ["pending", "countered", "accepted"];

export const ACCESS_STATUS: Record<AccessRequestStatus, string> = {
	pending: "Waiting for the seller",
	approved: "Approved",
	declined: "Declined",
	revoked: "Access withdrawn",
};

export const PAYMENT_STATUS: Record<PaymentStatus, string> = {
	pending: "Awaiting payment",
	paid: "Held in escrow",
	disputed: "Disputed: release frozen",
	released: "Released to the seller",
	refunded: "Refunded",
	failed: "Payment failed",
	expired: "Checkout expired",
};

/** `$25,000` or `$2,000.50`: cents only when there are some. */
export function amountText(cents: number, currency: string): string {
	return new Intl.NumberFormat("en-US", {
		style: "currency",
		currency,
		minimumFractionDigits: cents % 100 === 0 ? 0 : 2,
		maximumFractionDigits: 2,
	}).format(cents / 100);
}

/** `Dec 1, 2026`, in UTC like the rest of the site. */
export function dayText(iso: string): string {
	return new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" }).format(new Date(iso));
}
