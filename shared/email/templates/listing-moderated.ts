/**
 * "An admin archived your listing": to every user of the seller's tenant when an admin archives a
 * listing for moderation (workers/dispatch/routes/moderation.ts), quoting the admin's reason.
 * Essential (it explains a change to the seller's own listing), so no preference turns it off.
 */
import { z } from "zod";
import { linkUrl, personName, type Rendered, render, shortText } from "./layout.ts";

export const listingModeratedData = z
	.object({
		name: personName,
		listing_title: shortText,
		reason: z.string().trim().min(1).max(1000),
		listing_url: linkUrl,
	})
	.strict();

export function listingModerated(data: z.output<typeof listingModeratedData>): Rendered {
	return render({
		subject: `Your listing was archived: ${data.listing_title}`,
		preheader: `An admin archived “${data.listing_title}”.`,
		heading: "Your listing was archived",
		name: data.name,
		paragraphs: [
			`A TechFlunky admin archived your listing “${data.listing_title}”: buyers no longer see it.`,
			`The reason given: ${data.reason}`,
		],
		action: { label: "See the listing", url: data.listing_url },
		footnote: "If you think this is a mistake, reply to this e-mail or contact support.",
	});
}
