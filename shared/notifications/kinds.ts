/**
 * The notification e-mail kinds (issue 15): the essential ones a user cannot turn off, and the
 * non-essential ones `GET/PATCH /api/v1/me/notifications` turns on and off one by one, plus how
 * saved-search matches arrive (`digest`). One list, read by the contract (the routes' schemas), the
 * store (./preferences.ts, migrations/0012_notification_preferences.sql, whose CHECK repeats it),
 * the e-mail job schema (which kind a queued e-mail is) and the consumer's gate at send time.
 */

/** Cannot be turned off: they prove or protect the account itself. */
export const essentialKinds = ["verification", "password_reset", "password_changed", "email_change"] as const;

/** Each may be turned off; all are on by default. */
export const notificationKinds = [
	"offer_received",
	"offer_countered",
	"offer_accepted",
	"offer_rejected",
	"offer_expired",
	"access_request_received",
	"access_request_decided",
	"payment_paid",
	"payment_released",
	"payment_refunded",
	"payment_disputed",
	"saved_search_matches",
	"watchlist_changes",
] as const;

export type EssentialKind = (typeof essentialKinds)[number];
export type NotificationKind = (typeof notificationKinds)[number];

/** `instant`: one e-mail per match; `daily`: at most one per saved search per day. */
export const digestChoices = ["instant", "daily"] as const;
export type DigestChoice = (typeof digestChoices)[number];

export function isNotificationKind(value: string): value is NotificationKind {
	return (notificationKinds as readonly string[]).includes(value);
}

/** What the settings page and the unsubscribe landing page call each kind. */
export const kindLabels: Record<NotificationKind, string> = {
	offer_received: "An offer arrives on your listing",
	offer_countered: "An offer of yours is countered",
	offer_accepted: "An offer is accepted",
	offer_rejected: "An offer is rejected",
	offer_expired: "An offer expires",
	access_request_received: "A buyer asks for access to your listing",
	access_request_decided: "Your access request is decided",
	payment_paid: "A payment is made",
	payment_released: "A payment is released to the seller",
	payment_refunded: "A payment is refunded",
	payment_disputed: "A payment is disputed",
	saved_search_matches: "A new listing matches a saved search",
	watchlist_changes: "A listing on your watchlist changes",
};
