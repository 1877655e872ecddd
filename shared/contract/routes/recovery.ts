/**
 * The account-recovery routes' contract (see ../policy.ts): confirming an e-mail address and
 * resetting a forgotten password, served by the dispatch Worker beside the other auth routes.
 *
 * Every link token is 32 random bytes (base64url, 43 characters) that the platform keeps only as
 * its SHA-256, single use and short-lived. The body takes any string up to 200 characters as the
 * token and answers a malformed one exactly like a used, expired or unknown one (the same 400), so
 * no answer says which of those a token was. The anonymous routes ignore a stale credential,
 * like sign-in: the person following a link may carry the cookie of a session that has ended.
 */
import { z } from "@hono/zod-openapi";
import { anyone, type ContractRoute, defineRoute, signedIn } from "../policy.ts";
import { json, jsonBody, problems, signedInSecurity } from "../schemas.ts";
import { email, newPassword } from "./auth.ts";

const linkToken = z
	.string()
	.min(1)
	.max(200)
	.openapi({ description: "the `token` of the link in the e-mail", example: "q5Yb0dU2kR…" });

export const verifyEmailBody = z.object({ token: linkToken }).strict();
export const passwordResetBody = z.object({ email }).strict();
export const passwordResetConfirmBody = z.object({ token: linkToken, password: newPassword }).strict();

export const emailVerifiedView = z.object({ email_verified: z.literal(true) }).strict();
export const passwordChangedView = z.object({ password_changed: z.literal(true) }).strict();
/** A 202: the e-mail is queued (or, for a reset of an address with no account, nothing is, and the answer is the same). */
export const acceptedView = z.object({ message: z.string() }).strict().openapi("Accepted");

/** The anonymous recovery routes: the sign-in buckets per address block, and a stale credential is no obstacle. */
const anonymousPolicy = {
	allow: anyone,
	bucket: "auth",
	body: "json",
	credentials: "ignored",
	servedBy: "dispatch",
} as const;

const tags = ["Auth"];

export const recoveryRoutes = {
	verifyEmail: defineRoute({
		method: "post",
		path: "/api/v1/auth/verify-email",
		operationId: "verifyEmail",
		tags,
		summary: "Confirm an e-mail address with the token of the link sent to it",
		description:
			"The token is single use and valid 48 hours; used, expired, unknown and malformed tokens are the same 400. Confirms the address the link was sent to (if the account's address has changed since, the token does nothing: 400). Needs no session: the link may be opened in any browser.",
		security: [],
		request: { body: jsonBody(verifyEmailBody) },
		responses: {
			200: json(emailVerifiedView, "The address is verified"),
			...problems(400, 413, 415, 429, 503),
		},
		"x-policy": anonymousPolicy,
	}),
	resendVerification: defineRoute({
		method: "post",
		path: "/api/v1/auth/resend-verification",
		operationId: "resendVerification",
		tags,
		summary: "Send the signed-in user a new verification link",
		description:
			"200 once the e-mail is queued (the contract's status for this route); earlier links keep working until they expire. An address already verified is 409. Besides the caller's bucket, limited to 3 at once and 5 an hour per account (`verify-resend`).",
		security: signedInSecurity,
		responses: {
			200: json(acceptedView, "A new link is on its way"),
			...problems(401, 403, 409, 429, 503),
		},
		"x-policy": { allow: signedIn, bucket: "caller", body: "none", credentials: "accepted", servedBy: "dispatch" },
	}),
	requestPasswordReset: defineRoute({
		method: "post",
		path: "/api/v1/auth/password-reset",
		operationId: "requestPasswordReset",
		tags,
		summary: "Send a password-reset link to an address, if an account uses it",
		description:
			"Always 202 with the same body, after the same work, whether or not an account uses the address (no account enumeration); only an existing account is sent a link to `/reset-password?token=…`, single use and valid 30 minutes. A malformed address is 400. Limited per client address and network (`auth-ip`) and per address asked for (`reset-account`: 3 at once, 5 an hour), known or not.",
		security: [],
		request: { body: jsonBody(passwordResetBody) },
		responses: {
			202: json(acceptedView, "If an account uses the address, a link is on its way"),
			...problems(400, 413, 415, 429, 503),
		},
		"x-policy": anonymousPolicy,
	}),
	confirmPasswordReset: defineRoute({
		method: "post",
		path: "/api/v1/auth/password-reset/confirm",
		operationId: "confirmPasswordReset",
		tags,
		summary: "Set a new password with the token of a reset link; every session of the user ends",
		description:
			'The password follows the sign-up rule (12–1024 characters, 400 at `password`). Used, expired, unknown and malformed tokens are the same 400; a used token stays used. Every session of the user ends, every other reset link of theirs stops working, and a "your password was changed" e-mail goes out. It does not sign in (two-factor sign-in still applies): sign in with the new password. Opening the link proves the address, so an unverified one becomes verified.',
		security: [],
		request: { body: jsonBody(passwordResetConfirmBody) },
		responses: {
			200: json(passwordChangedView, "The password is changed and every session has ended"),
			...problems(400, 413, 415, 429, 503),
		},
		"x-policy": anonymousPolicy,
	}),
} satisfies Record<string, ContractRoute>;
