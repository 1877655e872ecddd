/**
 * "A new listing matches your saved search": names the search and the listing that matched, links
 * to the listing and to the search's results. In daily mode it is the day's one e-mail for the
 * search (workers/consumers/watch-mail.ts), so it says later matches are in the results.
 */
import { z } from "zod";
import { formatMoney, linkUrl, money, personName, type Rendered, render, shortText } from "./layout.ts";

/** An asking price in minor units (a listing may ask 0, which `money.cents` refuses). */
const price = z.number().int().nonnegative().max(100_000_000_000_000);

export const savedSearchMatchData = z
	.object({
		name: personName,
		search_name: shortText,
		listing_title: shortText,
		asking_price_cents: price,
		currency: money.currency,
		listing_url: linkUrl,
		results_url: linkUrl,
		daily: z.boolean(),
	})
	.strict();

export function savedSearchMatch(data: z.output<typeof savedSearchMatchData>): Rendered {
	const price = formatMoney(data.asking_price_cents, data.currency);
	return render({
		subject: `New match for “${data.search_name}”: ${data.listing_title}`,
		preheader: `${data.listing_title}, asking ${price}, matches your saved search.`,
		heading: "A new listing matches your search",
		name: data.name,
		paragraphs: [
			`“${data.listing_title}”, asking ${price}, was just published and matches your saved search “${data.search_name}”.`,
			data.daily
				? `You get at most one e-mail a day for this search; later matches today are in its results: ${data.results_url}`
				: `See everything that matches the search: ${data.results_url}`,
		],
		action: { label: "See the listing", url: data.listing_url },
		footnote: "You get this because you saved this search. Delete it on your saved searches page to stop.",
	});
}
