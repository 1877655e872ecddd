/**
 * E-mail verification and password reset (shared/contract/routes/recovery.ts), served by the
 * dispatch Worker beside the other auth routes. Tokens are issued and used in ../identity/
 * (link-tokens.ts, account-tokens.ts); the e-mails go through the queue (recovery-mail.ts).
 *
 * No account enumeration on a reset request: a known and an unknown address get the same 202 and
 * body after the same work — the per-address bucket, the account lookup, a fresh token and its
 * hash, and one INSERT … SELECT that stores a row only for a known address; only the e-mail
 * differs, and it is queued after the answer.
 *
 * A reset ends every session of the user twice: before the password changes, so a failure to
 * reach the tenant's Durable Object (503) changes nothing and the link still works; and after,
 * best effort, for a session opened with the old password in between. It never signs in: the
 * person signs in with the new password, so two-factor sign-in still applies.
 */
import { contractApp } from "../../../shared/contract/app.ts";
import { recoveryRoutes as r } from "../../../shared/contract/routes/recovery.ts";
import { flushOutbox } from "../../../shared/data/outbox.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { hashPassword } from "../../../shared/password.ts";
import { passwordResetPerAccountPolicy, verifyResendPerAccountPolicy } from "../../../shared/rate-limit/policies.ts";
import {
	findUsableResetToken,
	insertResetTokenFor,
	insertToken,
	useResetToken,
	useVerificationToken,
} from "../identity/account-tokens.ts";
import { findAccountByEmail } from "../identity/accounts.ts";
import { takeAuthAccountToken } from "../identity/auth-limits.ts";
import { hashLinkToken, newLinkToken } from "../identity/link-tokens.ts";
import {
	originOf,
	passwordChangedMessage,
	passwordResetEmail,
	sendAfterAnswer,
	verificationEmail,
} from "../identity/recovery-mail.ts";
import type { DispatchHono } from "../types.ts";
import { ownAccount } from "./auth.ts";

/** The one answer for a used, expired, unknown or malformed token. */
const invalidLink = (detail: string) =>
	new HttpProblem({
		reason: "bad_request",
		detail,
		errors: [{ field: "token", message: "is used, expired or unknown" }],
	});

const VERIFY_LINK_INVALID =
	"This confirmation link does not work: it was used already, it has expired, or it is incomplete. Sign in and ask for a new one.";
const RESET_LINK_INVALID =
	"This reset link does not work: it was used already, it has expired, or it is incomplete. Ask for a new one.";
const RESET_ACCEPTED =
	"If an account uses this address, a link to choose a new password is on its way. It works once, for 30 minutes.";
const RESEND_ACCEPTED = "A new confirmation link is on its way to your e-mail address.";

export const recovery = contractApp<DispatchHono>()
	.openapi(r.verifyEmail, async (c) => {
		const { token } = c.req.valid("json");
		if (!(await useVerificationToken(c.env.DB, await hashLinkToken(token), Date.now()))) {
			throw invalidLink(VERIFY_LINK_INVALID);
		}
		return c.json({ email_verified: true as const }, 200);
	})
	.openapi(r.resendVerification, async (c) => {
		const account = await ownAccount(c);
		if (account.email_verified_at !== null) {
			throw new HttpProblem({ reason: "conflict", detail: "This e-mail address is already verified." });
		}
		await takeAuthAccountToken(c.env, account.email, verifyResendPerAccountPolicy);
		const now = Date.now();
		const link = await newLinkToken();
		await insertToken(
			c.env.DB,
			{ hash: link.hash, purpose: "verify_email", userId: account.id, email: account.email },
			now,
		).run();
		sendAfterAnswer(c, verificationEmail(account, originOf(c), link.token, now));
		return c.json({ message: RESEND_ACCEPTED }, 200);
	})
	.openapi(r.requestPasswordReset, async (c) => {
		const { email } = c.req.valid("json");
		await takeAuthAccountToken(c.env, email, passwordResetPerAccountPolicy);
		const now = Date.now();
		const account = await findAccountByEmail(c.env.DB, email);
		const link = await newLinkToken();
		await insertResetTokenFor(c.env.DB, link.hash, email, now).run();
		if (account) sendAfterAnswer(c, passwordResetEmail(account, originOf(c), link.token, now));
		return c.json({ message: RESET_ACCEPTED }, 202);
	})
	.openapi(r.confirmPasswordReset, async (c) => {
		const body = c.req.valid("json");
		const hash = await hashLinkToken(body.token);
		const holder = await findUsableResetToken(c.env.DB, hash, Date.now());
		if (!holder) throw invalidLink(RESET_LINK_INVALID);
		const passwordHash = await hashPassword(body.password, c.env.PASSWORD_PEPPER);
		const tenant = c.env.TenantObject.getByName(holder.tenant_id);
		try {
			await tenant.revokeUserSessions(holder.user_id, Date.now(), null);
		} catch (cause) {
			throw new HttpProblem({ reason: "service_unavailable" }, { cause });
		}
		const now = Date.now();
		const notice = passwordChangedMessage(holder, originOf(c), now);
		if (!(await useResetToken(c.env.DB, { hash, userId: holder.user_id, passwordHash, notice }, now))) {
			throw invalidLink(RESET_LINK_INVALID);
		}
		try {
			await tenant.revokeUserSessions(holder.user_id, Date.now(), null);
		} catch (cause) {
			console.error("could not end sessions opened during a password reset", holder.user_id, cause);
		}
		await flushOutbox(c.env.DB, { "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [notice.id], now);
		return c.json({ password_changed: true as const }, 200);
	});
