/** "Payment received": the buyer's money is held for the deal; sent to both parties. */
import { z } from "zod";
import { formatMoney, linkUrl, money, personName, type Rendered, render, shortText } from "./layout.ts";

export const paymentPaidData = z
	.object({
		name: personName,
		listing_title: shortText,
		amount_cents: money.cents,
		currency: money.currency,
		payment_url: linkUrl,
	})
	.strict();

export function paymentPaid(data: z.output<typeof paymentPaidData>): Rendered {
	const amount = formatMoney(data.amount_cents, data.currency);
	return render({
		subject: `Payment received for ${data.listing_title}`,
		preheader: `${amount} was paid for ${data.listing_title}.`,
		heading: "Payment received",
		name: data.name,
		paragraphs: [
			`The payment of ${amount} for “${data.listing_title}” has been received.`,
			"It is held until the handover is confirmed; the page below shows what happens next.",
		],
		action: { label: "See the payment", url: data.payment_url },
	});
}
