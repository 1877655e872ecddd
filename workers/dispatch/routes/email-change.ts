/**
 * Changing one's e-mail address (shared/contract/routes/account.ts): the request, by the
 * signed-in user with their password, and the confirmation, with the token of the link sent to
 * the new address. Storage is ../identity/email-change-tokens.ts, the e-mails
 * ../identity/email-change-mail.ts.
 *
 * No account enumeration: whether another account uses the new address, the request does the same
 * work (the INSERT … SELECT stores a token only for a free address) and answers the same 202; a
 * taken address is sent nothing (its owner did not ask, and a notice would tell the caller
 * nothing they may know), and the old address gets its "being changed" notice either way.
 *
 * Confirming ends every session of the user, the one that asked included: a change of the sign-in
 * address is a change of credentials, like a reset, and whoever opened the link signs in again
 * with the new address. Sessions end before the switch (a 503 from the tenant's Durable Object
 * changes nothing and the link still works) and again after it, best effort.
 */
import { secretValues } from "../../../shared/auth/rotation.ts";
import { contractApp } from "../../../shared/contract/app.ts";
import { accountRoutes as r } from "../../../shared/contract/routes/account.ts";
import { flushOutbox, outboxInsert } from "../../../shared/data/outbox.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { verifyPasswordUnder } from "../../../shared/password.ts";
import { emailChangePerAccountPolicy } from "../../../shared/rate-limit/policies.ts";
import { takeAuthAccountToken } from "../identity/auth-limits.ts";
import {
	emailChangedMessage,
	emailChangeLinkEmail,
	emailChangeRequestedMessage,
} from "../identity/email-change-mail.ts";
import { findUsableEmailChange, insertEmailChangeToken, useEmailChangeToken } from "../identity/email-change-tokens.ts";
import { hashLinkToken, newLinkToken } from "../identity/link-tokens.ts";
import { originOf, sendAfterAnswer } from "../identity/recovery-mail.ts";
import type { DispatchHono } from "../types.ts";
import { ownAccount } from "./auth.ts";

const CHANGE_ACCEPTED =
	"If no other account uses the new address, a confirmation link is on its way to it. It works once, for 24 hours. Your current address stays until the link is opened.";
const LINK_INVALID =
	"This confirmation link does not work: it was used already, it has expired, or it is incomplete. Sign in and ask for the change again.";

const invalidLink = () =>
	new HttpProblem({
		reason: "bad_request",
		detail: LINK_INVALID,
		errors: [{ field: "token", message: "is used, expired or unknown" }],
	});

export const emailChange = contractApp<DispatchHono>()
	.openapi(r.requestEmailChange, async (c) => {
		const body = c.req.valid("json");
		const account = await ownAccount(c);
		await takeAuthAccountToken(c.env, account.email, emailChangePerAccountPolicy);
		const check = await verifyPasswordUnder(
			body.password,
			account.password_hash,
			secretValues(c.env, "PASSWORD_PEPPER"),
		);
		if (!check.valid) {
			throw new HttpProblem({
				reason: "bad_request",
				detail: "The password is wrong.",
				errors: [{ field: "password", message: "is wrong" }],
			});
		}
		if (body.new_email === account.email.toLowerCase()) {
			throw new HttpProblem({
				reason: "bad_request",
				detail: "This is already the address of your account.",
				errors: [{ field: "new_email", message: "is your current address" }],
			});
		}
		const now = Date.now();
		const origin = originOf(c);
		const link = await newLinkToken();
		const notice = emailChangeRequestedMessage(account, body.new_email, origin, now);
		const [stored] = await c.env.DB.batch([
			insertEmailChangeToken(c.env.DB, { hash: link.hash, userId: account.id, newEmail: body.new_email }, now),
			outboxInsert(c.env.DB, notice, now),
		]);
		await flushOutbox(c.env.DB, { "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [notice.id], now);
		if (stored?.meta.changes === 1) {
			sendAfterAnswer(c, emailChangeLinkEmail(account, body.new_email, origin, link.token, now));
		}
		return c.json({ message: CHANGE_ACCEPTED }, 202);
	})
	.openapi(r.confirmEmailChange, async (c) => {
		const { token } = c.req.valid("json");
		const hash = await hashLinkToken(token);
		const holder = await findUsableEmailChange(c.env.DB, hash, Date.now());
		if (!holder) throw invalidLink();
		const tenant = c.env.TenantObject.getByName(holder.tenant_id);
		try {
			await tenant.revokeUserSessions(holder.user_id, Date.now(), null);
		} catch (cause) {
			throw new HttpProblem({ reason: "service_unavailable" }, { cause });
		}
		const now = Date.now();
		const notice = emailChangedMessage(holder, holder.new_email, originOf(c), now);
		const outcome = await useEmailChangeToken(
			c.env.DB,
			{ hash, userId: holder.user_id, oldEmail: holder.email, notice },
			now,
		);
		if (outcome === "taken") {
			throw new HttpProblem({
				reason: "conflict",
				detail: "Another account started using this address in the meantime, so your address was not changed.",
			});
		}
		if (outcome === "spent") throw invalidLink();
		try {
			await tenant.revokeUserSessions(holder.user_id, Date.now(), null);
		} catch (cause) {
			console.error("could not end sessions opened during an address change", holder.user_id, cause);
		}
		await flushOutbox(c.env.DB, { "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [notice.id], now);
		return c.json({ email_changed: true as const }, 200);
	});
