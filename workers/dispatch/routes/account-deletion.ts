/**
 * `DELETE /api/v1/me`: a person deletes their own account (shared/contract/routes/account.ts;
 * what is kept and why: docs/domain.md, "Deleting an account"). The D1 side — what refuses a
 * deletion and the one batch that does it — is ../identity/account-deletion.ts.
 *
 * Order, so that a failure leaves the account as it was: the password (and a current TOTP code
 * when two-factor sign-in is on) is checked; then what stops a deletion (409 naming it); then
 * every session ends at the tenant's Durable Object (a 503 there changes nothing); then the batch;
 * then sessions end again, best effort, for one opened in between. The answer clears the cookie.
 */
import { secretValues } from "../../../shared/auth/rotation.ts";
import { contractApp } from "../../../shared/contract/app.ts";
import { accountRoutes as r } from "../../../shared/contract/routes/account.ts";
import { flushOutbox } from "../../../shared/data/outbox.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { verifyPasswordUnder } from "../../../shared/password.ts";
import { deleteAccount, deletionBlocker } from "../identity/account-deletion.ts";
import { claimTotpStep } from "../identity/accounts.ts";
import { takeAuthAccountToken } from "../identity/auth-limits.ts";
import { clearSessionCookie } from "../identity/sessions.ts";
import type { DispatchHono } from "../types.ts";
import { ownAccount, totpStep } from "./auth.ts";

const fieldProblem = (field: "password" | "otp", detail: string, message: string) =>
	new HttpProblem({ reason: "bad_request", detail, errors: [{ field, message }] });

export const accountDeletion = contractApp<DispatchHono>().openapi(r.deleteAccount, async (c) => {
	const body = c.req.valid("json");
	const account = await ownAccount(c);
	await takeAuthAccountToken(c.env, account.email);
	const check = await verifyPasswordUnder(body.password, account.password_hash, secretValues(c.env, "PASSWORD_PEPPER"));
	if (!check.valid) throw fieldProblem("password", "The password is wrong.", "is wrong");
	const invalidOtp = () => fieldProblem("otp", "The one-time code is not valid.", "is wrong, expired or already used");
	// The code is checked before the blockers (they are for the account's owner only) but spent
	// after them, so a refused deletion leaves it usable for the retry.
	let otpStep: number | null = null;
	if (account.mfa_secret) {
		if (body.otp === undefined) {
			throw fieldProblem("otp", "Two-factor sign-in is on: enter a current code to delete the account.", "is required");
		}
		otpStep = await totpStep(c.env, account, body.otp, Date.now());
		if (otpStep === null) throw invalidOtp();
	}
	const blocker = await deletionBlocker(c.env.DB, account.tenant_id);
	if (blocker) throw new HttpProblem({ reason: "conflict", detail: blocker });
	if (otpStep !== null && !(await claimTotpStep(c.env.DB, account.id, otpStep, new Date().toISOString()))) {
		throw invalidOtp();
	}

	const tenant = c.env.TenantObject.getByName(account.tenant_id);
	try {
		await tenant.revokeUserSessions(account.id, Date.now(), null);
	} catch (cause) {
		throw new HttpProblem({ reason: "service_unavailable" }, { cause });
	}
	const now = Date.now();
	const done = await deleteAccount(
		c.env.DB,
		{ userId: account.id, tenantId: account.tenant_id, email: account.email, requestId: c.get("requestId") },
		now,
	);
	try {
		await tenant.revokeUserSessions(account.id, Date.now(), null);
	} catch (cause) {
		console.error("could not end sessions opened during an account deletion", account.id, cause);
	}
	await flushOutbox(c.env.DB, { "backoffice-jobs": c.env.BACKOFFICE_JOBS }, done.outboxIds, now);
	clearSessionCookie(c);
	return c.body(null, 204);
});
