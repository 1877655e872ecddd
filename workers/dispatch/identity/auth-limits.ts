/**
 * The auth endpoints' own buckets: one per client address block and its network (see
 * shared/rate-limit/client-address.ts), and one per account (keyed on a hash of the email), so
 * credential stuffing is slowed whether it rotates addresses or accounts. The account bucket is
 * keyed by the email the caller typed, known or not, so its answer says nothing about whether the
 * account exists. All of them live in the EdgeLimiter shards (../limits/edge.ts): no durable state
 * per new address or email.
 *
 * Unlike the general limiter these fail closed: if the bucket cannot be asked, the answer is 503,
 * because an auth endpoint without a limit is an unlimited brute-force window. Trade-off: anyone
 * can spend a victim's account bucket (at most a 15-minute lockout of password sign-in, which
 * existing sessions survive); accepted, as every per-account throttle has this property.
 */
import type { EdgeTakeResult } from "../../../durable-objects/edge-limiter/edge-limiter.ts";
import { toHex } from "../../../shared/encoding.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { rateLimitHeaders } from "../../../shared/rate-limit/headers.ts";
import { authPerAccountPolicy } from "../../../shared/rate-limit/policies.ts";
import type { BucketPolicy, RateLimitDecision } from "../../../shared/rate-limit/token-bucket.ts";
import { reportedDecision, takeAuthAccount, takeAuthAddress } from "../limits/edge.ts";

async function admitted(taking: () => Promise<EdgeTakeResult>): Promise<RateLimitDecision> {
	let result: EdgeTakeResult;
	try {
		result = await taking();
	} catch (cause) {
		throw new HttpProblem({ reason: "service_unavailable" }, { cause });
	}
	const decision = reportedDecision(result);
	if (!result.allowed) {
		throw new HttpProblem(
			{ reason: "rate_limited", retryAfterSeconds: decision.retryAfterSeconds },
			{ headers: rateLimitHeaders(decision) },
		);
	}
	return decision;
}

/** Spends one token from the client's auth buckets (address block and network), or throws 429 / 503. */
export function takeAuthIpToken(env: DispatchEnv, clientIp: string): Promise<RateLimitDecision> {
	return admitted(() => takeAuthAddress(env, clientIp));
}

/**
 * Spends one token from the account's bucket under `policy` (by normalised email; sign-in's own by
 * default), or throws 429 / 503.
 */
export async function takeAuthAccountToken(
	env: DispatchEnv,
	email: string,
	policy: BucketPolicy = authPerAccountPolicy,
): Promise<RateLimitDecision> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(email.trim().toLowerCase()));
	return admitted(() => takeAuthAccount(env, toHex(new Uint8Array(digest)), policy));
}
