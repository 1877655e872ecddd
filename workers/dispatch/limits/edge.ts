/**
 * The edge's calls to the EdgeLimiter shards: which buckets a caller without a tenant spends,
 * keyed on the address block it controls (shared/rate-limit/client-address.ts), and which of the
 * decisions its response reports.
 *
 * An anonymous request spends its client's bucket and its network's, in the network's shard, in
 * one call; a sign-in or sign-up spends the auth buckets of both the same way; a sign-in also
 * spends the account's bucket, in the shard of the account's hash (a password-reset request and a
 * new verification e-mail spend buckets of their own there, named by their policy).
 */
import { type EdgeTakeResult, edgeLimiterShard } from "../../../durable-objects/edge-limiter/edge-limiter.ts";
import { clientKeys } from "../../../shared/rate-limit/client-address.ts";
import { authPerIpPolicy, authPerNetworkPolicy, networkPolicy } from "../../../shared/rate-limit/policies.ts";
import type { BucketPolicy, RateLimitDecision } from "../../../shared/rate-limit/token-bucket.ts";

async function takeAtEdge(
	env: DispatchEnv,
	shardKey: string,
	buckets: { key: string; policy: BucketPolicy }[],
): Promise<EdgeTakeResult> {
	return env.EdgeLimiter.getByName(edgeLimiterShard(shardKey)).take({ buckets, now: Date.now() });
}

/** What a response reports: the bucket that refused, else the client's own (the first). */
export function reportedDecision(result: EdgeTakeResult): RateLimitDecision {
	const decision = result.decisions.find((each) => !each.allowed) ?? result.decisions[0];
	if (!decision) throw new Error("the edge limiter answered no decision");
	return decision;
}

/** An anonymous request: the client's bucket under `policy` and its network's ceiling. */
export function takeAnonymous(env: DispatchEnv, clientIp: string, policy: BucketPolicy): Promise<EdgeTakeResult> {
	const keys = clientKeys(clientIp);
	return takeAtEdge(env, keys.network, [
		{ key: `anon:${keys.client}`, policy },
		{ key: `anon-net:${keys.network}`, policy: networkPolicy(policy) },
	]);
}

/** A sign-in or sign-up: the client's auth bucket and its network's. */
export function takeAuthAddress(env: DispatchEnv, clientIp: string): Promise<EdgeTakeResult> {
	const keys = clientKeys(clientIp);
	return takeAtEdge(env, keys.network, [
		{ key: `auth-ip:${keys.client}`, policy: authPerIpPolicy },
		{ key: `auth-net:${keys.network}`, policy: authPerNetworkPolicy },
	]);
}

/**
 * A sign-in (or a reset request, a new verification e-mail) for the account whose normalised email
 * hashes to `accountHash` (hex SHA-256): the bucket is keyed by the policy's name, so each purpose
 * has its own (`auth-account:…`, `reset-account:…`, `verify-resend:…`).
 */
export function takeAuthAccount(env: DispatchEnv, accountHash: string, policy: BucketPolicy): Promise<EdgeTakeResult> {
	return takeAtEdge(env, accountHash, [{ key: `${policy.name}:${accountHash}`, policy }]);
}
