/**
 * The pages' API client: the typed client (shared/contract/client.ts) over the `API` service
 * binding to the dispatch Worker, on the visitor's own origin, carrying the visitor's session
 * cookie and address. The API cannot tell a page render from the browser calling it directly, so
 * the same contract, access rules and buckets apply, and there is no other way into the data.
 * Only API paths are ever called, which the dispatch Worker never forwards back here (no loop).
 * Without the binding (plain `astro dev`) it falls back to fetching the same origin.
 */
import { env } from "cloudflare:workers";
import { createClient } from "../../../shared/contract/client.ts";

const SESSION_COOKIE = "__Host-session";

export type Api = ReturnType<typeof createClient>;

export function apiFor(request: Request): Api {
	const origin = new URL(request.url).origin;
	const forwarded = new Headers();
	const session = sessionCookie(request.headers.get("Cookie"));
	if (session !== undefined) forwarded.set("Cookie", `${SESSION_COOKIE}=${session}`);
	const ip = request.headers.get("CF-Connecting-IP");
	if (ip) forwarded.set("CF-Connecting-IP", ip);
	const binding = env.API;
	return createClient({
		baseUrl: origin,
		headers: () => forwarded,
		fetch: (url, init) => {
			if (!new URL(url).pathname.startsWith("/api/v1/")) throw new Error(`not an API path: ${url}`);
			return binding ? binding.fetch(url, init) : fetch(url, init);
		},
	});
}

/** The session cookie's value, and no other cookie: the API needs nothing else of the visitor's. */
export function sessionCookie(header: string | null): string | undefined {
	for (const part of header?.split(";") ?? []) {
		const [name, ...value] = part.trim().split("=");
		if (name === SESSION_COOKIE && value.length > 0) return value.join("=");
	}
	return undefined;
}
