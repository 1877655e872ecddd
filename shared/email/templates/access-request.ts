/**
 * Access-request e-mails (the NDA flow): "a buyer asks for access" to the seller, and "your
 * request was approved, declined or revoked" to the buyer. One template for the four, since they
 * differ only in a few words; `change` picks them.
 */
import { z } from "zod";
import { linkUrl, personName, type Rendered, render, shortText } from "./layout.ts";

export const accessChanges = ["received", "approved", "declined", "revoked"] as const;

export const accessRequestData = z
	.object({
		name: personName,
		change: z.enum(accessChanges),
		listing_title: shortText,
		request_url: linkUrl,
	})
	.strict();

const WORDS: Record<
	(typeof accessChanges)[number],
	{ subject: string; heading: string; line: string; action: string }
> = {
	received: {
		subject: "Access request for",
		heading: "A buyer asks for access",
		line: "A buyer accepted the NDA and asks to see the confidential details of",
		action: "Review the request",
	},
	approved: {
		subject: "Access approved for",
		heading: "Your access request was approved",
		line: "You can now see the confidential details of",
		action: "See your access",
	},
	declined: {
		subject: "Access declined for",
		heading: "Your access request was declined",
		line: "The seller declined your request to see the confidential details of",
		action: "See your access",
	},
	revoked: {
		subject: "Access revoked for",
		heading: "Your access was revoked",
		line: "The seller withdrew your access to the confidential details of",
		action: "See your access",
	},
};

export function accessRequest(data: z.output<typeof accessRequestData>): Rendered {
	const words = WORDS[data.change];
	return render({
		subject: `${words.subject} ${data.listing_title}`,
		preheader: `${words.heading}: ${data.listing_title}.`,
		heading: words.heading,
		name: data.name,
		paragraphs: [`${words.line} “${data.listing_title}”.`],
		action: { label: words.action, url: data.request_url },
	});
}
