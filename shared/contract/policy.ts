/**
 * A route's whole contract in one declaration: its params, query, body and responses (the
 * `@hono/zod-openapi` route config, so the schema that validates is the schema that is
 * documented) and its policy at the edge, under the operation's `x-policy` extension:
 *
 * - `allow`: which kinds of caller may reach it at all (docs/architecture.md, Tenants, roles and
 *   access; object-level rules — owner, party, approved buyer — stay with the handler, which
 *   answers 404);
 * - `bucket`: which rate-limit bucket it spends: `none` (health checks), `auth` (the sign-in
 *   buckets per address, fail closed), `caller` (the tenant's, or an anonymous client's);
 * - `body`: what body it takes: `none`, `json` (1 MiB), `upload` (25 MiB, raw bytes), `raw` (a
 *   signed webhook payload, 1 MiB, read as bytes);
 * - `credentials`: `accepted` (bearer or cookie), `ignored` (sign-in, sign-up and the account
 *   recovery routes: a stale credential must not block signing in again), `query` (also
 *   `?token=`, for WebSocket handshakes, which carry no headers);
 * - `verifiedEmail`: the caller's e-mail address must be verified (publishing, asking for access,
 *   making an offer: what must not be done from an address nobody owns); otherwise 403
 *   `email-unverified`.
 *
 * The edge (workers/dispatch) reads the policy from the route table (./table.ts) and keeps no
 * path list of its own; a route without a policy cannot be declared (the type requires it) and a
 * served route missing from the table fails a test.
 */
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { HttpProblem } from "../http/problem.ts";
import { problems } from "./schemas.ts";

export const callers = ["seller", "buyer", "investor", "admin", "guest"] as const;
export type Caller = (typeof callers)[number];

export const anyone = callers;
export const signedIn = ["seller", "buyer", "investor", "admin"] as const satisfies readonly Caller[];
/** A party to a thread, whichever side; which party the caller is (and whose turn) is object-level. */
export const party = ["seller", "buyer", "investor"] as const satisfies readonly Caller[];
export const buyerSide = ["buyer", "investor"] as const satisfies readonly Caller[];
export const sellerOnly = ["seller"] as const satisfies readonly Caller[];
export const adminOnly = ["admin"] as const satisfies readonly Caller[];

export interface RoutePolicy {
	allow: readonly Caller[];
	bucket: "none" | "auth" | "caller";
	body: "none" | "json" | "upload" | "raw";
	credentials: "accepted" | "ignored" | "query";
	/** Only a caller whose e-mail address is verified may use it (checked at the edge, ../../workers/dispatch/middleware/authorize.ts). */
	verifiedEmail?: true;
	/** Which Worker serves it: the dispatch Worker itself, or the tenant's user Worker behind it. */
	servedBy: "dispatch" | "user";
	/** Why the rule is what it is, when the path does not say. */
	note?: string;
}

export type ContractRoute = RouteConfig & { "x-policy": RoutePolicy };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * A route whose JSON body is required answers 415 to any other content type, a missing one
 * included (the library would validate an absent body as `{}` and answer 400).
 */
const requireJson = createMiddleware(async (c, next) => {
	if (!JSON_TYPE.test(c.req.header("Content-Type") ?? "")) throw new HttpProblem({ reason: "unsupported_media_type" });
	await next();
});

/** What the edge may answer on any route, whatever its handler does. */
type EdgeStatus = 401 | 403 | 413 | 415 | 429 | 500 | 502 | 503;

/**
 * The problems the edge and the platform may answer on a route with `policy`, besides what its
 * handler declares: 500 anywhere; 401 and 403 wherever credentials are read (a dead token, a
 * portal or `X-Tenant-ID` mismatch, CSRF, a suspended tenant); 429 and 503 wherever a bucket is
 * spent (the limiter may be down); 413, and 415 for JSON, wherever a body is taken; 502 wherever
 * the tenant's user Worker serves it. One rule here, so no route can forget one.
 */
export function edgeStatuses(policy: RoutePolicy): EdgeStatus[] {
	// 403 on every route: even where credentials are ignored, a foreign `X-Tenant-ID` and a
	// cross-origin write are refused at the edge (workers/dispatch/middleware/authenticate.ts).
	const statuses: EdgeStatus[] = [500, 403];
	if (policy.credentials !== "ignored") statuses.push(401);
	if (policy.bucket !== "none") statuses.push(429, 503);
	if (policy.body !== "none") statuses.push(413);
	if (policy.body === "json") statuses.push(415);
	if (policy.servedBy === "user") statuses.push(502);
	return statuses;
}

/**
 * Declares a route with its policy; `createRoute` keeps the extension, the OpenAPI document shows
 * it. The edge's problems (`edgeStatuses`) are added to what the route declares itself.
 */
export function defineRoute<const R extends RouteConfig>(config: R & { "x-policy": RoutePolicy }) {
	const responses = { ...problems(...edgeStatuses(config["x-policy"])), ...config.responses } as R["responses"] &
		Partial<Record<EdgeStatus, ReturnType<typeof problems<EdgeStatus>>[EdgeStatus]>>;
	const body = config.request?.body;
	const wantsJson = body?.required === true && body.content?.["application/json"] !== undefined;
	const own =
		config.middleware === undefined ? [] : Array.isArray(config.middleware) ? config.middleware : [config.middleware];
	const route = createRoute({ ...config, responses, ...(wantsJson ? { middleware: [requireJson, ...own] } : {}) });
	return route as typeof route & { responses: typeof responses };
}

/** The route's Hono path: `/api/v1/listings/{id}` → `/api/v1/listings/:id`. */
export function routingPath(route: Pick<RouteConfig, "path">): string {
	return route.path.replaceAll(/\/{(.+?)}/g, "/:$1");
}

/** The policy of a declared route. */
export function policyOf(route: ContractRoute): RoutePolicy {
	return route["x-policy"];
}

/** The zod schema of `route`'s `status` response body (JSON or problem), for tests and clients; `null` when it has none. */
export function responseSchema(route: RouteConfig, status: number): import("zod").ZodType | null {
	const response = route.responses[status] as { content?: Record<string, { schema?: unknown }> } | undefined;
	const content = response?.content;
	if (!content) return null;
	const media = content["application/json"] ?? content["application/problem+json"];
	const schema = media?.schema;
	return schema && typeof schema === "object" && "safeParse" in schema ? (schema as import("zod").ZodType) : null;
}
