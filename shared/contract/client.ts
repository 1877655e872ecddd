/**
 * A typed client made from the route table: `client.call(contract.counterOffer, { params, body })`
 * builds the request from the route's own path and schemas, and returns the status with the body
 * parsed by the schema declared for that status, typed by it. Nothing is hand-written per route,
 * so the client cannot drift from the contract; an answer the contract does not declare, or a body
 * that does not fit its schema, is an error (`ContractViolation`), which is how the e2e tests, the
 * bench and the soak check every response they receive.
 *
 * The transport is the caller's: a `fetch` (the browser's, undici's with a local resolver, …) and
 * headers added to every request (a client IP for tests posing as many clients, a token).
 */
import type { RouteConfig, z } from "@hono/zod-openapi";
import { responseSchema } from "./policy.ts";

type Schema = z.ZodType;
type RequestParts<R extends RouteConfig> = NonNullable<R["request"]>;

type ParamsOf<R extends RouteConfig> = RequestParts<R> extends { params: infer P extends Schema } ? z.input<P> : never;
type QueryOf<R extends RouteConfig> = RequestParts<R> extends { query: infer Q extends Schema } ? z.input<Q> : never;
type BodyOf<R extends RouteConfig> =
	RequestParts<R> extends {
		body: { content: { "application/json": { schema: infer B extends Schema } } };
	}
		? z.input<B>
		: never;

/** What a call takes: the route's params, query and JSON body, each required when the route has one. */
export type CallInput<R extends RouteConfig> = ([ParamsOf<R>] extends [never] ? object : { params: ParamsOf<R> }) &
	([QueryOf<R>] extends [never] ? object : { query?: QueryOf<R> }) &
	([BodyOf<R>] extends [never] ? { body?: BodyInit } : { body?: BodyOf<R> }) & {
		headers?: HeadersInit;
		token?: string;
	};

type JsonOf<Response> = Response extends { content: { "application/json": { schema: infer S extends Schema } } }
	? z.output<S>
	: Response extends { content: { "application/problem+json": { schema: infer S extends Schema } } }
		? z.output<S>
		: undefined;

/** The answer: one member per declared status, with that status's body type. */
export type CallResult<R extends RouteConfig> = {
	[S in keyof R["responses"] & (number | `${number}`)]: {
		status: S extends `${infer N extends number}` ? N : S;
		body: JsonOf<R["responses"][S]>;
		headers: Headers;
	};
}[keyof R["responses"] & (number | `${number}`)];

export class ContractViolation extends Error {
	override name = "ContractViolation";
}

export interface ClientOptions {
	baseUrl: string;
	fetch?: (url: string, init: RequestInit) => Promise<Response>;
	/** Added to every request (before the call's own). */
	headers?: () => HeadersInit;
}

/** `/api/v1/offers/{id}/counter` with `{ id }` → `/api/v1/offers/off_…/counter`. */
export function fillPath(path: string, params: Record<string, string> = {}): string {
	return path.replaceAll(/{([^}]+)}/g, (_, name: string) => {
		const value = params[name];
		if (value === undefined) throw new Error(`missing path parameter ${name}`);
		return encodeURIComponent(value);
	});
}

function queryString(query: Record<string, unknown> | undefined): string {
	if (!query) return "";
	const search = new URLSearchParams();
	for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
	const text = search.toString();
	return text ? `?${text}` : "";
}

/**
 * Checks an answer against what `route` declares for its status: `ContractViolation` if the
 * status is undeclared or the body does not fit; else the parsed body (`undefined` without one).
 */
export function checkAnswer(route: RouteConfig, status: number, contentType: string | null, text: string): unknown {
	if (!(status in route.responses)) {
		throw new ContractViolation(
			`${route.method.toUpperCase()} ${route.path} answered ${status}, which it does not declare`,
		);
	}
	const schema = responseSchema(route, status);
	if (!schema) return undefined;
	if (!/json/i.test(contentType ?? "")) {
		throw new ContractViolation(`${route.method.toUpperCase()} ${route.path} ${status} is not JSON (${contentType})`);
	}
	const parsed = schema.safeParse(JSON.parse(text));
	if (!parsed.success) {
		throw new ContractViolation(
			`${route.method.toUpperCase()} ${route.path} ${status} does not fit its schema: ${JSON.stringify(parsed.error.issues)}`,
		);
	}
	return parsed.data;
}

export function createClient(options: ClientOptions) {
	const send = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
	return {
		async call<R extends RouteConfig>(route: R, input: CallInput<R>): Promise<CallResult<R>> {
			const {
				params,
				query,
				body,
				headers: own,
				token,
			} = input as {
				params?: Record<string, string>;
				query?: Record<string, unknown>;
				body?: unknown;
				headers?: HeadersInit;
				token?: string;
			};
			const headers = new Headers(options.headers?.());
			for (const [name, value] of new Headers(own)) headers.set(name, value);
			if (token !== undefined) headers.set("Authorization", `Bearer ${token}`);
			const isJson =
				body !== undefined && !(body instanceof Uint8Array) && typeof body !== "string" && !(body instanceof Blob);
			if (isJson && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
			const url = `${options.baseUrl}${fillPath(route.path, params)}${queryString(query)}`;
			const res = await send(url, {
				method: route.method.toUpperCase(),
				headers,
				...(body === undefined ? {} : { body: isJson ? JSON.stringify(body) : (body as BodyInit) }),
			});
			const text = await res.text();
			const parsed = checkAnswer(route, res.status, res.headers.get("Content-Type"), text);
			return { status: res.status, body: parsed, headers: res.headers } as CallResult<R>;
		},
	};
}

export type ContractClient = ReturnType<typeof createClient>;
