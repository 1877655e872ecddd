/**
 * Errors as RFC 9457 problem details. Handlers throw `HttpProblem` with a tagged reason; one
 * `onError` per Hono app turns it into `application/problem+json` through an exhaustive switch.
 * The public title and detail stay generic; anything internal goes to the log, never the client.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

export interface FieldError {
	/** JSON pointer-ish dotted path of the offending field, e.g. `amount_cents` or `items.2.name`. */
	field: string;
	message: string;
}

export type Problem =
	| { reason: "bad_request"; detail?: string; errors?: FieldError[] }
	| { reason: "unauthorized"; detail?: string }
	| { reason: "otp_required" }
	| { reason: "forbidden"; detail?: string }
	| { reason: "email_unverified" }
	| { reason: "not_found" }
	| { reason: "method_not_allowed" }
	| { reason: "conflict"; detail?: string; offerId?: string }
	| { reason: "payload_too_large"; limitBytes: number; detail?: string }
	| { reason: "unsupported_media_type"; detail?: string }
	| { reason: "rate_limited"; retryAfterSeconds: number }
	| { reason: "internal" }
	| { reason: "bad_gateway" }
	| { reason: "service_unavailable" };

export type ProblemReason = Problem["reason"];

export class HttpProblem extends Error {
	/** Extra response headers, e.g. the rate-limit headers of a 429. */
	readonly headers: HeadersInit | undefined;

	readonly problem: Problem;

	constructor(problem: Problem, options?: { cause?: unknown; headers?: HeadersInit }) {
		super(problem.reason, options?.cause === undefined ? undefined : { cause: options.cause });
		this.problem = problem;
		this.name = "HttpProblem";
		this.headers = options?.headers;
	}
}

export interface ProblemBody {
	type: string;
	title: string;
	status: number;
	detail: string;
	instance?: string;
	errors?: FieldError[];
	/** Extension member of a conflict with an open offer thread: the thread's id. */
	offer_id?: string;
}

const TYPE_BASE = "https://techflunky.com/problems/";

function describe(problem: Problem): { status: number; title: string; detail: string } {
	switch (problem.reason) {
		case "bad_request":
			return {
				status: 400,
				title: "Bad Request",
				detail: problem.detail ?? "The request is not valid.",
			};
		case "unauthorized":
			return {
				status: 401,
				title: "Unauthorized",
				detail: problem.detail ?? "Valid credentials are required.",
			};
		case "otp_required":
			return {
				status: 401,
				title: "One-Time Code Required",
				detail: "This account uses two-factor authentication; send the current code as `otp`.",
			};
		case "forbidden":
			return {
				status: 403,
				title: "Forbidden",
				detail: problem.detail ?? "You may not do this.",
			};
		case "email_unverified":
			return {
				status: 403,
				title: "E-mail Address Not Verified",
				detail: "Confirm your e-mail address first: open the link we e-mailed you, or ask for a new one.",
			};
		case "not_found":
			return { status: 404, title: "Not Found", detail: "No such resource." };
		case "method_not_allowed":
			return {
				status: 405,
				title: "Method Not Allowed",
				detail: "This resource does not support that method.",
			};
		case "conflict":
			return {
				status: 409,
				title: "Conflict",
				detail: problem.detail ?? "The resource changed; reload and try again.",
			};
		case "payload_too_large":
			return {
				status: 413,
				title: "Payload Too Large",
				detail: problem.detail ?? `The request body exceeds ${problem.limitBytes} bytes.`,
			};
		case "unsupported_media_type":
			return {
				status: 415,
				title: "Unsupported Media Type",
				detail: problem.detail ?? "Send application/json.",
			};
		case "rate_limited":
			return {
				status: 429,
				title: "Too Many Requests",
				detail: `Rate limit exceeded; retry in ${Math.max(1, Math.ceil(problem.retryAfterSeconds))} s.`,
			};
		case "internal":
			return {
				status: 500,
				title: "Internal Server Error",
				detail: "Something went wrong on our side.",
			};
		case "bad_gateway":
			return {
				status: 502,
				title: "Bad Gateway",
				detail: "An upstream service failed.",
			};
		case "service_unavailable":
			return {
				status: 503,
				title: "Service Unavailable",
				detail: "The service is temporarily unavailable.",
			};
		default: {
			const unreachable: never = problem;
			throw new Error(`unhandled problem ${JSON.stringify(unreachable)}`);
		}
	}
}

export function problemBody(problem: Problem, instance?: string): ProblemBody {
	const { status, title, detail } = describe(problem);
	const body: ProblemBody = {
		type: `${TYPE_BASE}${problem.reason.replaceAll("_", "-")}`,
		title,
		status,
		detail,
	};
	if (instance) body.instance = instance;
	if (problem.reason === "bad_request" && problem.errors?.length) body.errors = problem.errors;
	if (problem.reason === "conflict" && problem.offerId) body.offer_id = problem.offerId;
	return body;
}

export function problemResponse(problem: Problem, init: { instance?: string; headers?: HeadersInit } = {}): Response {
	const body = problemBody(problem, init.instance);
	const headers = new Headers(init.headers);
	headers.set("Content-Type", "application/problem+json");
	// A problem describes one request at one moment; no cache may replay it (a 404 is otherwise heuristically cacheable).
	if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
	if (problem.reason === "rate_limited") {
		headers.set("Retry-After", String(Math.max(1, Math.ceil(problem.retryAfterSeconds))));
	}
	return new Response(JSON.stringify(body), { status: body.status, headers });
}

/**
 * The problem a Hono `HTTPException` stands for: the router's and validators' own refusals
 * (malformed JSON, a content type the route does not take) are answered like ours, not as 500s.
 */
export function problemOfHttpException(err: HTTPException): Problem {
	switch (err.status) {
		case 400:
			return {
				reason: "bad_request",
				detail: /json/i.test(err.message) ? "The request body is not valid JSON." : "The request is not valid.",
			};
		case 401:
			return { reason: "unauthorized" };
		case 403:
			return { reason: "forbidden" };
		case 404:
			return { reason: "not_found" };
		case 405:
			return { reason: "method_not_allowed" };
		case 409:
			return { reason: "conflict" };
		case 415:
			return { reason: "unsupported_media_type" };
		case 503:
			return { reason: "service_unavailable" };
		default:
			return err.status >= 400 && err.status < 500 ? { reason: "bad_request" } : { reason: "internal" };
	}
}

/** The request's id as the problem's `instance` (a URI reference): the dispatch Worker's, or the one it signed into the tenant context. */
function requestInstance(c: Context): string | undefined {
	const id =
		(c.get("requestId") as string | undefined) ??
		(c.get("tenant") as { request_id?: string } | undefined)?.request_id ??
		c.res.headers.get("X-Request-Id") ??
		undefined;
	return id ? `urn:request:${id}` : undefined;
}

/**
 * Hono `onError`: a thrown `HttpProblem` is answered as itself, a Hono `HTTPException` as the
 * problem it stands for; anything else is logged with the request id and answered as a generic
 * 500. Every problem's `instance` names the request.
 */
export function onProblem(err: Error, c: Context): Response {
	const instance = requestInstance(c);
	if (err instanceof HttpProblem) {
		if (err.cause) console.warn("problem", err.problem.reason, instance, err.cause);
		return problemResponse(err.problem, { headers: err.headers, ...(instance ? { instance } : {}) });
	}
	if (err instanceof HTTPException) {
		console.warn("http exception", err.status, err.message, instance);
		return problemResponse(problemOfHttpException(err), instance ? { instance } : {});
	}
	console.error("unhandled error", instance, err);
	return problemResponse({ reason: "internal" }, instance ? { instance } : {});
}

/** Hono `notFound`. */
export function notFoundProblem(c?: Context): Response {
	const instance = c ? requestInstance(c) : undefined;
	return problemResponse({ reason: "not_found" }, instance ? { instance } : {});
}
