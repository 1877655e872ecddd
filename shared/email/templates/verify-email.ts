/** "Confirm your e-mail address": sent on sign-up and when the address changes. */
import { z } from "zod";
import { linkUrl, personName, type Rendered, render } from "./layout.ts";

export const verifyEmailData = z
	.object({ name: personName, verify_url: linkUrl, expires_in_hours: z.number().int().min(1).max(168) })
	.strict();

export function verifyEmail(data: z.output<typeof verifyEmailData>): Rendered {
	return render({
		subject: "Confirm your e-mail address",
		preheader: "One click to confirm the address on your TechFlunky account.",
		heading: "Confirm your e-mail address",
		name: data.name,
		paragraphs: ["Please confirm that this is the address for your TechFlunky account."],
		action: { label: "Confirm e-mail address", url: data.verify_url },
		footnote: `The link works for ${data.expires_in_hours} hour${data.expires_in_hours === 1 ? "" : "s"}. If you did not create an account, ignore this e-mail.`,
	});
}
