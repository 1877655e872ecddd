/**
 * Access tokens: HS256 JWTs through jose, with the algorithm pinned and every claim required.
 *
 * A token is only half of authentication: its `sid` names a session record in the tenant's
 * Durable Object, checked on every request, so logout, password change and suspension revoke it
 * at once even though the token itself stays valid until `exp`.
 */
import { errors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { hmacSha256Key } from "../crypto/hmac.ts";

export const ISSUER = "https://techflunky.com";
export const AUDIENCE = "techflunky-api";
export const TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** Anything longer is not a token we issued; refuse it before parsing. */
export const MAX_TOKEN_LENGTH = 2048;

export const tokenRoles = ["seller", "buyer", "investor", "admin"] as const;
export type TokenRole = (typeof tokenRoles)[number];

const claimsSchema = z.object({
	iss: z.literal(ISSUER),
	aud: z.union([z.literal(AUDIENCE), z.array(z.string()).refine((aud) => aud.includes(AUDIENCE))]),
	sub: z.string().regex(/^usr_[0-9a-f]{32}$/),
	tid: z.string().regex(/^(seller|buyer|investor|admin)_[0-9a-z]{1,40}$/),
	role: z.enum(tokenRoles),
	sid: z.string().regex(/^ses_[0-9a-f]{32}$/),
	jti: z.string().min(1).max(64),
	iat: z.number().int(),
	exp: z.number().int(),
});

export type TokenClaims = z.infer<typeof claimsSchema>;

export interface TokenSubject {
	userId: string;
	tenantId: string;
	role: TokenRole;
	sessionId: string;
}

/** The HS256 key, imported once per isolate rather than on every verification. */
function key(secret: string): Promise<CryptoKey> {
	if (secret.length < 32) return Promise.reject(new Error("JWT_SECRET must be at least 32 characters"));
	return hmacSha256Key(secret);
}

export async function issueToken(
	subject: TokenSubject,
	secret: string,
	now: number,
): Promise<{ token: string; expiresAt: number }> {
	const iat = Math.floor(now / 1000);
	const exp = iat + TOKEN_TTL_SECONDS;
	const token = await new SignJWT({ tid: subject.tenantId, role: subject.role, sid: subject.sessionId })
		.setProtectedHeader({ alg: "HS256", typ: "JWT" })
		.setIssuer(ISSUER)
		.setAudience(AUDIENCE)
		.setSubject(subject.userId)
		.setJti(subject.sessionId)
		.setIssuedAt(iat)
		.setExpirationTime(exp)
		.sign(await key(secret));
	return { token, expiresAt: exp * 1000 };
}

/** How many verified tokens an isolate remembers; the oldest is forgotten first. */
export const VERIFIED_CACHE_SIZE = 1_000;

/**
 * Tokens this isolate has verified, with their claims and the secret they were verified under.
 * A signature check is a pure function of (token, secret), so a token seen again needs only its
 * expiry checked against `now`; a client sends the same token on every request. Revocation is
 * not a property of the token (the session check in the TenantObject decides it on every
 * request), so remembering a verification never keeps a revoked session alive.
 */
const verified = new Map<string, { secret: string; claims: TokenClaims }>();

/**
 * The verified claims, or `null` for anything else: a bad signature, another algorithm (`none`,
 * HS512 with the same secret, RS256), a wrong issuer or audience, an expired token, a missing
 * claim, an oversized token. Every jose error is a 401 to the caller.
 *
 * `secrets` is the current secret, or the current one then the previous one during a rotation
 * (`secretValues(env, "JWT_SECRET")`, ./rotation.ts): a token that fails under one is tried under
 * the next, and every other check is the same under each. Tokens are only ever signed with the
 * current one, so the previous one must stay set for `TOKEN_TTL_SECONDS` after the switch.
 */
export async function verifyToken(
	token: string,
	secrets: string | readonly string[],
	now: number,
): Promise<TokenClaims | null> {
	if (token.length > MAX_TOKEN_LENGTH) return null;
	const candidates = typeof secrets === "string" ? [secrets] : secrets;
	const seen = verified.get(token);
	if (seen && candidates.includes(seen.secret)) return seen.claims.exp * 1000 > now ? seen.claims : null;
	for (const secret of candidates) {
		const claims = await verifyUncached(token, secret, now);
		if (claims) {
			if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value ?? "");
			verified.set(token, { secret, claims });
			return claims;
		}
	}
	return null;
}

/** How many verified tokens this isolate remembers now (for tests of the bound). */
export function rememberedTokenCount(): number {
	return verified.size;
}

async function verifyUncached(token: string, secret: string, now: number): Promise<TokenClaims | null> {
	try {
		const { payload } = await jwtVerify(token, await key(secret), {
			algorithms: ["HS256"],
			issuer: ISSUER,
			audience: AUDIENCE,
			requiredClaims: ["sub", "tid", "role", "sid", "jti", "iat", "exp"],
			currentDate: new Date(now),
			typ: "JWT",
		});
		const claims = claimsSchema.safeParse(payload);
		return claims.success ? claims.data : null;
	} catch (error) {
		if (error instanceof errors.JOSEError || error instanceof TypeError) return null;
		throw error;
	}
}
