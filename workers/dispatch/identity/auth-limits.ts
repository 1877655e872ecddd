/**
 * The auth endpoints' own buckets: one per client IP (`auth:ip` in the IP's object) and one per
 * account (`auth:account` in an object named after a hash of the email), so credential stuffing
 * is slowed whether it rotates IPs or accounts. The account bucket is keyed by the email the
 * caller typed, known or not, so its answer says nothing about whether the account exists.
 *
 * Unlike the general limiter these fail closed: if the bucket cannot be asked, the answer is 503,
 * because an auth endpoint without a limit is an unlimited brute-force window. Trade-off: anyone
 * can spend a victim's account bucket (at most a 15-minute lockout of password sign-in, which
 * existing sessions survive); accepted, as every per-account throttle has this property.
 */
import { accountObjectName, clientIpObjectName } from "../../../durable-objects/tenant/tenant-object.ts";
import { toHex } from "../../../shared/encoding.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { rateLimitHeaders } from "../../../shared/rate-limit/headers.ts";
import { authPerAccountPolicy, authPerIpPolicy } from "../../../shared/rate-limit/policies.ts";
import type { BucketPolicy, RateLimitDecision } from "../../../shared/rate-limit/token-bucket.ts";

async function take(
	env: DispatchEnv,
	objectName: string,
	key: string,
	policy: BucketPolicy,
): Promise<RateLimitDecision> {
	let decision: RateLimitDecision;
	try {
		decision = await env.TenantObject.getByName(objectName).consume(key, policy, Date.now());
	} catch (cause) {
		throw new HttpProblem({ reason: "service_unavailable" }, { cause });
	}
	if (!decision.allowed) {
		throw new HttpProblem(
			{ reason: "rate_limited", retryAfterSeconds: decision.retryAfterSeconds },
			{ headers: rateLimitHeaders(decision) },
		);
	}
	return decision;
}

/** Spends one token from the client IP's auth bucket, or throws 429 / 503. */
export function takeAuthIpToken(env: DispatchEnv, clientIp: string): Promise<RateLimitDecision> {
	return take(env, clientIpObjectName(clientIp), "auth:ip", authPerIpPolicy);
}

/** Spends one token from the account's auth bucket (by normalised email), or throws 429 / 503. */
export async function takeAuthAccountToken(env: DispatchEnv, email: string): Promise<RateLimitDecision> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(email.trim().toLowerCase()));
	return take(env, accountObjectName(toHex(new Uint8Array(digest))), "auth:account", authPerAccountPolicy);
}
