/** "Your password was changed": the notice after any password change, with a way to react. */
import { z } from "zod";
import { linkUrl, personName, type Rendered, render } from "./layout.ts";

export const passwordChangedData = z
	.object({ name: personName, changed_at: z.iso.datetime({ offset: true }), support_url: linkUrl })
	.strict();

export function passwordChanged(data: z.output<typeof passwordChangedData>): Rendered {
	const when = new Date(data.changed_at)
		.toISOString()
		.replace("T", " ")
		.replace(/\.\d{3}Z$/, " UTC");
	return render({
		subject: "Your TechFlunky password was changed",
		preheader: `Your password was changed on ${when}.`,
		heading: "Your password was changed",
		name: data.name,
		paragraphs: [`The password of your TechFlunky account was changed on ${when}. Every other session was signed out.`],
		action: { label: "This was not me", url: data.support_url },
		footnote: "If you made this change, there is nothing more to do.",
	});
}
