import { describe, expect, expectTypeOf, it } from "vitest";
import { type Role, roles } from "../tenant-context.ts";
import {
	accessMatrix,
	allowedMethods,
	type Caller,
	callers,
	checkAccess,
	createMatcher,
	matchRule,
	type RouteRule,
	samplePath,
} from "./matrix.ts";

const ANYONE = ["seller", "buyer", "investor", "admin", "guest"];
const SIGNED_IN = ["seller", "buyer", "investor", "admin"];
const PARTY = ["seller", "buyer", "investor"];
const BUYER_SIDE = ["buyer", "investor"];

/** docs/api.md (Routes), row by row, written out independently of the table. */
const expected: Record<string, string[]> = {
	"GET /healthz": ANYONE,
	"POST /api/v1/auth/register": ANYONE,
	"POST /api/v1/auth/login": ANYONE,
	"POST /api/v1/auth/logout": SIGNED_IN,
	"POST /api/v1/auth/mfa/setup": SIGNED_IN,
	"POST /api/v1/auth/mfa/enable": SIGNED_IN,
	"POST /api/v1/auth/mfa/disable": SIGNED_IN,
	"GET /api/v1/me": SIGNED_IN,
	"POST /api/v1/listings": ["seller"],
	"GET /api/v1/listings": ANYONE,
	"GET /api/v1/listings/mine": ["seller"],
	"GET /api/v1/listings/:id": ANYONE,
	"PATCH /api/v1/listings/:id": ["seller", "admin"],
	"POST /api/v1/listings/:id/publish": ["seller"],
	"DELETE /api/v1/listings/:id": ["seller", "admin"],
	"PUT /api/v1/listings/:id/attachments/:name": ["seller"],
	"GET /api/v1/listings/:id/attachments/:name": SIGNED_IN,
	"POST /api/v1/listings/:id/access-requests": BUYER_SIDE,
	"POST /api/v1/access-requests/:id/approve": ["seller"],
	"POST /api/v1/access-requests/:id/decline": ["seller"],
	"POST /api/v1/listings/:id/offers": BUYER_SIDE,
	"GET /api/v1/offers": SIGNED_IN,
	"GET /api/v1/offers/:id": SIGNED_IN,
	"POST /api/v1/offers/:id/counter": PARTY,
	"POST /api/v1/offers/:id/accept": PARTY,
	"POST /api/v1/offers/:id/reject": PARTY,
	"POST /api/v1/offers/:id/withdraw": BUYER_SIDE,
	"GET /api/v1/offers/:id/timeline": SIGNED_IN,
	"GET /parties/negotiation-room/:offerId": SIGNED_IN,
	"GET /api/v1/admin/tenants": ["admin"],
	"PATCH /api/v1/admin/tenants/:id": ["admin"],
	"GET /api/v1/admin/metrics": ["admin"],
	"GET /api/v1/admin/alerts": ["admin"],
	"GET /api/v1/admin/dead-letters": ["admin"],
	"POST /api/v1/admin/dead-letters/:id/replay": ["admin"],
	"POST /api/v1/admin/dead-letters/replay": ["admin"],
	"GET /api/v1/admin/audit": ["admin"],
	"POST /api/v1/admin/listings/:id/archive": ["admin"],
	"GET /api/v1/openapi.json": ANYONE,
	"POST /api/v1/offers/:id/checkout": BUYER_SIDE,
	"GET /api/v1/payments": SIGNED_IN,
	"GET /api/v1/payments/:id": SIGNED_IN,
	"POST /api/v1/payments/:id/confirm-handover": BUYER_SIDE,
	"POST /api/v1/payments/:id/dispute": BUYER_SIDE,
	"POST /api/v1/payments/:id/refund": ["admin"],
	"POST /api/v1/payments/:id/dispute/decision": ["admin"],
	"POST /api/v1/sellers/connect": ["seller"],
	"GET /api/v1/sellers/connect": ["seller"],
	"POST /webhooks/stripe": ANYONE,
	"POST /api/v1/auth/verify-email": ANYONE,
	"POST /api/v1/auth/resend-verification": SIGNED_IN,
	"POST /api/v1/auth/email-change": SIGNED_IN,
	"POST /api/v1/auth/email-change/confirm": ANYONE,
	"DELETE /api/v1/me": PARTY,
	"GET /api/v1/me/notifications": SIGNED_IN,
	"PATCH /api/v1/me/notifications": SIGNED_IN,
	"POST /api/v1/notifications/unsubscribe": ANYONE,
	"POST /api/v1/auth/password-reset": ANYONE,
	"POST /api/v1/auth/password-reset/confirm": ANYONE,
	// Metrics join the table with the code that serves them (the table is what is served: a route
	// in it answers, a route not in it is a 404 at the edge).
	// Built by us, not in the contract.
	"POST /api/v1/auth/password": SIGNED_IN,
	"DELETE /api/v1/listings/:id/attachments/:name": ["seller"],
	"GET /api/v1/listings/:id/attachments": SIGNED_IN,
	"POST /api/v1/access-requests/:id/revoke": ["seller"],
	"GET /api/v1/access-requests": SIGNED_IN,
	"POST /api/v1/listings/:id/reopen": ["seller"],
	"GET /api/v1/reference": ANYONE,
	"GET /api/v1/storefronts/:slug": ANYONE,
	"GET /api/v1/sellers/storefront": ["seller"],
	"PUT /api/v1/sellers/storefront": ["seller"],
	"GET /api/v1/sellers/:tenant_id": ANYONE,
	"PUT /api/v1/admin/listings/:id/featured": ["admin"],
	"DELETE /api/v1/admin/listings/:id/featured": ["admin"],
	"GET /api/v1/saved-searches": BUYER_SIDE,
	"POST /api/v1/saved-searches": BUYER_SIDE,
	"DELETE /api/v1/saved-searches/:id": BUYER_SIDE,
	"GET /api/v1/watchlist": BUYER_SIDE,
	"PUT /api/v1/watchlist/:listingId": BUYER_SIDE,
	"DELETE /api/v1/watchlist/:listingId": BUYER_SIDE,
};

const key = (rule: RouteRule) => `${rule.method} ${rule.path}`;
const sorted = (values: readonly string[]) => [...values].sort();

describe("accessMatrix", () => {
	it("has a rule for every route of the contract", () => {
		const inTable = new Set(accessMatrix.map(key));
		expect(Object.keys(expected).filter((route) => !inTable.has(route))).toEqual([]);
	});

	it("has no rule beyond the contract and the routes we add", () => {
		expect(accessMatrix.map(key).filter((route) => !(route in expected))).toEqual([]);
	});

	it("allows each route exactly the callers the contract names", () => {
		for (const rule of accessMatrix) {
			expect({ route: key(rule), allow: sorted(rule.allow) }).toEqual({
				route: key(rule),
				allow: sorted(expected[key(rule)] ?? []),
			});
		}
	});

	it("never lists the same method and path twice", () => {
		const keys = accessMatrix.map(key);
		expect(new Set(keys).size).toBe(keys.length);
	});

	it("never has two rules that differ only in a param's name", () => {
		const shapes = accessMatrix.map((rule) => `${rule.method} ${rule.path.replace(/:[^/]+/g, ":")}`);
		expect(new Set(shapes).size).toBe(shapes.length);
	});

	it("gives every rule a non-empty allow list of known callers without duplicates", () => {
		for (const rule of accessMatrix) {
			expect(rule.allow.length, key(rule)).toBeGreaterThan(0);
			expect(new Set(rule.allow).size, key(rule)).toBe(rule.allow.length);
			for (const caller of rule.allow) expect(callers, key(rule)).toContain(caller);
		}
	});

	it("never lets a guest reach a route that a signed-in caller cannot", () => {
		for (const rule of accessMatrix.filter((r) => r.allow.includes("guest"))) {
			expect(sorted(rule.allow), key(rule)).toEqual(sorted(ANYONE));
		}
	});

	it("freezes the table and its rules", () => {
		expect(Object.isFrozen(accessMatrix)).toBe(true);
		for (const rule of accessMatrix) {
			expect(Object.isFrozen(rule)).toBe(true);
			expect(Object.isFrozen(rule.allow)).toBe(true);
		}
	});

	it("names the same callers as the tenant context's roles", () => {
		expectTypeOf<Caller>().toEqualTypeOf<Role>();
		expect([...callers]).toEqual([...roles]);
	});
});

describe("samplePath", () => {
	it.each(accessMatrix.map((rule) => [key(rule), rule] as const))("matches %s back to its own rule", (_, rule) => {
		const path = samplePath(rule);
		expect(path).not.toContain(":");
		const match = matchRule(rule.method, path);
		expect(match.rule).toBe(rule);
	});

	it("fills params with id-shaped values", () => {
		const rule = accessMatrix.find((r) => r.method === "GET" && r.path === "/api/v1/listings/:id/attachments/:name");
		expect(rule && samplePath(rule)).toBe(
			"/api/v1/listings/lst_0123456789abcdef0123456789abcdef/attachments/pitch-deck.pdf",
		);
	});
});

describe("checkAccess", () => {
	it.each<[Caller, string, string, string]>([
		["guest", "GET", "/api/v1/me", "unauthenticated"],
		["guest", "POST", "/api/v1/auth/logout", "unauthenticated"],
		["buyer", "GET", "/api/v1/me", "allow"],
		["buyer", "GET", "/api/v1/admin/tenants", "forbidden"],
		["buyer", "PATCH", "/api/v1/admin/tenants/seller_1", "forbidden"],
		["guest", "GET", "/api/v1/admin/tenants", "unauthenticated"],
		["admin", "GET", "/api/v1/admin/tenants", "allow"],
		["seller", "POST", "/api/v1/listings", "allow"],
		["buyer", "POST", "/api/v1/listings", "forbidden"],
		["admin", "POST", "/api/v1/listings", "forbidden"],
		["guest", "POST", "/api/v1/listings", "unauthenticated"],
		["seller", "GET", "/api/v1/listings/mine", "allow"],
		["buyer", "GET", "/api/v1/listings/mine", "forbidden"],
		["guest", "GET", "/api/v1/listings/mine", "unauthenticated"],
		["guest", "GET", "/api/v1/listings/abc", "allow"],
		["guest", "GET", "/api/v1/listings", "allow"],
		["investor", "POST", "/api/v1/listings/abc/offers", "allow"],
		["seller", "POST", "/api/v1/listings/abc/offers", "forbidden"],
		["seller", "POST", "/api/v1/offers/off_1/withdraw", "forbidden"],
		["buyer", "POST", "/api/v1/offers/off_1/withdraw", "allow"],
		["seller", "POST", "/api/v1/offers/off_1/counter", "allow"],
		["admin", "POST", "/api/v1/offers/off_1/counter", "forbidden"],
		["admin", "GET", "/api/v1/offers/off_1", "allow"],
		["guest", "GET", "/api/v1/openapi.json", "allow"],
		["guest", "GET", "/healthz", "allow"],
		["guest", "DELETE", "/healthz", "method_not_allowed"],
		["admin", "DELETE", "/healthz", "method_not_allowed"],
		["guest", "GET", "/api/v1/nope", "not_found"],
		["admin", "GET", "/api/v1/listings/x/y/z", "not_found"],
		["seller", "POST", "/api/v1/listings//publish", "not_found"],
		["seller", "POST", "/api/v1/listings/abc/publish", "allow"],
	])("answers %s %s %s with %s", (caller, method, path, outcome) => {
		expect(checkAccess(caller, method, path)).toBe(outcome);
	});

	it("treats HEAD as GET", () => {
		expect(checkAccess("guest", "HEAD", "/healthz")).toBe("allow");
		expect(checkAccess("guest", "HEAD", "/api/v1/me")).toBe("unauthenticated");
		expect(checkAccess("buyer", "HEAD", "/api/v1/listings/mine")).toBe("forbidden");
		expect(matchRule("HEAD", "/api/v1/listings/mine").rule).toBe(matchRule("GET", "/api/v1/listings/mine").rule);
	});

	it("ignores one trailing slash, not two", () => {
		expect(checkAccess("seller", "GET", "/api/v1/listings/mine/")).toBe("allow");
		expect(checkAccess("guest", "GET", "/healthz/")).toBe("allow");
		expect(checkAccess("guest", "GET", "/healthz//")).toBe("not_found");
	});

	it("matches segments case-sensitively", () => {
		expect(checkAccess("guest", "GET", "/HEALTHZ")).toBe("not_found");
		expect(checkAccess("admin", "GET", "/api/v1/Admin/metrics")).toBe("not_found");
	});

	it("compares methods exactly", () => {
		expect(checkAccess("admin", "patch", "/api/v1/admin/tenants/seller_1")).toBe("method_not_allowed");
		expect(checkAccess("guest", "OPTIONS", "/api/v1/listings")).toBe("method_not_allowed");
	});

	it("refuses paths that are not absolute", () => {
		expect(checkAccess("guest", "GET", "healthz")).toBe("not_found");
		expect(checkAccess("guest", "GET", "")).toBe("not_found");
		expect(checkAccess("guest", "GET", "/")).toBe("not_found");
	});

	it("does not prefix-match", () => {
		expect(checkAccess("guest", "GET", "/healthz/extra")).toBe("not_found");
		expect(checkAccess("admin", "GET", "/api/v1/admin")).toBe("not_found");
	});
});

describe("matchRule", () => {
	it("prefers the literal `mine` over `:id`", () => {
		const match = matchRule("GET", "/api/v1/listings/mine");
		expect(match.rule?.path).toBe("/api/v1/listings/mine");
	});

	it("extracts params", () => {
		expect(matchRule("GET", "/api/v1/listings/lst_1/attachments/deck.pdf")).toMatchObject({
			rule: { method: "GET", path: "/api/v1/listings/:id/attachments/:name" },
			params: { id: "lst_1", name: "deck.pdf" },
		});
	});

	it("decodes percent-encoding per segment, as the Hono router does", () => {
		expect(matchRule("GET", "/api/v1/listings/%6Dine").rule?.path).toBe("/api/v1/listings/mine");
		expect(checkAccess("guest", "GET", "/api/v1/%61dmin/tenants")).toBe("unauthenticated");
		expect(matchRule("GET", "/api/v1/listings/a%2Fb")).toMatchObject({ params: { id: "a/b" } });
		expect(matchRule("GET", "/api/v1/listings/%E0%A4%A")).toMatchObject({ params: { id: "%E0%A4%A" } });
	});

	it("lets the method take part in the match, as the Hono router does", () => {
		expect(matchRule("PATCH", "/api/v1/listings/mine").rule?.path).toBe("/api/v1/listings/:id");
	});

	it("tells a known path with another method from an unknown path", () => {
		expect(matchRule("DELETE", "/healthz")).toEqual({ rule: null, pathKnown: true });
		expect(matchRule("GET", "/api/v1/nope")).toEqual({ rule: null, pathKnown: false });
	});
});

describe("createMatcher", () => {
	const byId: RouteRule = { method: "GET", path: "/things/:id", allow: ["guest"] };
	const mine: RouteRule = { method: "GET", path: "/things/mine", allow: ["seller"] };
	const nested: RouteRule = { method: "GET", path: "/things/:id/parts/:part", allow: ["guest"] };
	const literalLast: RouteRule = { method: "GET", path: "/things/:id/parts/all", allow: ["admin"] };

	it("ranks literal segments above params whatever the table order", () => {
		for (const table of [
			[byId, mine],
			[mine, byId],
		]) {
			const match = createMatcher(table);
			expect(match("GET", "/things/mine").rule).toBe(mine);
			expect(match("GET", "/things/other").rule).toBe(byId);
		}
		for (const table of [
			[nested, literalLast],
			[literalLast, nested],
		]) {
			const match = createMatcher(table);
			expect(match("GET", "/things/x/parts/all").rule).toBe(literalLast);
			expect(match("GET", "/things/x/parts/one").rule).toBe(nested);
		}
	});

	it("refuses a route path with an empty segment", () => {
		expect(() => createMatcher([{ method: "GET", path: "/things//x", allow: ["guest"] }])).toThrow(/empty segment/);
		expect(() => createMatcher([{ method: "GET", path: "/things/:", allow: ["guest"] }])).toThrow(/empty segment/);
		expect(() => createMatcher([{ method: "GET", path: "things", allow: ["guest"] }])).toThrow(/start with/);
	});
});

describe("allowedMethods", () => {
	it("lists the methods a path serves, HEAD with GET", () => {
		expect(allowedMethods("/healthz")).toEqual(["GET", "HEAD"]);
		expect(allowedMethods("/api/v1/listings/lst_1")).toEqual(["GET", "HEAD", "PATCH", "DELETE"]);
		expect(allowedMethods("/api/v1/listings/lst_1/attachments/a.pdf")).toEqual(["GET", "HEAD", "PUT", "DELETE"]);
		expect(allowedMethods("/api/v1/nope")).toEqual([]);
	});
});
