/**
 * Addresses across our hosts: the apex's origin and a storefront's, derived from the page's own
 * URL and the host kind the dispatch Worker named (./host.ts), so the app needs no configured
 * domain and a link made on `seller.localhost:4321` points at `localhost:4321` like one made on
 * `seller.techflunky.com` points at `techflunky.com`.
 *
 * Listing links on a storefront go to the apex: the visitor's session cookie is host-only, so
 * the apex is where a signed-in buyer can act on a listing, and a listing keeps one address.
 */
import { hostOf } from "./host.ts";

/** The label in front of the apex on this host, or `null` on the apex itself. */
function labelOf(request: Request, hostname: string): string | null {
	const host = hostOf(request);
	if (host.kind === "seller_portal") return "seller";
	if (host.kind === "buyer_portal") return "buyer";
	if (host.kind === "storefront") return host.slug;
	return hostname.startsWith("www.") ? "www" : null;
}

/** The apex's `host[:port]`, as the visitor reached us. */
export function apexHost(request: Request): string {
	const url = new URL(request.url);
	const label = labelOf(request, url.hostname);
	return label !== null && url.host.startsWith(`${label}.`) ? url.host.slice(label.length + 1) : url.host;
}

/** `http(s)://<apex>`, without a trailing slash. */
export function apexOrigin(request: Request): string {
	return `${new URL(request.url).protocol}//${apexHost(request)}`;
}

/** `http(s)://<slug>.<apex>`, without a trailing slash. */
export function storefrontOrigin(request: Request, slug: string): string {
	return `${new URL(request.url).protocol}//${slug}.${apexHost(request)}`;
}
