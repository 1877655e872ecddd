/**
 * "Your payment moved": a held payment was released to the seller, refunded to the buyer, or
 * disputed; sent to both parties (the receipt of the payment itself is ./payment-paid.ts). One
 * template for the three, since they differ only in a few words; `change` picks them.
 */
import { z } from "zod";
import { formatMoney, linkUrl, money, personName, type Rendered, render, shortText } from "./layout.ts";

export const paymentChanges = ["released", "refunded", "disputed"] as const;

export const paymentUpdateData = z
	.object({
		name: personName,
		change: z.enum(paymentChanges),
		listing_title: shortText,
		amount_cents: money.cents,
		currency: money.currency,
		payment_url: linkUrl,
	})
	.strict();

const WORDS: Record<(typeof paymentChanges)[number], { subject: string; heading: string; line: string; next: string }> =
	{
		released: {
			subject: "Payment released for",
			heading: "The payment was released",
			line: "The payment of",
			next: "was released to the seller. The deal is complete.",
		},
		refunded: {
			subject: "Payment refunded for",
			heading: "The payment was refunded",
			line: "The payment of",
			next: "was refunded to the buyer.",
		},
		disputed: {
			subject: "Payment disputed for",
			heading: "The payment is disputed",
			line: "A dispute was opened on the payment of",
			next: "The money stays held until the dispute is decided.",
		},
	};

export function paymentUpdate(data: z.output<typeof paymentUpdateData>): Rendered {
	const amount = formatMoney(data.amount_cents, data.currency);
	const words = WORDS[data.change];
	return render({
		subject: `${words.subject} ${data.listing_title}`,
		preheader: `${words.heading}: ${data.listing_title}, ${amount}.`,
		heading: words.heading,
		name: data.name,
		paragraphs: [`${words.line} ${amount} for “${data.listing_title}” ${words.next}`],
		action: { label: "See the payment", url: data.payment_url },
	});
}
