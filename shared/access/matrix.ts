/**
 * The role × route × method table: which kind of caller may reach which route at all. The dispatch
 * Worker enforces it in one place, before anything else sees the request; tests iterate over it.
 *
 * Route-level only. Ownership, whose turn it is, party membership and "approved buyer" are
 * object-level rules that the handler enforces, answering 404 for an object the caller may not see
 * (DESIGN §2). So a rule here is the widest set of callers that could ever succeed on the route.
 *
 * Matching follows the Hono router the Workers use, so the table and the router cannot disagree
 * about which route a request is: segments match exactly and case-sensitively, a `:param` matches
 * one non-empty segment, percent-encoding is decoded per segment (Hono decodes the path before
 * routing, so `/listings/%6Dine` is `/listings/mine`), and the method takes part in the match (a
 * `PATCH /listings/mine` is `PATCH /listings/:id`, as in Hono). Where two paths fit, literal
 * segments beat params, ranked by specificity rather than table order, so adding a route anywhere
 * cannot shadow another. Beyond Hono's defaults, one trailing slash is ignored and HEAD is GET.
 *
 * Methods compare exactly: `fetch` upper-cases the standard ones, except `PATCH`. OPTIONS (CORS
 * preflight) and static web-app paths are the dispatch Worker's business before this table; here
 * they are `method_not_allowed` and `not_found`.
 */

export const callers = ["seller", "buyer", "investor", "admin", "guest"] as const;
export type Caller = (typeof callers)[number];
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

const anyone = callers;
const signedIn = ["seller", "buyer", "investor", "admin"] as const satisfies readonly Caller[];
/** A party to a thread, whichever side; which party the caller is (and whose turn) is object-level. */
const party = ["seller", "buyer", "investor"] as const satisfies readonly Caller[];
const buyerSide = ["buyer", "investor"] as const satisfies readonly Caller[];
const partyOrAdmin = signedIn;

function rule(method: Method, path: string, allow: readonly Caller[], note?: string): RouteRule {
	const frozen: RouteRule = { method, path, allow: Object.freeze([...allow]) };
	if (note !== undefined) frozen.note = note;
	return Object.freeze(frozen);
}

export const accessMatrix: readonly RouteRule[] = Object.freeze([
	// Platform routes, served by the dispatch Worker.
	rule("GET", "/healthz", anyone),
	rule("POST", "/webhooks/stripe", anyone, "authenticated by the Stripe signature, not by a caller"),
	rule("POST", "/api/v1/auth/register", anyone),
	rule("POST", "/api/v1/auth/login", anyone),
	rule("POST", "/api/v1/auth/logout", signedIn),
	rule("POST", "/api/v1/auth/password", signedIn, "password change; ours, not in the v1 contract"),
	rule("POST", "/api/v1/auth/mfa/setup", signedIn),
	rule("POST", "/api/v1/auth/mfa/enable", signedIn),
	rule("POST", "/api/v1/auth/mfa/disable", signedIn),
	rule("GET", "/api/v1/me", signedIn),
	rule(
		"GET",
		"/parties/negotiation-room/:offerId",
		partyOrAdmin,
		"the room admits only the thread's parties and admins",
	),

	// Listings.
	rule("POST", "/api/v1/listings", ["seller"]),
	rule("GET", "/api/v1/listings", anyone, "active listings, public fields only"),
	rule("GET", "/api/v1/listings/mine", ["seller"]),
	rule("GET", "/api/v1/listings/:id", anyone, "drafts and confidential fields only for owner, admin, approved buyers"),
	rule("PATCH", "/api/v1/listings/:id", ["seller", "admin"], "owner or admin"),
	rule("DELETE", "/api/v1/listings/:id", ["seller", "admin"], "owner or admin"),
	rule("POST", "/api/v1/listings/:id/publish", ["seller"], "owner"),
	rule("PUT", "/api/v1/listings/:id/attachments/:name", ["seller"], "owner"),
	rule("GET", "/api/v1/listings/:id/attachments/:name", partyOrAdmin, "owner, admin, approved buyers"),
	rule("DELETE", "/api/v1/listings/:id/attachments/:name", ["seller"], "owner; ours, not in the v1 contract"),
	rule("GET", "/api/v1/listings/:id/attachments", partyOrAdmin, "owner, admin, approved buyers; ours"),

	// Access requests (NDA).
	rule("POST", "/api/v1/listings/:id/access-requests", buyerSide),
	rule("POST", "/api/v1/access-requests/:id/approve", ["seller"], "the listing's seller"),
	rule("POST", "/api/v1/access-requests/:id/decline", ["seller"], "the listing's seller"),
	rule("POST", "/api/v1/access-requests/:id/revoke", ["seller"], "the listing's seller; ours"),
	rule(
		"GET",
		"/api/v1/access-requests",
		[...party, "admin"],
		"sellers: requests for their listings; buyers: their own; ours",
	),

	// Offers and payments.
	rule("POST", "/api/v1/listings/:id/offers", buyerSide, "listing active, not the caller's own"),
	rule("POST", "/api/v1/listings/:id/reopen", ["seller"], "owner: cancels the accepted offer; ours"),
	rule("GET", "/api/v1/offers", signedIn, "threads where the caller is a party"),
	rule("GET", "/api/v1/offers/:id", partyOrAdmin),
	rule("POST", "/api/v1/offers/:id/counter", party, "the party whose turn it is"),
	rule("POST", "/api/v1/offers/:id/accept", party, "the party who did not propose last"),
	rule("POST", "/api/v1/offers/:id/reject", party, "the party who did not propose last"),
	rule("POST", "/api/v1/offers/:id/withdraw", buyerSide, "the thread's buyer"),
	rule("GET", "/api/v1/offers/:id/timeline", partyOrAdmin),
	rule("POST", "/api/v1/offers/:id/checkout", buyerSide, "the buyer of an accepted offer"),
	rule("GET", "/api/v1/payments/:id", partyOrAdmin),
	rule("POST", "/api/v1/sellers/connect", ["seller"]),

	// Admin.
	rule("GET", "/api/v1/admin/tenants", ["admin"]),
	rule("PATCH", "/api/v1/admin/tenants/:id", ["admin"]),
	rule("GET", "/api/v1/admin/metrics", ["admin"]),
]);

type Segment = { literal: string } | { param: string };

interface Compiled {
	rule: RouteRule;
	segments: readonly Segment[];
	/** One character per segment, literal "0" before param "1": sorting by it ranks literals first. */
	rank: string;
}

function compile(route: RouteRule): Compiled {
	if (!route.path.startsWith("/")) throw new Error(`route path must start with "/": ${route.path}`);
	const segments = route.path
		.slice(1)
		.split("/")
		.map((part): Segment => {
			if (part === "" || part === ":") throw new Error(`route path has an empty segment: ${route.path}`);
			return part.startsWith(":") ? { param: part.slice(1) } : { literal: part };
		});
	return { rule: route, segments, rank: segments.map((s) => ("literal" in s ? "0" : "1")).join("") };
}

/** Like Hono's: a malformed escape stays as it is instead of failing the request. */
function decodeSegment(segment: string): string {
	if (!segment.includes("%")) return segment;
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

/** The request path's segments, or null when it cannot match any rule (relative, empty segment). */
function splitPath(path: string): string[] | null {
	if (!path.startsWith("/")) return null;
	const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
	const parts = trimmed.slice(1).split("/");
	if (parts.some((part) => part === "")) return null;
	return parts.map(decodeSegment);
}

function bind(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | null {
	if (segments.length !== parts.length) return null;
	const params: Record<string, string> = {};
	for (const [i, segment] of segments.entries()) {
		const part = parts[i] as string;
		if ("literal" in segment) {
			if (segment.literal !== part) return null;
		} else {
			params[segment.param] = part;
		}
	}
	return params;
}

/**
 * A matcher over any table, ranked by specificity. Exported so tests can show that ranking, not
 * table order, decides; the Workers use `matchRule` over `accessMatrix`.
 */
export function createMatcher(rules: readonly RouteRule[]): (method: string, path: string) => RuleMatch {
	const ranked = rules.map(compile).sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
	return (method, path) => {
		const wanted = method === "HEAD" ? "GET" : method;
		const parts = splitPath(path);
		if (parts === null) return { rule: null, pathKnown: false };
		let pathKnown = false;
		for (const candidate of ranked) {
			const params = bind(candidate.segments, parts);
			if (params === null) continue;
			if (candidate.rule.method === wanted) return { rule: candidate.rule, params };
			pathKnown = true;
		}
		return { rule: null, pathKnown };
	};
}

const matchAccessMatrix = createMatcher(accessMatrix);

/** The rule for a request; `path` is the URL's pathname (no query), as sent. */
export function matchRule(method: string, path: string): RuleMatch {
	return matchAccessMatrix(method, path);
}

export function checkAccess(caller: Caller, method: string, path: string): AccessOutcome {
	const match = matchRule(method, path);
	if (match.rule === null) return match.pathKnown ? "method_not_allowed" : "not_found";
	if (match.rule.allow.includes(caller)) return "allow";
	return caller === "guest" ? "unauthenticated" : "forbidden";
}

/** The methods some rule serves on `path`, HEAD with GET: the `Allow` header a 405 must carry. */
export function allowedMethods(path: string): string[] {
	return (["GET", "POST", "PUT", "PATCH", "DELETE"] as const)
		.filter((method) => matchRule(method, path).rule !== null)
		.flatMap((method) => (method === "GET" ? ["GET", "HEAD"] : [method]));
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
