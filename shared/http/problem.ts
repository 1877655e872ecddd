/**
 * Errors as RFC 9457 problem details. Handlers throw `HttpProblem` with a tagged reason; one
 * `onError` per Hono app turns it into `application/problem+json` through an exhaustive switch.
 * The public title and detail stay generic; anything internal goes to the log, never the client.
 */
import type { Context } from "hono";

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

	constructor(
		readonly problem: Problem,
		options?: { cause?: unknown; headers?: HeadersInit },
	) {
		super(problem.reason, options?.cause === undefined ? undefined : { cause: options.cause });
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
	if (problem.reason === "rate_limited") {
		headers.set("Retry-After", String(Math.max(1, Math.ceil(problem.retryAfterSeconds))));
	}
	return new Response(JSON.stringify(body), { status: body.status, headers });
}

/**
 * Hono `onError`: a thrown `HttpProblem` is answered as itself; anything else is logged with the
 * request id and answered as a generic 500.
 */
export function onProblem(err: Error, c: Context): Response {
	const requestId = c.res.headers.get("X-Request-Id") ?? c.req.header("X-Request-Id") ?? undefined;
	if (err instanceof HttpProblem) {
		if (err.cause) console.warn("problem", err.problem.reason, requestId, err.cause);
		return problemResponse(err.problem, { headers: err.headers });
	}
	console.error("unhandled error", requestId, err);
	return problemResponse({ reason: "internal" });
}

/** Hono `notFound`. */
export function notFoundProblem(): Response {
	return problemResponse({ reason: "not_found" });
}
