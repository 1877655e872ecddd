/**
 * "A listing on your watchlist changed": its asking price changed, it went under offer, or it was
 * sold. One template for the three changes (`change`), so a watcher's e-mails read alike.
 */
import { z } from "zod";
import { formatMoney, linkUrl, money, personName, type Rendered, render, shortText } from "./layout.ts";

/** An asking price in minor units (a listing may ask 0, which `money.cents` refuses). */
const price = z.number().int().nonnegative().max(100_000_000_000_000);

const common = { name: personName, listing_title: shortText, currency: money.currency, listing_url: linkUrl };

export const watchlistChangeData = z.discriminatedUnion("change", [
	z.object({ ...common, change: z.literal("price"), old_price_cents: price, new_price_cents: price }).strict(),
	z.object({ ...common, change: z.literal("under_offer") }).strict(),
	z.object({ ...common, change: z.literal("sold") }).strict(),
]);

type Data = z.output<typeof watchlistChangeData>;

function what(data: Data): { subject: string; paragraph: string } {
	switch (data.change) {
		case "price": {
			const from = formatMoney(data.old_price_cents, data.currency);
			const to = formatMoney(data.new_price_cents, data.currency);
			return {
				subject: `Price changed: ${data.listing_title} is now ${to}`,
				paragraph: `The asking price of “${data.listing_title}” changed from ${from} to ${to}.`,
			};
		}
		case "under_offer":
			return {
				subject: `Under offer: ${data.listing_title}`,
				paragraph: `“${data.listing_title}” has accepted an offer and is under offer. If the sale falls through it opens again.`,
			};
		case "sold":
			return { subject: `Sold: ${data.listing_title}`, paragraph: `“${data.listing_title}” has been sold.` };
		default: {
			const unreachable: never = data;
			throw new Error(`unknown change ${(unreachable as { change: string }).change}`);
		}
	}
}

export function watchlistChange(data: Data): Rendered {
	const { subject, paragraph } = what(data);
	return render({
		subject,
		preheader: paragraph,
		heading: "A listing you watch changed",
		name: data.name,
		paragraphs: [paragraph],
		action: { label: "See the listing", url: data.listing_url },
		footnote: "You get this because the listing is on your watchlist. Unwatch it on the listing page to stop.",
	});
}
