/**
 * How the notification settings page groups the kinds (shared/notifications/kinds.ts) and what it
 * calls the essential e-mails. Plain data, no schema, so the island can import it at runtime.
 */
import type { EssentialKind, NotificationKind } from "../../../../shared/notifications/kinds.ts";

export const groups: { legend: string; kinds: NotificationKind[] }[] = [
	{
		legend: "Offers",
		kinds: ["offer_received", "offer_countered", "offer_accepted", "offer_rejected", "offer_expired"],
	},
	{ legend: "Access requests", kinds: ["access_request_received", "access_request_decided"] },
	{ legend: "Payments", kinds: ["payment_paid", "payment_released", "payment_refunded", "payment_disputed"] },
	{ legend: "Saved searches and watchlist", kinds: ["saved_search_matches", "watchlist_changes"] },
];

export const essentialLabels: Record<EssentialKind, string> = {
	verification: "Confirming your e-mail address",
	password_reset: "Resetting your password",
	password_changed: "Your password was changed",
	email_change: "Changing your e-mail address",
};
