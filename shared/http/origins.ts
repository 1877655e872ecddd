/**
 * Our hosts and origins, and the CSRF verdict for a request.
 *
 * Hosts (docs/architecture.md, Tenants, roles and access), under the configured root domain
 * (`techflunky.com`, or `localhost` locally): the apex and `www.` serve the marketplace, `seller.`
 * and `buyer.` the portals, and one other label `<slug>.` a seller's storefront. Anything else is
 * foreign: deeper subdomains, IP addresses, other domains and look-alikes (`xtechflunky.com`,
 * `techflunky.com.evil.com`). The labels `api`, `admin`, `app` and `static` are kept back (foreign
 * for now, never a storefront), so a seller cannot claim a name that looks like ours before we use
 * it; `reservedLabels` lists every label a storefront slug can never take. `docs.` is the
 * documentation site (`isDocsHost`): never a storefront, and foreign to the API and the web app.
 *
 * Why the CSRF check looks like this: the session cookie is `__Host-` (host-only, `Secure`, no
 * `Domain`) and `SameSite=Lax`, so other sites' subresources and cross-site POSTs do not carry it.
 * What remains is a write from a page that still gets the cookie sent: the same site, and Lax's
 * top-level navigations. Storefronts are same-site with the portals, and a form-encoded or
 * `text/plain` POST needs no CORS preflight, so "one of our origins" is not enough for a cookie:
 * a cookie-authenticated write must come from the request's own origin, shown by `Origin` or, when
 * a browser omits it, `Sec-Fetch-Site: same-origin`. Bearer tokens are never sent ambiently, so a
 * bearer (or anonymous) write only has to come from one of our origins when it names one at all;
 * without `Origin` it is a server-to-server client or a webhook, which browsers never imitate
 * (they always send `Origin` on cross-origin writes). An anonymous write from a foreign page, e.g.
 * signing the victim in to the attacker's account, is refused by the same rule.
 */

export type HostKind =
	| { kind: "apex" }
	| { kind: "seller_portal" }
	| { kind: "buyer_portal" }
	| { kind: "storefront"; slug: string }
	| { kind: "foreign" };

/** Labels that are never a storefront: the ones we serve, and the ones kept back for later. */
export const reservedLabels: readonly string[] = Object.freeze([
	"www",
	"seller",
	"buyer",
	"api",
	"admin",
	"app",
	"static",
	"docs",
]);

/** One DNS label, lower case: what a storefront host's label (and so a storefront's slug) may be. */
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const FOREIGN: HostKind = Object.freeze({ kind: "foreign" });

/** Lower case, without the port and one trailing dot; null when it is no DNS host name at all. */
function hostName(host: string): string | null {
	// An IPv6 literal (`[::1]:8787`) fails the port check below: it is never ours.
	const colon = host.indexOf(":");
	let name = host;
	if (colon !== -1) {
		const port = host.slice(colon + 1);
		if (!/^\d{1,5}$/.test(port) || Number(port) > 65_535) return null;
		name = host.slice(0, colon);
	}
	name = name.toLowerCase();
	if (name.endsWith(".")) name = name.slice(0, -1);
	return name === "" ? null : name;
}

/** `host` as in the `Host` header or `URL.host`: any case, maybe with a port. */
export function classifyHost(host: string, rootDomain: string): HostKind {
	const name = hostName(host);
	const root = hostName(rootDomain);
	if (name === null || root === null) return FOREIGN;
	if (name === root) return { kind: "apex" };
	if (!name.endsWith(`.${root}`)) return FOREIGN;
	const label = name.slice(0, -root.length - 1);
	switch (label) {
		case "www":
			return { kind: "apex" };
		case "seller":
			return { kind: "seller_portal" };
		case "buyer":
			return { kind: "buyer_portal" };
	}
	if (reservedLabels.includes(label) || !SLUG.test(label)) return FOREIGN;
	return { kind: "storefront", slug: label };
}

/** Whether `host` is the documentation site's, `docs.<root>` (workers/dispatch/middleware/docs-site.ts). */
export function isDocsHost(host: string, rootDomain: string): boolean {
	const name = hostName(host);
	const root = hostName(rootDomain);
	return name !== null && root !== null && name === `docs.${root}`;
}

/**
 * `origin` parsed, when it has the shape of an `Origin` header: scheme://host[:port], nothing
 * more (no user info, path, query or fragment, not even a trailing slash). `null` otherwise,
 * including the opaque origin `null`.
 */
function parseOrigin(origin: string): URL | null {
	if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#@\\\s]+$/i.test(origin)) return null;
	try {
		return new URL(origin);
	} catch {
		return null;
	}
}

/**
 * Whether `origin` (an `Origin` header) is one of ours. Locally (`localhost`) http or https on any
 * port, since dev servers and tests pick ports; otherwise https on the default port only.
 */
export function isOwnOrigin(origin: string, rootDomain: string): boolean {
	const url = parseOrigin(origin);
	if (url === null) return false;
	if (classifyHost(url.host, rootDomain).kind === "foreign") return false;
	if (hostName(rootDomain) === "localhost") return url.protocol === "http:" || url.protocol === "https:";
	return url.protocol === "https:" && url.port === "";
}

export type Credentials = "cookie" | "bearer" | "none";

export interface CsrfInput {
	method: string;
	/** How the caller authenticated: only a cookie is sent by the browser on its own. */
	credentials: Credentials;
	/** The `Origin` header, null when absent. */
	origin: string | null;
	/** The `Sec-Fetch-Site` header, null when absent. */
	secFetchSite: string | null;
	/** The origin of the URL the request was sent to. */
	requestOrigin: string;
	rootDomain: string;
}

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

function sameOrigin(origin: string, requestOrigin: string): boolean {
	const url = parseOrigin(origin);
	if (url === null) return false;
	try {
		return url.origin === new URL(requestOrigin).origin;
	} catch {
		return false;
	}
}

export function csrfVerdict(input: CsrfInput): "ok" | "cross_origin" {
	// Methods compare exactly: anything unusual is treated as a write.
	if (SAFE_METHODS.has(input.method)) return "ok";
	if (input.origin !== null) {
		const ok =
			input.credentials === "cookie"
				? sameOrigin(input.origin, input.requestOrigin)
				: isOwnOrigin(input.origin, input.rootDomain);
		return ok ? "ok" : "cross_origin";
	}
	if (input.credentials === "cookie") return input.secFetchSite === "same-origin" ? "ok" : "cross_origin";
	return "ok";
}
