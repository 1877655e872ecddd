/**
 * `/api/v1/auth/*` and `/api/v1/me`: registration, sign-in, sign-out, password change and TOTP
 * two-factor authentication, served by the dispatch Worker itself (platform routes).
 *
 * Sign-in answers an unknown email exactly like a wrong password, after the same PBKDF2 work
 * (a dummy hash is checked), so neither the body nor the timing says whether an account exists.
 * Passwords verify under `PASSWORD_PEPPER` or, during a rotation, `PASSWORD_PEPPER_PREVIOUS`
 * (shared/auth/rotation.ts); a sign-in under the previous one re-hashes under the current one.
 * TOTP secrets are stored only as AES-256-GCM envelopes bound to their tenant, user and column,
 * and every accepted code advances `mfa_last_step` with a compare-and-set, so no code works twice.
 * Bodies and answers are declared, and validated, by the contract (shared/contract/routes/auth.ts).
 * Sign-up stores the account's first verification token in the batch that creates it and queues
 * the e-mail with its link after answering (../identity/recovery-mail.ts); the rest of e-mail
 * verification and password reset is ./recovery.ts.
 */
import type { Context } from "hono";
import { secretValues } from "../../../shared/auth/rotation.ts";
import { contractApp } from "../../../shared/contract/app.ts";
import { authRoutes as r } from "../../../shared/contract/routes/auth.ts";
import { decryptField, encryptField, encryptionKeyFor, type FieldBinding } from "../../../shared/crypto/aes-gcm.ts";
import { generateTotpSecret, otpauthUri, verifyTotp } from "../../../shared/crypto/totp.ts";
import { flushOutbox, outboxInsert } from "../../../shared/data/outbox.ts";
import { newId } from "../../../shared/encoding.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { hashPassword, verifyPasswordUnder } from "../../../shared/password.ts";
import { insertToken } from "../identity/account-tokens.ts";
import {
	type AccountRow,
	claimTotpStep,
	createAccount,
	disableMfa,
	enableMfa,
	findAccountByEmail,
	findAccountById,
	publicTenant,
	publicUser,
	setPasswordHash,
	setPendingMfa,
	updatePasswordHash,
} from "../identity/accounts.ts";
import { takeAuthAccountToken } from "../identity/auth-limits.ts";
import { newLinkToken } from "../identity/link-tokens.ts";
import { originOf, passwordChangedMessage, sendAfterAnswer, verificationEmail } from "../identity/recovery-mail.ts";
import { clearSessionCookie, signedInBody, startSession } from "../identity/sessions.ts";
import { noteSecurityEvent } from "../metrics/security.ts";
import type { DispatchHono, Principal } from "../types.ts";

/** A failed sign-in (wrong password, unknown account, bad one-time code), counted as a security event. */
const badCredentials = (c: Context<DispatchHono>) => {
	noteSecurityEvent(c, "sign_in_failed");
	return new HttpProblem({ reason: "unauthorized", detail: "The email or password is wrong." });
};
const nowIso = (now: number) => new Date(now).toISOString();

/** Checked when the email is unknown, so a miss costs the same PBKDF2 work as a hit. */
let dummyHash: { pepper: string; hash: Promise<string> } | undefined;
function dummyHashFor(pepper: string): Promise<string> {
	if (dummyHash?.pepper !== pepper) {
		dummyHash = { pepper, hash: hashPassword(crypto.randomUUID(), pepper) };
	}
	return dummyHash.hash;
}

const mfaBinding = (account: AccountRow, field: "mfa_secret" | "mfa_pending_secret"): FieldBinding => ({
	tenantId: account.tenant_id,
	recordId: account.id,
	field,
});

/** The signed-in caller; the access table already requires one on these routes. */
export function principalOf(c: Context<DispatchHono>): Principal {
	const principal = c.get("principal");
	if (!principal) throw new HttpProblem({ reason: "unauthorized" });
	return principal;
}

export async function ownAccount(c: Context<DispatchHono>): Promise<AccountRow> {
	const account = await findAccountById(c.env.DB, principalOf(c).userId);
	if (!account) throw new HttpProblem({ reason: "unauthorized", detail: "This account no longer exists." });
	return account;
}

/** Verifies `code` against the enabled secret and spends its step; false for a wrong or reused code. */
/** The time step `code` is valid for (not yet spent), or `null`; spends nothing. */
export async function totpStep(
	env: DispatchEnv,
	account: AccountRow,
	code: string,
	now: number,
): Promise<number | null> {
	if (!account.mfa_secret) return null;
	const secret = await decryptField(
		await encryptionKeyFor(env.ENCRYPTION_KEY),
		account.mfa_secret,
		mfaBinding(account, "mfa_secret"),
	);
	const check = await verifyTotp(secret, code, now, account.mfa_last_step);
	return check.valid ? check.step : null;
}

export async function spendTotp(env: DispatchEnv, account: AccountRow, code: string, now: number): Promise<boolean> {
	const step = await totpStep(env, account, code, now);
	return step !== null && claimTotpStep(env.DB, account.id, step, nowIso(now));
}

const invalidOtp = () =>
	new HttpProblem({
		reason: "bad_request",
		detail: "The one-time code is not valid.",
		errors: [{ field: "otp", message: "is wrong, expired or already used" }],
	});

export const auth = contractApp<DispatchHono>()
	.openapi(r.register, async (c) => {
		const body = c.req.valid("json");
		const now = Date.now();
		const role = body.role;
		const account: AccountRow = {
			id: newId("usr"),
			tenant_id: newId(role),
			email: body.email,
			name: body.name,
			role,
			password_hash: await hashPassword(body.password, c.env.PASSWORD_PEPPER),
			mfa_secret: null,
			mfa_pending_secret: null,
			mfa_last_step: null,
			email_verified_at: null,
			created_at: nowIso(now),
			tenant_kind: role,
			tenant_name: body.name,
			tenant_status: "active",
			tenant_created_at: nowIso(now),
		};
		const link = await newLinkToken();
		const verification = {
			hash: link.hash,
			purpose: "verify_email",
			userId: account.id,
			email: account.email,
		} as const;
		const created = await createAccount(
			c.env.DB,
			{
				userId: account.id,
				tenantId: account.tenant_id,
				email: account.email,
				name: account.name,
				role,
				passwordHash: account.password_hash,
				now: account.created_at,
			},
			[insertToken(c.env.DB, verification, now)],
		);
		if (created === "duplicate_email") {
			throw new HttpProblem({ reason: "conflict", detail: "An account with this email already exists." });
		}
		const signedIn = await startSession(c, { userId: account.id, tenantId: account.tenant_id, role }, now);
		sendAfterAnswer(c, verificationEmail(account, originOf(c), link.token, now));
		return c.json(signedInBody(account, signedIn), 201);
	})
	.openapi(r.login, async (c) => {
		const body = c.req.valid("json");
		await takeAuthAccountToken(c.env, body.email);
		const now = Date.now();
		const pepper = c.env.PASSWORD_PEPPER;
		const account = await findAccountByEmail(c.env.DB, body.email);
		// Both peppers are tried against the dummy hash too, so an unknown account costs what a wrong password does.
		const check = await verifyPasswordUnder(
			body.password,
			account?.password_hash ?? (await dummyHashFor(pepper)),
			secretValues(c.env, "PASSWORD_PEPPER"),
		);
		if (!account || !check.valid) throw badCredentials(c);
		if (account.mfa_secret) {
			if (body.otp === undefined) throw new HttpProblem({ reason: "otp_required" });
			if (!(await spendTotp(c.env, account, body.otp, now))) throw badCredentials(c);
		}
		if (check.needsRehash) {
			await updatePasswordHash(c.env.DB, account.id, await hashPassword(body.password, pepper), nowIso(now));
		}
		const signedIn = await startSession(
			c,
			{ userId: account.id, tenantId: account.tenant_id, role: account.role },
			now,
		);
		return c.json(signedInBody(account, signedIn), 200);
	})
	.openapi(r.logout, async (c) => {
		const principal = principalOf(c);
		await c.env.TenantObject.getByName(principal.tenantId).revokeSession(principal.sessionId, Date.now());
		clearSessionCookie(c);
		return c.body(null, 204);
	})
	.openapi(r.changePassword, async (c) => {
		const body = c.req.valid("json");
		const account = await ownAccount(c);
		await takeAuthAccountToken(c.env, account.email);
		const pepper = c.env.PASSWORD_PEPPER;
		const check = await verifyPasswordUnder(
			body.current_password,
			account.password_hash,
			secretValues(c.env, "PASSWORD_PEPPER"),
		);
		if (!check.valid) {
			throw new HttpProblem({
				reason: "bad_request",
				detail: "The current password is wrong.",
				errors: [{ field: "current_password", message: "is wrong" }],
			});
		}
		const now = Date.now();
		const notice = passwordChangedMessage(account, originOf(c), now);
		await c.env.DB.batch([
			setPasswordHash(c.env.DB, account.id, await hashPassword(body.new_password, pepper), nowIso(now)),
			outboxInsert(c.env.DB, notice, now, { afterChange: true }),
		]);
		await flushOutbox(c.env.DB, { "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [notice.id], now);
		// Every session of this user ends, this one included; the answer carries a fresh one.
		await c.env.TenantObject.getByName(account.tenant_id).revokeUserSessions(account.id, now, null);
		const signedIn = await startSession(
			c,
			{ userId: account.id, tenantId: account.tenant_id, role: account.role },
			now,
		);
		return c.json(signedInBody(account, signedIn), 200);
	})
	.openapi(r.setupMfa, async (c) => {
		const account = await ownAccount(c);
		if (account.mfa_secret) throw new HttpProblem({ reason: "conflict", detail: "Two-factor sign-in is already on." });
		const secret = generateTotpSecret();
		const envelope = await encryptField(
			await encryptionKeyFor(c.env.ENCRYPTION_KEY),
			secret,
			mfaBinding(account, "mfa_pending_secret"),
		);
		await setPendingMfa(c.env.DB, account.id, envelope, nowIso(Date.now()));
		return c.json({ secret, otpauth_uri: otpauthUri(secret, account.email) }, 200);
	})
	.openapi(r.enableMfa, async (c) => {
		const body = c.req.valid("json");
		const account = await ownAccount(c);
		await takeAuthAccountToken(c.env, account.email);
		if (account.mfa_secret) throw new HttpProblem({ reason: "conflict", detail: "Two-factor sign-in is already on." });
		if (!account.mfa_pending_secret) {
			throw new HttpProblem({ reason: "conflict", detail: "Call /api/v1/auth/mfa/setup first." });
		}
		const key = await encryptionKeyFor(c.env.ENCRYPTION_KEY);
		const secret = await decryptField(key, account.mfa_pending_secret, mfaBinding(account, "mfa_pending_secret"));
		const now = Date.now();
		const check = await verifyTotp(secret, body.otp, now, account.mfa_last_step);
		if (!check.valid || check.step === null) throw invalidOtp();
		const envelope = await encryptField(key, secret, mfaBinding(account, "mfa_secret"));
		if (!(await enableMfa(c.env.DB, account.id, envelope, check.step, nowIso(now)))) throw invalidOtp();
		return c.json({ mfa_enabled: true }, 200);
	})
	.openapi(r.disableMfa, async (c) => {
		const body = c.req.valid("json");
		const account = await ownAccount(c);
		await takeAuthAccountToken(c.env, account.email);
		if (!account.mfa_secret) throw new HttpProblem({ reason: "conflict", detail: "Two-factor sign-in is off." });
		const key = await encryptionKeyFor(c.env.ENCRYPTION_KEY);
		const secret = await decryptField(key, account.mfa_secret, mfaBinding(account, "mfa_secret"));
		const now = Date.now();
		const check = await verifyTotp(secret, body.otp, now, account.mfa_last_step);
		if (!check.valid || check.step === null) throw invalidOtp();
		if (!(await disableMfa(c.env.DB, account.id, check.step, nowIso(now)))) throw invalidOtp();
		return c.json({ mfa_enabled: false }, 200);
	})
	.openapi(r.getMe, async (c) => {
		const account = await ownAccount(c);
		return c.json({ user: publicUser(account), tenant: publicTenant(account) }, 200);
	});
