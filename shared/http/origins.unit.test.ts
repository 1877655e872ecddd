import { describe, expect, it } from "vitest";
import {
	type CsrfInput,
	classifyHost,
	csrfVerdict,
	type HostKind,
	isDocsHost,
	isOwnOrigin,
	reservedLabels,
} from "./origins.ts";

const PROD = "techflunky.com";
const LOCAL = "localhost";

describe("classifyHost", () => {
	it.each<[string, string, HostKind]>([
		[PROD, PROD, { kind: "apex" }],
		["www.techflunky.com", PROD, { kind: "apex" }],
		["seller.techflunky.com", PROD, { kind: "seller_portal" }],
		["buyer.techflunky.com", PROD, { kind: "buyer_portal" }],
		["acme.techflunky.com", PROD, { kind: "storefront", slug: "acme" }],
		["acme-shop-2.techflunky.com", PROD, { kind: "storefront", slug: "acme-shop-2" }],
		["7.techflunky.com", PROD, { kind: "storefront", slug: "7" }],
		[`${"a".repeat(63)}.techflunky.com`, PROD, { kind: "storefront", slug: "a".repeat(63) }],
		[LOCAL, LOCAL, { kind: "apex" }],
		["localhost:8787", LOCAL, { kind: "apex" }],
		["seller.localhost:8787", LOCAL, { kind: "seller_portal" }],
		["buyer.localhost:8787", LOCAL, { kind: "buyer_portal" }],
		["acme.localhost:8787", LOCAL, { kind: "storefront", slug: "acme" }],
	])("classifies %s under %s", (host, root, kind) => {
		expect(classifyHost(host, root)).toEqual(kind);
	});

	it("ignores case, the port and one trailing dot", () => {
		expect(classifyHost("SELLER.TechFlunky.COM", PROD)).toEqual({ kind: "seller_portal" });
		expect(classifyHost("Acme.TechFlunky.com:443", PROD)).toEqual({ kind: "storefront", slug: "acme" });
		expect(classifyHost("buyer.techflunky.com.", PROD)).toEqual({ kind: "buyer_portal" });
		expect(classifyHost("techflunky.com.:443", PROD)).toEqual({ kind: "apex" });
		expect(classifyHost("seller.localhost", "LOCALHOST")).toEqual({ kind: "seller_portal" });
		expect(classifyHost("techflunky.com..", PROD)).toEqual({ kind: "foreign" });
	});

	it.each([
		["evil-localhost", LOCAL],
		["evil-localhost:8787", LOCAL],
		["localhost.evil.com", LOCAL],
		["techflunky.com.evil.com", PROD],
		["xtechflunky.com", PROD],
		["seller-techflunky.com", PROD],
		["evil.com", PROD],
		["a.b.techflunky.com", PROD],
		["seller.seller.techflunky.com", PROD],
		["127.0.0.1", LOCAL],
		["127.0.0.1:8787", LOCAL],
		["[::1]:8787", LOCAL],
		["", PROD],
		[":443", PROD],
		[".techflunky.com", PROD],
		["-acme.techflunky.com", PROD],
		["acme-.techflunky.com", PROD],
		["ac_me.techflunky.com", PROD],
		[`${"a".repeat(64)}.techflunky.com`, PROD],
		["seller.techflunky.com:http", PROD],
		["seller.techflunky.com:99999", PROD],
		["seller.techflunky.com:1:2", PROD],
	])("treats %s as foreign under %s", (host, root) => {
		expect(classifyHost(host, root)).toEqual({ kind: "foreign" });
	});

	it.each(["api", "admin", "app", "static", "docs"])("keeps %s back from storefronts", (label) => {
		expect(classifyHost(`${label}.techflunky.com`, PROD)).toEqual({ kind: "foreign" });
		expect(reservedLabels).toContain(label);
	});

	it.each([
		["docs.techflunky.com", PROD, true],
		["DOCS.techflunky.com.", PROD, true],
		["docs.localhost:8787", "localhost", true],
		["docs.ada.techflunky.com", PROD, false],
		["docs.techflunky.com.evil.com", PROD, false],
		["techflunky.com", PROD, false],
		["docs.localhost:http", "localhost", false],
	])("tells the documentation host %s under %s: %s", (host, root, docs) => {
		expect(isDocsHost(host, root)).toBe(docs);
	});

	it("reserves every label that is not a storefront", () => {
		for (const label of reservedLabels) {
			expect(classifyHost(`${label}.techflunky.com`, PROD).kind).not.toBe("storefront");
		}
	});

	it("treats everything as foreign without a root domain", () => {
		expect(classifyHost("", "")).toEqual({ kind: "foreign" });
		expect(classifyHost("acme", "")).toEqual({ kind: "foreign" });
	});
});

describe("isOwnOrigin", () => {
	it.each([
		"https://techflunky.com",
		"https://www.techflunky.com",
		"https://seller.techflunky.com",
		"https://buyer.techflunky.com",
		"https://acme.techflunky.com",
		"https://techflunky.com:443",
		"HTTPS://Seller.TechFlunky.com",
	])("accepts %s in production", (origin) => {
		expect(isOwnOrigin(origin, PROD)).toBe(true);
	});

	it.each([
		["plain http", "http://techflunky.com"],
		["plain http on a portal", "http://seller.techflunky.com"],
		["an explicit port", "https://techflunky.com:8443"],
		["a look-alike", "https://xtechflunky.com"],
		["a suffix trick", "https://techflunky.com.evil.com"],
		["a deeper subdomain", "https://a.b.techflunky.com"],
		["a reserved label", "https://api.techflunky.com"],
		["another domain", "https://evil.com"],
		["the opaque origin", "null"],
		["an empty string", ""],
		["garbage", "not a url"],
		["a path", "https://techflunky.com/path"],
		["a trailing slash", "https://techflunky.com/"],
		["a query", "https://techflunky.com?x=1"],
		["a fragment", "https://techflunky.com#x"],
		["user info", "https://evil.com@techflunky.com"],
		["a backslash", "https://evil.com\\techflunky.com"],
		["whitespace", "https://techflunky.com "],
		["another scheme", "wss://techflunky.com"],
		["localhost", "http://localhost:8787"],
	])("refuses %s in production", (_, origin) => {
		expect(isOwnOrigin(origin, PROD)).toBe(false);
	});

	it.each([
		"http://localhost",
		"http://localhost:8787",
		"https://localhost:8443",
		"http://seller.localhost:8787",
		"http://buyer.localhost:5173",
		"http://acme.localhost:8787",
	])("accepts %s locally", (origin) => {
		expect(isOwnOrigin(origin, LOCAL)).toBe(true);
	});

	it.each([
		"http://127.0.0.1:8787",
		"http://[::1]:8787",
		"http://evil-localhost:8787",
		"http://localhost.evil.com",
		"ftp://localhost",
		"http://localhost:8787/x",
		"null",
		"https://techflunky.com",
	])("refuses %s locally", (origin) => {
		expect(isOwnOrigin(origin, LOCAL)).toBe(false);
	});
});

describe("csrfVerdict", () => {
	const base: CsrfInput = {
		method: "POST",
		credentials: "cookie",
		origin: null,
		secFetchSite: null,
		requestOrigin: "https://seller.techflunky.com",
		rootDomain: PROD,
	};
	const verdict = (overrides: Partial<CsrfInput>) => csrfVerdict({ ...base, ...overrides });

	it.each(["GET", "HEAD", "OPTIONS"])("lets %s through whatever its origin", (method) => {
		expect(verdict({ method, origin: "https://evil.com", secFetchSite: "cross-site" })).toBe("ok");
		expect(verdict({ method, origin: "null" })).toBe("ok");
	});

	it.each(["POST", "PUT", "PATCH", "DELETE", "get", "PROPFIND"])("checks %s as a write", (method) => {
		expect(verdict({ method, origin: "https://evil.com" })).toBe("cross_origin");
	});

	describe("with a session cookie", () => {
		it("accepts a write from the request's own origin", () => {
			expect(verdict({ origin: "https://seller.techflunky.com" })).toBe("ok");
			expect(verdict({ origin: "https://seller.techflunky.com:443" })).toBe("ok");
			expect(verdict({ origin: "https://Seller.TechFlunky.com", secFetchSite: "same-origin" })).toBe("ok");
		});

		it("refuses a write from another of our origins", () => {
			expect(verdict({ origin: "https://buyer.techflunky.com" })).toBe("cross_origin");
			expect(verdict({ origin: "https://acme.techflunky.com" })).toBe("cross_origin");
			expect(verdict({ origin: "https://techflunky.com" })).toBe("cross_origin");
		});

		it("refuses a write from a foreign, malformed or opaque origin", () => {
			expect(verdict({ origin: "https://evil.com" })).toBe("cross_origin");
			expect(verdict({ origin: "http://seller.techflunky.com" })).toBe("cross_origin");
			expect(verdict({ origin: "https://seller.techflunky.com/path" })).toBe("cross_origin");
			expect(verdict({ origin: "null", secFetchSite: "same-origin" })).toBe("cross_origin");
			expect(verdict({ origin: "" })).toBe("cross_origin");
		});

		it("compares against the request's origin, locally too", () => {
			const local = { rootDomain: LOCAL, requestOrigin: "http://seller.localhost:8787" };
			expect(verdict({ ...local, origin: "http://seller.localhost:8787" })).toBe("ok");
			expect(verdict({ ...local, origin: "http://seller.localhost:5173" })).toBe("cross_origin");
			expect(verdict({ ...local, origin: "https://seller.localhost:8787" })).toBe("cross_origin");
		});

		it("accepts a write without Origin only with Sec-Fetch-Site same-origin", () => {
			expect(verdict({ secFetchSite: "same-origin" })).toBe("ok");
			expect(verdict({ secFetchSite: "same-site" })).toBe("cross_origin");
			expect(verdict({ secFetchSite: "cross-site" })).toBe("cross_origin");
			expect(verdict({ secFetchSite: "none" })).toBe("cross_origin");
			expect(verdict({ secFetchSite: null })).toBe("cross_origin");
		});

		it("refuses when the request origin cannot be parsed", () => {
			expect(verdict({ origin: "https://seller.techflunky.com", requestOrigin: "garbage" })).toBe("cross_origin");
		});
	});

	describe.each(["bearer", "none"] as const)("with credentials %s", (credentials) => {
		it("accepts a write from any of our origins", () => {
			expect(verdict({ credentials, origin: "https://seller.techflunky.com" })).toBe("ok");
			expect(verdict({ credentials, origin: "https://buyer.techflunky.com" })).toBe("ok");
			expect(verdict({ credentials, origin: "https://acme.techflunky.com" })).toBe("ok");
		});

		it("refuses a write from a foreign or opaque origin", () => {
			expect(verdict({ credentials, origin: "https://evil.com" })).toBe("cross_origin");
			expect(verdict({ credentials, origin: "https://xtechflunky.com" })).toBe("cross_origin");
			expect(verdict({ credentials, origin: "http://techflunky.com" })).toBe("cross_origin");
			expect(verdict({ credentials, origin: "null" })).toBe("cross_origin");
		});

		it("accepts a write without Origin, as server-to-server clients send", () => {
			expect(verdict({ credentials })).toBe("ok");
			expect(verdict({ credentials, secFetchSite: "cross-site" })).toBe("ok");
		});

		it("applies the local scheme and port rules", () => {
			expect(verdict({ credentials, rootDomain: LOCAL, origin: "http://buyer.localhost:5173" })).toBe("ok");
			expect(verdict({ credentials, rootDomain: LOCAL, origin: "http://127.0.0.1:8787" })).toBe("cross_origin");
		});
	});
});
