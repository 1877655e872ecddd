/**
 * `/api/v1/auth/*` and `/api/v1/me`: registration, sign-in, sign-out, password change and TOTP
 * two-factor authentication, served by the dispatch Worker itself (platform routes).
 *
 * Sign-in answers an unknown email exactly like a wrong password, after the same PBKDF2 work
 * (a dummy hash is checked), so neither the body nor the timing says whether an account exists.
 * TOTP secrets are stored only as AES-256-GCM envelopes bound to their tenant, user and column,
 * and every accepted code advances `mfa_last_step` with a compare-and-set, so no code works twice.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { decryptField, encryptField, encryptionKeyFor, type FieldBinding } from "../../../shared/crypto/aes-gcm.ts";
import { generateTotpSecret, otpauthUri, verifyTotp } from "../../../shared/crypto/totp.ts";
import { newId } from "../../../shared/encoding.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { readJson } from "../../../shared/http/validate.ts";
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyPassword } from "../../../shared/password.ts";
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
	setPendingMfa,
	updatePasswordHash,
} from "../identity/accounts.ts";
import { takeAuthAccountToken } from "../identity/auth-limits.ts";
import { clearSessionCookie, signedInBody, startSession } from "../identity/sessions.ts";
import type { DispatchHono, Principal } from "../types.ts";

const email = z.string().trim().toLowerCase().max(254).pipe(z.email("must be an email address"));
const newPassword = z
	.string()
	.min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
	.max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);
const otp = z.string().regex(/^[0-9]{6}$/, "must be the 6-digit code");

const registerSchema = z
	.object({
		email,
		password: newPassword,
		name: z.string().trim().min(1).max(100),
		role: z.enum(["seller", "buyer", "investor"]),
	})
	.strict();

const loginSchema = z
	.object({
		// Not format-checked: a malformed email is just another unknown account.
		email: z.string().trim().toLowerCase().min(1).max(254),
		password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
		otp: otp.optional(),
	})
	.strict();

const passwordChangeSchema = z
	.object({ current_password: z.string().min(1).max(PASSWORD_MAX_LENGTH), new_password: newPassword })
	.strict();

const otpSchema = z.object({ otp }).strict();

const badCredentials = () => new HttpProblem({ reason: "unauthorized", detail: "The email or password is wrong." });
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
function principalOf(c: Context<DispatchHono>): Principal {
	const principal = c.get("principal");
	if (!principal) throw new HttpProblem({ reason: "unauthorized" });
	return principal;
}

async function ownAccount(c: Context<DispatchHono>): Promise<AccountRow> {
	const account = await findAccountById(c.env.DB, principalOf(c).userId);
	if (!account) throw new HttpProblem({ reason: "unauthorized", detail: "This account no longer exists." });
	return account;
}

/** Verifies `code` against the enabled secret and spends its step; false for a wrong or reused code. */
async function spendTotp(env: DispatchEnv, account: AccountRow, code: string, now: number): Promise<boolean> {
	if (!account.mfa_secret) return false;
	const secret = await decryptField(
		await encryptionKeyFor(env.ENCRYPTION_KEY),
		account.mfa_secret,
		mfaBinding(account, "mfa_secret"),
	);
	const check = await verifyTotp(secret, code, now, account.mfa_last_step);
	if (!check.valid || check.step === null) return false;
	return claimTotpStep(env.DB, account.id, check.step, nowIso(now));
}

const invalidOtp = () =>
	new HttpProblem({
		reason: "bad_request",
		detail: "The one-time code is not valid.",
		errors: [{ field: "otp", message: "is wrong, expired or already used" }],
	});

export const auth = new Hono<DispatchHono>()
	.post("/auth/register", async (c) => {
		const body = await readJson(c, registerSchema);
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
			created_at: nowIso(now),
			tenant_kind: role,
			tenant_name: body.name,
			tenant_status: "active",
			tenant_created_at: nowIso(now),
		};
		const created = await createAccount(c.env.DB, {
			userId: account.id,
			tenantId: account.tenant_id,
			email: account.email,
			name: account.name,
			role,
			passwordHash: account.password_hash,
			now: account.created_at,
		});
		if (created === "duplicate_email") {
			throw new HttpProblem({ reason: "conflict", detail: "An account with this email already exists." });
		}
		const signedIn = await startSession(c, { userId: account.id, tenantId: account.tenant_id, role }, now);
		return c.json(signedInBody(account, signedIn), 201);
	})
	.post("/auth/login", async (c) => {
		const body = await readJson(c, loginSchema);
		await takeAuthAccountToken(c.env, body.email);
		const now = Date.now();
		const pepper = c.env.PASSWORD_PEPPER;
		const account = await findAccountByEmail(c.env.DB, body.email);
		const check = await verifyPassword(body.password, account?.password_hash ?? (await dummyHashFor(pepper)), pepper);
		if (!account || !check.valid) throw badCredentials();
		if (account.mfa_secret) {
			if (body.otp === undefined) throw new HttpProblem({ reason: "otp_required" });
			if (!(await spendTotp(c.env, account, body.otp, now))) throw badCredentials();
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
	.post("/auth/logout", async (c) => {
		const principal = principalOf(c);
		await c.env.TenantObject.getByName(principal.tenantId).revokeSession(principal.sessionId, Date.now());
		clearSessionCookie(c);
		return c.body(null, 204);
	})
	.post("/auth/password", async (c) => {
		const body = await readJson(c, passwordChangeSchema);
		const account = await ownAccount(c);
		await takeAuthAccountToken(c.env, account.email);
		const pepper = c.env.PASSWORD_PEPPER;
		const check = await verifyPassword(body.current_password, account.password_hash, pepper);
		if (!check.valid) {
			throw new HttpProblem({
				reason: "bad_request",
				detail: "The current password is wrong.",
				errors: [{ field: "current_password", message: "is wrong" }],
			});
		}
		const now = Date.now();
		await updatePasswordHash(c.env.DB, account.id, await hashPassword(body.new_password, pepper), nowIso(now));
		// Every session of this user ends, this one included; the answer carries a fresh one.
		await c.env.TenantObject.getByName(account.tenant_id).revokeUserSessions(account.id, now, null);
		const signedIn = await startSession(
			c,
			{ userId: account.id, tenantId: account.tenant_id, role: account.role },
			now,
		);
		return c.json(signedInBody(account, signedIn), 200);
	})
	.post("/auth/mfa/setup", async (c) => {
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
	.post("/auth/mfa/enable", async (c) => {
		const body = await readJson(c, otpSchema);
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
	.post("/auth/mfa/disable", async (c) => {
		const body = await readJson(c, otpSchema);
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
	.get("/me", async (c) => {
		const account = await ownAccount(c);
		return c.json({ user: publicUser(account), tenant: publicTenant(account) }, 200);
	});
