/**
 * The rate-limit policies of docs/api.md (Identity, tenancy and limits), as data, and the
 * per-tenant override an admin may set.
 *
 * Auth endpoints have their own, stricter buckets, keyed both per client IP and per account, so a
 * credential-stuffing run is slowed whichever of the two it rotates. Those are deliberately not
 * overridable: raising them would reopen the brute-force window they exist to close.
 */
import { z } from "zod";
import type { Role } from "../tenant-context.ts";
import type { BucketPolicy } from "./token-bucket.ts";

const policy = (name: string, limit: number, windowSeconds: number, burst: number): BucketPolicy =>
	Object.freeze({ name, limit, windowSeconds, burst });

export const sellerPolicy = policy("seller", 1000, 3600, 100);
export const buyerPolicy = policy("buyer", 500, 3600, 50);
export const investorPolicy = policy("investor", 500, 3600, 50);
/** Anonymous callers, one bucket per client address block (an IPv4 address, an IPv6 /64). */
export const anonymousPolicy = policy("anonymous", 100, 3600, 20);
/**
 * How many clients' worth one network (an IPv4 /24, an IPv6 /48) may spend at most, anonymous or
 * at the auth endpoints: the ceiling for a client that controls many addresses of one block.
 */
export const NETWORK_MULTIPLE = 10;
export const adminPolicy = policy("admin", 10_000, 3600, 1000);
/** Auth endpoints (sign-in, sign-up, password reset), one bucket per client address block. */
export const authPerIpPolicy = policy("auth-ip", 10, 900, 10);
/** Auth endpoints, the ceiling of one network (see `NETWORK_MULTIPLE`). */
export const authPerNetworkPolicy = networkPolicy(authPerIpPolicy);
/** Auth endpoints, one bucket per account being signed in to, whatever the IP. */
export const authPerAccountPolicy = policy("auth-account", 10, 900, 5);
/**
 * Password-reset requests per address asked for (known or not), whatever the IP: each sends an
 * e-mail, so a few an hour; a bucket of its own, so asking for resets never locks anyone out of
 * signing in.
 */
export const passwordResetPerAccountPolicy = policy("reset-account", 5, 3600, 3);
/** New verification e-mails per account (`resend-verification`): the same few an hour. */
export const verifyResendPerAccountPolicy = policy("verify-resend", 5, 3600, 3);
/** E-mail address change requests per account (`email-change`): the same few an hour. */
export const emailChangePerAccountPolicy = policy("email-change", 5, 3600, 3);

/** A client policy's network ceiling: `NETWORK_MULTIPLE` times its rate and burst. */
export function networkPolicy(client: BucketPolicy): BucketPolicy {
	return policy(
		`${client.name}-network`,
		Math.min(1_000_000, client.limit * NETWORK_MULTIPLE),
		client.windowSeconds,
		Math.min(100_000, client.burst * NETWORK_MULTIPLE),
	);
}

const byRole: Readonly<Record<Role, BucketPolicy>> = {
	seller: sellerPolicy,
	buyer: buyerPolicy,
	investor: investorPolicy,
	admin: adminPolicy,
	guest: anonymousPolicy,
};

export function policyForRole(role: Role): BucketPolicy {
	return byRole[role];
}

/**
 * An admin's override of a tenant's limits. Bounded so that a typo cannot switch limiting off in
 * practice (a million per hour is already far beyond any honest client) or lock a tenant out.
 */
export const limitOverrideSchema = z
	.object({
		limit: z.number().int().min(1).max(1_000_000),
		windowSeconds: z.number().int().min(1).max(86_400),
		burst: z.number().int().min(1).max(100_000),
	})
	.strict();

export type LimitOverride = z.infer<typeof limitOverrideSchema>;

/** A policy as it arrives over RPC: the same bounds as the numbers a policy may carry. */
export const bucketPolicySchema = z
	.object({
		name: z
			.string()
			.min(1)
			.max(64)
			.regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces"),
		limit: z.number().int().min(1).max(1_000_000),
		windowSeconds: z.number().int().min(1).max(86_400),
		burst: z.number().int().min(1).max(100_000),
	})
	.strict();

/**
 * The anonymous policy in force: the documented one (docs/api.md, Identity, tenancy and limits), or
 * the operator's `ANONYMOUS_RATE_LIMIT` (JSON of a `LimitOverride`; empty means the default). A
 * value that does not parse is an error, so a typo never silently switches limiting off.
 */
export function anonymousPolicyFrom(configured: string | undefined): BucketPolicy {
	if (configured === undefined || configured.trim() === "") return anonymousPolicy;
	let json: unknown;
	try {
		json = JSON.parse(configured);
	} catch (cause) {
		throw new Error("ANONYMOUS_RATE_LIMIT is not JSON", { cause });
	}
	return applyOverride(anonymousPolicy, limitOverrideSchema.parse(json));
}

/** The policy with the override's numbers, keeping its name; the policy itself when there is none. */
export function applyOverride(base: BucketPolicy, override: LimitOverride | null): BucketPolicy {
	if (override === null) return base;
	return { name: base.name, limit: override.limit, windowSeconds: override.windowSeconds, burst: override.burst };
}
