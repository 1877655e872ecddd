/**
 * The auth routes' contract (see ../policy.ts): registration, sign-in, sign-out, password change,
 * TOTP two-factor sign-in and `/me`, all served by the dispatch Worker itself; e-mail verification
 * and password reset are in ./recovery.ts.
 *
 * Response objects are `.strict()`: a handler that starts to answer a field nobody declared (a
 * password hash, an MFA secret) fails its tests instead of leaking quietly.
 */
import { z } from "@hono/zod-openapi";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../password.ts";
import { anyone, type ContractRoute, defineRoute, signedIn } from "../policy.ts";
import { json, jsonBody, problems, signedInSecurity, tenantId, timestamp, userId } from "../schemas.ts";

/** A tenant's kind is its users' role; `admin` only from the command line, never by sign-up. */
export const role = z.enum(["seller", "buyer", "investor", "admin"]);
export const tenantStatus = z.enum(["active", "suspended"]);

export const email = z
	.string()
	.trim()
	.toLowerCase()
	.max(254)
	.pipe(z.email("must be an email address"))
	.openapi({ format: "email", example: "ada@example.com" });
/** A password as registration, the password change and a reset take it (12–1024 characters). */
export const newPassword = z
	.string()
	.min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
	.max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);
const otp = z
	.string()
	.regex(/^[0-9]{6}$/, "must be the 6-digit code")
	.openapi({ example: "123456" });

export const registerBody = z
	.object({
		email,
		password: newPassword,
		name: z.string().trim().min(1).max(100),
		role: z.enum(["seller", "buyer", "investor"]),
	})
	.strict();

export const loginBody = z
	.object({
		// Not format-checked: a malformed email is just another unknown account.
		email: z.string().trim().toLowerCase().min(1).max(254),
		password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
		otp: otp.optional(),
	})
	.strict();

export const passwordChangeBody = z
	.object({ current_password: z.string().min(1).max(PASSWORD_MAX_LENGTH), new_password: newPassword })
	.strict();

export const otpBody = z.object({ otp }).strict();

export const userView = z
	.object({
		id: userId,
		email: z.string(),
		name: z.string(),
		role,
		tenant_id: tenantId,
		mfa_enabled: z.boolean(),
		email_verified: z.boolean().openapi({
			description: "false until the link sent to the address is opened; see POST /api/v1/auth/verify-email",
		}),
		created_at: timestamp,
	})
	.strict()
	.openapi("User");

export const tenantView = z
	.object({ id: tenantId, kind: role, name: z.string(), status: tenantStatus, created_at: timestamp })
	.strict()
	.openapi("Tenant");

/** Every successful sign-in (register, login, password change); the token is also set as the `__Host-session` cookie. */
export const signedInView = z
	.object({
		user: userView,
		tenant: tenantView,
		token: z.string().openapi({ description: "a bearer token (JWT), valid 30 days" }),
		expires_at: timestamp,
	})
	.strict()
	.openapi("SignedIn");

export const meView = z.object({ user: userView, tenant: tenantView }).strict();

export const mfaSetupView = z
	.object({
		secret: z
			.string()
			.regex(/^[A-Z2-7]+$/)
			.openapi({ description: "the TOTP secret, base32, for an authenticator app" }),
		otpauth_uri: z
			.string()
			.startsWith("otpauth://totp/")
			.openapi({ example: "otpauth://totp/TechFlunky:ada@example.com?…" }),
	})
	.strict();

export const mfaStateView = z.object({ mfa_enabled: z.boolean() }).strict();

/** Sign-in and sign-up spend the auth buckets and ignore a stale credential, so it cannot block signing in again. */
const signInPolicy = {
	allow: anyone,
	bucket: "auth",
	body: "json",
	credentials: "ignored",
	servedBy: "dispatch",
} as const;
const signedInPolicy = (body: "none" | "json", note?: string) =>
	({
		allow: signedIn,
		bucket: "caller",
		body,
		credentials: "accepted",
		servedBy: "dispatch",
		...(note === undefined ? {} : { note }),
	}) as const;

export const authRoutes = {
	register: defineRoute({
		method: "post",
		path: "/api/v1/auth/register",
		operationId: "register",
		tags: ["Auth"],
		summary: "Create an account (a tenant and its first user) and sign in",
		description:
			"Role ∈ seller, buyer, investor; email trimmed and lower-cased; password 12–1024 characters; name 1–100; unknown fields 400; a duplicate email (any case) 409. Creates the tenant `<role>_<32 hex>` and its first user, and answers with a session: the token, and for browsers the `__Host-session` cookie. The address starts unverified (`email_verified: false`): a verification e-mail goes out with a link to `/verify-email?token=…` on the host signed up on, valid 48 hours.",
		security: [],
		request: { body: jsonBody(registerBody) },
		responses: {
			201: json(signedInView, "Signed in as the new account"),
			...problems(400, 403, 409, 413, 415, 429, 503),
		},
		"x-policy": signInPolicy,
	}),
	login: defineRoute({
		method: "post",
		path: "/api/v1/auth/login",
		operationId: "login",
		tags: ["Auth"],
		summary: "Sign in with email, password and, once two-factor sign-in is on, `otp`",
		description:
			"Unknown email and wrong password get the same 401 after the same hashing work; MFA on and no `otp`: 401 `otp-required`; a wrong or reused `otp`: 401; a suspended tenant: 403. Limited per client address and network (`auth-ip`) and per account (`auth-account`).",
		security: [],
		request: { body: jsonBody(loginBody) },
		responses: {
			200: json(signedInView, "Signed in"),
			...problems(400, 401, 403, 413, 415, 429, 503),
		},
		"x-policy": signInPolicy,
	}),
	logout: defineRoute({
		method: "post",
		path: "/api/v1/auth/logout",
		operationId: "logout",
		tags: ["Auth"],
		summary: "End this session at once and clear the cookie",
		description:
			"The session is revoked at once (the very next request with its token is a 401) and the cookie cleared.",
		security: signedInSecurity,
		responses: { 204: { description: "Signed out" }, ...problems(401, 403, 429, 503) },
		"x-policy": signedInPolicy("none"),
	}),
	changePassword: defineRoute({
		method: "post",
		path: "/api/v1/auth/password",
		operationId: "changePassword",
		tags: ["Auth"],
		summary: "Change the password: every session of the user ends, a new one is returned",
		description:
			'Every session of the user ends (this one too) and a new one is returned; a wrong current password is 400. A "your password was changed" e-mail goes out.',
		security: signedInSecurity,
		request: { body: jsonBody(passwordChangeBody) },
		responses: {
			200: json(signedInView, "Signed in again, with the new password"),
			...problems(400, 401, 403, 413, 415, 429, 503),
		},
		"x-policy": signedInPolicy("json", "password change; ours, not in the v1 contract"),
	}),
	setupMfa: defineRoute({
		method: "post",
		path: "/api/v1/auth/mfa/setup",
		operationId: "setupMfa",
		tags: ["Auth"],
		summary: "Start two-factor sign-in: a new TOTP secret, pending until confirmed",
		description:
			"Answers `{secret, otpauth_uri}` (base32, for an authenticator app); the secret is stored encrypted as pending until `enable`; 409 if MFA is already on.",
		security: signedInSecurity,
		responses: {
			200: json(mfaSetupView, "The pending secret"),
			...problems(401, 403, 409, 429, 503),
		},
		"x-policy": signedInPolicy("none"),
	}),
	enableMfa: defineRoute({
		method: "post",
		path: "/api/v1/auth/mfa/enable",
		operationId: "enableMfa",
		tags: ["Auth"],
		summary: "Turn two-factor sign-in on with a code from the pending secret",
		description:
			"409 without a pending setup; a wrong code is 400. TOTP is RFC 6238 (SHA-1, 6 digits, 30 s, one step either side); a code accepted once is never accepted again.",
		security: signedInSecurity,
		request: { body: jsonBody(otpBody) },
		responses: {
			200: json(mfaStateView, "Two-factor sign-in is on"),
			...problems(400, 401, 403, 409, 413, 415, 429, 503),
		},
		"x-policy": signedInPolicy("json"),
	}),
	disableMfa: defineRoute({
		method: "post",
		path: "/api/v1/auth/mfa/disable",
		operationId: "disableMfa",
		tags: ["Auth"],
		summary: "Turn two-factor sign-in off with a current code",
		description: "409 if MFA is off; a wrong or reused code is 400.",
		security: signedInSecurity,
		request: { body: jsonBody(otpBody) },
		responses: {
			200: json(mfaStateView, "Two-factor sign-in is off"),
			...problems(400, 401, 403, 409, 413, 415, 429, 503),
		},
		"x-policy": signedInPolicy("json"),
	}),
	getMe: defineRoute({
		method: "get",
		path: "/api/v1/me",
		operationId: "getMe",
		tags: ["Auth"],
		summary: "The signed-in user and their tenant",
		security: signedInSecurity,
		responses: { 200: json(meView, "The caller"), ...problems(401, 403, 429, 503) },
		"x-policy": signedInPolicy("none"),
	}),
} satisfies Record<string, ContractRoute>;
