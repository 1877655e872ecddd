/**
 * "Your offer thread moved": an offer was countered, accepted, rejected or expired, told to the
 * party who did not make the move (both parties for an expiry, which nobody makes). One template
 * for the four, since they differ only in a few words; `change` picks them.
 */
import { z } from "zod";
import { formatMoney, linkUrl, money, personName, type Rendered, render, shortText } from "./layout.ts";

export const offerChanges = ["countered", "accepted", "rejected", "expired"] as const;

export const offerUpdateData = z
	.object({
		name: personName,
		change: z.enum(offerChanges),
		listing_title: shortText,
		amount_cents: money.cents,
		currency: money.currency,
		offer_url: linkUrl,
	})
	.strict();

const WORDS: Record<(typeof offerChanges)[number], { subject: string; heading: string; line: string; next: string }> = {
	countered: {
		subject: "Counter-offer on",
		heading: "You received a counter-offer",
		line: "The other party countered with",
		next: "You can accept it, counter again or decline.",
	},
	accepted: {
		subject: "Offer accepted on",
		heading: "The offer was accepted",
		line: "The offer was accepted at",
		next: "The next step is the payment; the page below shows where the deal stands.",
	},
	rejected: {
		subject: "Offer declined on",
		heading: "The offer was declined",
		line: "The offer was declined. It stood at",
		next: "The listing may still take a new offer.",
	},
	expired: {
		subject: "Offer expired on",
		heading: "The offer expired",
		line: "Nobody answered in time, so the offer expired. It stood at",
		next: "A new offer can be made while the listing is open.",
	},
};

export function offerUpdate(data: z.output<typeof offerUpdateData>): Rendered {
	const amount = formatMoney(data.amount_cents, data.currency);
	const words = WORDS[data.change];
	return render({
		subject: `${words.subject} ${data.listing_title}: ${amount}`,
		preheader: `${words.heading}: ${data.listing_title}, ${amount}.`,
		heading: words.heading,
		name: data.name,
		paragraphs: [`${words.line} ${amount} for “${data.listing_title}”.`, words.next],
		action: { label: "See the offer", url: data.offer_url },
	});
}
