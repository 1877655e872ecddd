/**
 * Which declared route a request is, with Hono's own router (the TrieRouter the Workers' apps
 * route with), so the edge and the Workers cannot disagree about it. Before matching, the path is
 * normalised as Hono normalises it: percent-encoding is decoded per segment (`/listings/%6Dine` is
 * `/listings/mine`); beyond Hono's defaults one trailing slash is ignored and HEAD is GET. Where
 * two routes fit, literal segments beat params whatever the table's order (routes are registered
 * most specific first), so adding a route anywhere cannot shadow another.
 */
import { TrieRouter } from "hono/router/trie-router";
import { routingPath } from "./policy.ts";

export type RouteMatch<R> = { route: R; params: Record<string, string> } | { route: null; pathKnown: boolean };

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Like Hono's: a malformed escape stays as it is instead of failing the request. */
function decodeSegment(segment: string): string {
	if (!segment.includes("%")) return segment;
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

/** The normalised path, or null when no route can match it (relative, an empty segment). */
function normalise(path: string): string | null {
	if (!path.startsWith("/")) return null;
	const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
	const parts = trimmed.slice(1).split("/");
	if (parts.some((part) => part === "")) return null;
	// A decoded segment that contains "/" must not become two segments.
	return `/${parts.map((part) => decodeSegment(part).replaceAll("/", "%2F")).join("/")}`;
}

/** One character per segment, literal "0" before param "1": sorting by it ranks literals first. */
function rank(path: string): string {
	return path
		.split("/")
		.slice(1)
		.map((part) => (part.startsWith(":") ? "1" : "0"))
		.join("");
}

export function createRouteMatcher<R extends { method: string; path: string }>(routes: readonly R[]) {
	const byMethod = new TrieRouter<R>();
	const anyMethod = new TrieRouter<R>();
	const ranked = [...routes].sort((a, b) => {
		const ra = rank(routingPath(a));
		const rb = rank(routingPath(b));
		return ra < rb ? -1 : ra > rb ? 1 : 0;
	});
	for (const route of ranked) {
		const path = routingPath(route);
		if (!path.startsWith("/")) throw new Error(`route path must start with "/": ${path}`);
		if (
			path
				.slice(1)
				.split("/")
				.some((part) => part === "" || part === ":")
		) {
			throw new Error(`route path has an empty segment: ${path}`);
		}
		byMethod.add(route.method.toUpperCase(), routingPath(route), route);
		anyMethod.add("ALL", routingPath(route), route);
	}

	function match(method: string, path: string): RouteMatch<R> {
		const normalised = normalise(path);
		if (normalised === null) return { route: null, pathKnown: false };
		const wanted = method === "HEAD" ? "GET" : method;
		const [found] = byMethod.match(wanted, normalised);
		const first = found[0];
		if (first) {
			const params = Object.fromEntries(
				Object.entries(first[1] as Record<string, string>).map(([name, value]) => [name, value.replaceAll("%2F", "/")]),
			);
			return { route: first[0], params };
		}
		return { route: null, pathKnown: anyMethod.match("ALL", normalised)[0].length > 0 };
	}

	/** The methods some route serves on `path`, HEAD with GET: the `Allow` header a 405 carries. */
	function allowedMethods(path: string): string[] {
		return METHODS.filter((method) => match(method, path).route !== null).flatMap((method) =>
			method === "GET" ? ["GET", "HEAD"] : [method],
		);
	}

	return { match, allowedMethods };
}
