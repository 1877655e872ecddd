/** "Reset your password": the link a forgotten-password request sends. */
import { z } from "zod";
import { linkUrl, personName, type Rendered, render } from "./layout.ts";

export const passwordResetData = z
	.object({ name: personName, reset_url: linkUrl, expires_in_minutes: z.number().int().min(5).max(1440) })
	.strict();

export function passwordReset(data: z.output<typeof passwordResetData>): Rendered {
	return render({
		subject: "Reset your TechFlunky password",
		preheader: "A link to choose a new password.",
		heading: "Reset your password",
		name: data.name,
		paragraphs: [
			"Someone asked to reset the password of your TechFlunky account. Choose a new one with the link below.",
		],
		action: { label: "Choose a new password", url: data.reset_url },
		footnote: `The link works once, for ${data.expires_in_minutes} minutes. If you did not ask for it, ignore this e-mail: your password stays as it is.`,
	});
}
