/**
 * The role × route × method table: which kind of caller may reach which route at all, read from
 * the contract's route table (shared/contract/table.ts: each route's `x-policy.allow`), so there
 * is one declaration per route. The dispatch Worker enforces it in one place, before anything else
 * sees the request; tests iterate over it.
 *
 * Route-level only. Ownership, whose turn it is, party membership and "approved buyer" are
 * object-level rules that the handler enforces, answering 404 for an object the caller may not see
 * (docs/architecture.md, Tenants, roles and access). So a rule here is the widest set of callers
 * that could ever succeed on the route.
 *
 * Matching is Hono's own router (shared/contract/match.ts), so the table and the Workers cannot
 * disagree about which route a request is. OPTIONS (CORS preflight) is the dispatch Worker's
 * business before this table; here it is `method_not_allowed`.
 */
import { createRouteMatcher } from "../contract/match.ts";
import { type Caller, type ContractRoute, callers, policyOf, routingPath } from "../contract/policy.ts";
import { routeTable } from "../contract/table.ts";

export { type Caller, callers };
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteRule {
	method: Method;
	/** Hono-style: `/api/v1/listings/:id/attachments/:name`. */
	path: string;
	allow: readonly Caller[];
	note?: string;
}

export type AccessOutcome = "allow" | "unauthenticated" | "forbidden" | "method_not_allowed" | "not_found";

export type RuleMatch = { rule: RouteRule; params: Record<string, string> } | { rule: null; pathKnown: boolean };

function ruleOf(route: ContractRoute): RouteRule {
	const policy = policyOf(route);
	const rule: RouteRule = {
		method: route.method.toUpperCase() as Method,
		path: routingPath(route),
		allow: Object.freeze([...policy.allow]),
	};
	if (policy.note !== undefined) rule.note = policy.note;
	return Object.freeze(rule);
}

export const accessMatrix: readonly RouteRule[] = Object.freeze(routeTable.map(ruleOf));

/**
 * A matcher over any table, ranked by specificity. Exported so tests can show that ranking, not
 * table order, decides; the Workers use `matchRule` over `accessMatrix`.
 */
export function createMatcher(rules: readonly RouteRule[]): (method: string, path: string) => RuleMatch {
	const matcher = createRouteMatcher(rules);
	return (method, path) => {
		const found = matcher.match(method, path);
		if (found.route === null) return { rule: null, pathKnown: found.pathKnown };
		return { rule: found.route, params: found.params };
	};
}

const matchAccessMatrix = createMatcher(accessMatrix);
const matrixMatcher = createRouteMatcher(accessMatrix);

/** The rule for a request; `path` is the URL's pathname (no query), as sent. */
export function matchRule(method: string, path: string): RuleMatch {
	return matchAccessMatrix(method, path);
}

/** What the edge answers `caller` on a request that is `route` (`null`: no route; `pathKnown` says whether the path exists with other methods). */
export function accessOutcome(caller: Caller, route: ContractRoute | null, pathKnown: () => boolean): AccessOutcome {
	if (route === null) return pathKnown() ? "method_not_allowed" : "not_found";
	if (policyOf(route).allow.includes(caller)) return "allow";
	return caller === "guest" ? "unauthenticated" : "forbidden";
}

export function checkAccess(caller: Caller, method: string, path: string): AccessOutcome {
	const match = matchRule(method, path);
	if (match.rule === null) return match.pathKnown ? "method_not_allowed" : "not_found";
	if (match.rule.allow.includes(caller)) return "allow";
	return caller === "guest" ? "unauthenticated" : "forbidden";
}

/** The methods some rule serves on `path`, HEAD with GET: the `Allow` header a 405 must carry. */
export function allowedMethods(path: string): string[] {
	return matrixMatcher.allowedMethods(path);
}

const HEX = "0123456789abcdef0123456789abcdef";

/** Plausible values by the literal segment before the param, in the shapes `newId` produces. */
const sampleAfter: Readonly<Record<string, string>> = {
	listings: `lst_${HEX}`,
	offers: `off_${HEX}`,
	"negotiation-room": `off_${HEX}`,
	payments: `pay_${HEX}`,
	"access-requests": `acr_${HEX}`,
	tenants: `seller_${HEX}`,
	attachments: "pitch-deck.pdf",
};

/** The rule's path with each `:param` replaced by a plausible value, for tests. */
export function samplePath(rule: RouteRule): string {
	const parts = rule.path.split("/");
	return parts
		.map((part, i) => {
			if (!part.startsWith(":")) return part;
			return sampleAfter[parts[i - 1] ?? ""] ?? `sample-${part.slice(1)}`;
		})
		.join("/");
}
