/**
 * Which of the platform's hosts a page is on, as the dispatch Worker tells the app in
 * `X-TechFlunky-Host` (workers/dispatch/middleware/web-app.ts sets it from ROOT_DOMAIN over
 * anything the client sent): the apex, the seller or buyer portal, or a seller's storefront.
 * Without the header (plain `astro dev`) it is the apex.
 */
export type Host =
	| { kind: "apex" }
	| { kind: "seller_portal" }
	| { kind: "buyer_portal" }
	| { kind: "storefront"; slug: string };

export function hostOf(request: Request): Host {
	const value = request.headers.get("X-TechFlunky-Host") ?? "apex";
	if (value === "seller_portal" || value === "buyer_portal") return { kind: value };
	if (value.startsWith("storefront:")) return { kind: "storefront", slug: value.slice("storefront:".length) };
	return { kind: "apex" };
}
