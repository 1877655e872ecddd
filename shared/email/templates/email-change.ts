/**
 * The three e-mails of an e-mail address change (workers/dispatch/routes/email-change.ts), all
 * essential (no unsubscribe): the confirmation link to the NEW address, the "your address is being
 * changed" notice to the OLD one when the change is asked for, and the "your address was changed"
 * notice to the old one when it is done. The notices name the new address so the owner of the old
 * one can tell whether the change was theirs; "this was not me" leads to a password reset.
 */
import { z } from "zod";
import { linkUrl, personName, type Rendered, render } from "./layout.ts";

const address = z.email().max(254);
const utc = (iso: string) =>
	new Date(iso)
		.toISOString()
		.replace("T", " ")
		.replace(/\.\d{3}Z$/, " UTC");

export const emailChangeVerifyData = z
	.object({ name: personName, confirm_url: linkUrl, expires_in_hours: z.number().int().min(1).max(168) })
	.strict();

export function emailChangeVerify(data: z.output<typeof emailChangeVerifyData>): Rendered {
	return render({
		subject: "Confirm your new e-mail address",
		preheader: "One click to make this the address of your TechFlunky account.",
		heading: "Confirm your new e-mail address",
		name: data.name,
		paragraphs: [
			"Someone signed in to a TechFlunky account asked to use this address for it. Confirm, and this becomes the address you sign in with.",
		],
		action: { label: "Confirm new address", url: data.confirm_url },
		footnote: `The link works once, for ${data.expires_in_hours} hour${data.expires_in_hours === 1 ? "" : "s"}. If you did not ask for this, ignore this e-mail: nothing changes.`,
	});
}

export const emailChangeRequestedData = z
	.object({
		name: personName,
		new_email: address,
		requested_at: z.iso.datetime({ offset: true }),
		support_url: linkUrl,
	})
	.strict();

export function emailChangeRequested(data: z.output<typeof emailChangeRequestedData>): Rendered {
	return render({
		subject: "Your TechFlunky e-mail address is being changed",
		preheader: `A change of your address to ${data.new_email} was asked for.`,
		heading: "Your e-mail address is being changed",
		name: data.name,
		paragraphs: [
			`On ${utc(data.requested_at)} your TechFlunky account asked to change its e-mail address to ${data.new_email}. The change happens only when the link sent to that address is opened.`,
		],
		action: { label: "This was not me", url: data.support_url },
		footnote:
			"If this was not you, reset your password now: someone knows it. If it was you, there is nothing more to do here.",
	});
}

export const emailChangedData = z
	.object({ name: personName, new_email: address, changed_at: z.iso.datetime({ offset: true }), support_url: linkUrl })
	.strict();

export function emailChanged(data: z.output<typeof emailChangedData>): Rendered {
	return render({
		subject: "Your TechFlunky e-mail address was changed",
		preheader: `Your account now uses ${data.new_email}.`,
		heading: "Your e-mail address was changed",
		name: data.name,
		paragraphs: [
			`On ${utc(data.changed_at)} the e-mail address of your TechFlunky account was changed to ${data.new_email}. Every session was signed out; this address no longer signs in.`,
		],
		action: { label: "This was not me", url: data.support_url },
		footnote: "If you made this change, there is nothing more to do.",
	});
}
