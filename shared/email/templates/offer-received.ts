/** "New offer on your listing": tells a seller an offer arrived, with its amount. */
import { z } from "zod";
import { formatMoney, linkUrl, money, personName, type Rendered, render, shortText } from "./layout.ts";

export const offerReceivedData = z
	.object({
		name: personName,
		listing_title: shortText,
		amount_cents: money.cents,
		currency: money.currency,
		offer_url: linkUrl,
	})
	.strict();

export function offerReceived(data: z.output<typeof offerReceivedData>): Rendered {
	const amount = formatMoney(data.amount_cents, data.currency);
	return render({
		subject: `New offer on ${data.listing_title}: ${amount}`,
		preheader: `An offer of ${amount} arrived for ${data.listing_title}.`,
		heading: "You received an offer",
		name: data.name,
		paragraphs: [
			`A buyer offered ${amount} for your listing “${data.listing_title}”.`,
			"You can accept it, counter or decline.",
		],
		action: { label: "See the offer", url: data.offer_url },
	});
}
