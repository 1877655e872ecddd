/**
 * The account-change routes' contract (see ../policy.ts): changing one's e-mail address (a link to
 * the new address confirms it; the old address is told) and deleting one's own account, served by
 * the dispatch Worker beside the other auth routes (workers/dispatch/routes/email-change.ts,
 * account-deletion.ts).
 *
 * A change request answers the same 202 whether or not the new address already belongs to
 * another account, so the route cannot be used to find out which addresses have accounts. The
 * confirmation takes no session, like the other links: it may be opened in any browser.
 */
import { z } from "@hono/zod-openapi";
import { PASSWORD_MAX_LENGTH } from "../../password.ts";
import { anyone, type ContractRoute, defineRoute, party, signedIn } from "../policy.ts";
import { json, jsonBody, problems, signedInSecurity } from "../schemas.ts";
import { email } from "./auth.ts";
import { acceptedView, verifyEmailBody } from "./recovery.ts";

const password = z.string().min(1).max(PASSWORD_MAX_LENGTH).openapi({ description: "the account's current password" });

export const emailChangeBody = z.object({ new_email: email, password }).strict();
export const emailChangeConfirmBody = verifyEmailBody;
export const emailChangedView = z.object({ email_changed: z.literal(true) }).strict();
export const accountDeleteBody = z
	.object({
		password,
		otp: z
			.string()
			.regex(/^[0-9]{6}$/, "must be the 6-digit code")
			.optional()
			.openapi({ description: "required when two-factor sign-in is on" }),
	})
	.strict();

const tags = ["Auth"];

export const accountRoutes = {
	requestEmailChange: defineRoute({
		method: "post",
		path: "/api/v1/auth/email-change",
		operationId: "requestEmailChange",
		tags,
		summary: "Ask to change the signed-in user's e-mail address; a link to the new address confirms it",
		description:
			"The password is checked again (400 at `password`); the new address must differ from the current one (400 at `new_email`). Always the same 202 whether or not another account uses the new address: if one does, no link is sent anywhere (the new address's owner is not bothered), and the old address is told either way. The link goes to `/confirm-email-change?token=…`, single use, valid 24 hours. Besides the caller's bucket, limited to 3 at once and 5 an hour per account (`email-change`).",
		security: signedInSecurity,
		request: { body: jsonBody(emailChangeBody) },
		responses: {
			202: json(acceptedView, "If the new address is free, a link is on its way to it"),
			...problems(400, 401, 403, 413, 415, 429, 503),
		},
		"x-policy": { allow: signedIn, bucket: "caller", body: "json", credentials: "accepted", servedBy: "dispatch" },
	}),
	confirmEmailChange: defineRoute({
		method: "post",
		path: "/api/v1/auth/email-change/confirm",
		operationId: "confirmEmailChange",
		tags,
		summary: "Switch the account to the new address with the token of the link sent to it; every session ends",
		description:
			'Used, expired, unknown and malformed tokens are the same 400. The address becomes the account\'s, verified; every session of the user ends (sign in again with the new address); every other open link of the account stops working; the old address gets a "your address was changed" e-mail. If another account took the address meanwhile: 409, nothing changes.',
		security: [],
		request: { body: jsonBody(emailChangeConfirmBody) },
		responses: {
			200: json(emailChangedView, "The address is changed and every session has ended"),
			...problems(400, 409, 413, 415, 429, 503),
		},
		"x-policy": { allow: anyone, bucket: "auth", body: "json", credentials: "ignored", servedBy: "dispatch" },
	}),
	deleteAccount: defineRoute({
		method: "delete",
		path: "/api/v1/me",
		operationId: "deleteAccount",
		tags,
		summary: "Delete the signed-in user's own account",
		description:
			"Needs the password (400 at `password`) and, when two-factor sign-in is on, a current code (400 at `otp`). 409 while money is in flight (a payment `pending`, `paid` and held, or `disputed`, as buyer or seller) or a negotiation is open (an offer `pending` or `countered`, or accepted and not yet paid): its `detail` says which. Otherwise the seller's draft and active listings are archived, every session ends, and the user's personal data is removed (e-mail, name, password, two-factor secret); payments, deal records, offer timelines and the audit log are kept under the tenant id (docs/domain.md, \"Deleting an account\"). The address can sign up again. Admin accounts are removed by an operator, not here.",
		security: signedInSecurity,
		request: { body: jsonBody(accountDeleteBody) },
		responses: {
			204: { description: "The account is deleted and every session has ended" },
			...problems(400, 401, 403, 409, 413, 415, 429, 503),
		},
		"x-policy": { allow: party, bucket: "caller", body: "json", credentials: "accepted", servedBy: "dispatch" },
	}),
} satisfies Record<string, ContractRoute>;
