/**
 * What the seller portal calls each status, and how it shows money and dates in the islands. The
 * statuses are typed from the contract (`import type` only), so a new status is a compile error
 * here rather than a blank chip; the values are plain strings, so the islands that use them ship
 * no zod. Server pages use web/src/lib/format.ts for money and dates; the islands cannot (it
 * loads the contract's categories at runtime), so the few helpers they need are repeated here.
 */
import type { AccessRequestStatus } from "../../../../shared/contract/routes/access-requests.ts";
import type { ListingView } from "../../../../shared/contract/routes/listings.ts";
import type { OfferStatus } from "../../../../shared/offers/protocol.ts";
import type { PaymentStatus } from "../../../../shared/payments/types.ts";

export type ListingStatus = ListingView["status"];

export const LISTING_STATUS: Record<ListingStatus, string> = {
	draft: "Draft",
	active: "Active",
	under_offer: "Under offer",
	sold: "Sold",
	archived: "Archived",
};

/** The order the dashboard's status filter lists them in. */
export const LISTING_STATUS_ORDER: readonly ListingStatus[] = ["draft", "active", "under_offer", "sold", "archived"];

export const ACCESS_STATUS: Record<AccessRequestStatus, string> = {
	pending: "Waiting for you",
	approved: "Approved",
	declined: "Declined",
	revoked: "Revoked",
};

export const OFFER_STATUS: Record<OfferStatus, string> = {
	pending: "Pending",
	countered: "Countered",
	accepted: "Accepted",
	rejected: "Rejected",
	withdrawn: "Withdrawn",
	expired: "Expired",
	cancelled: "Cancelled",
};

export const PAYMENT_STATUS: Record<PaymentStatus, string> = {
	pending: "Awaiting payment",
	paid: "Paid, held in escrow",
	disputed: "Disputed",
	released: "Paid out",
	refunded: "Refunded",
	failed: "Failed",
	expired: "Checkout expired",
};

/** A status chip's colour class (seller.css): one per tone, not per status. */
export function tone(status: string): "good" | "wait" | "bad" | "plain" {
	if (["active", "approved", "accepted", "released", "paid", "sold"].includes(status)) return "good";
	if (["pending", "countered", "under_offer", "draft"].includes(status)) return "wait";
	if (["declined", "revoked", "rejected", "failed", "disputed", "refunded"].includes(status)) return "bad";
	return "plain";
}

export function formatMoney(cents: number, currency: string): string {
	return new Intl.NumberFormat("en-US", { style: "currency", currency, maximumFractionDigits: 2 }).format(cents / 100);
}

export function formatDate(iso: string): string {
	return new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" }).format(new Date(iso));
}

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
	return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
