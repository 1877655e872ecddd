import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HttpProblem, notFoundProblem, onProblem, type Problem, problemBody, problemResponse } from "./problem.ts";

afterEach(() => {
	vi.restoreAllMocks();
});

/** One request through a tiny app whose only handler throws `thrown`. */
async function answerTo(thrown: unknown): Promise<Response> {
	const app = new Hono()
		.get("/boom", () => {
			throw thrown;
		})
		.onError(onProblem);
	return app.request("/boom");
}

const cases: { problem: Problem; status: number; type: string; title: string; detail: string }[] = [
	{
		problem: { reason: "bad_request" },
		status: 400,
		type: "https://techflunky.com/problems/bad-request",
		title: "Bad Request",
		detail: "The request is not valid.",
	},
	{
		problem: { reason: "unauthorized" },
		status: 401,
		type: "https://techflunky.com/problems/unauthorized",
		title: "Unauthorized",
		detail: "Valid credentials are required.",
	},
	{
		problem: { reason: "otp_required" },
		status: 401,
		type: "https://techflunky.com/problems/otp-required",
		title: "One-Time Code Required",
		detail: "This account uses two-factor authentication; send the current code as `otp`.",
	},
	{
		problem: { reason: "forbidden" },
		status: 403,
		type: "https://techflunky.com/problems/forbidden",
		title: "Forbidden",
		detail: "You may not do this.",
	},
	{
		problem: { reason: "not_found" },
		status: 404,
		type: "https://techflunky.com/problems/not-found",
		title: "Not Found",
		detail: "No such resource.",
	},
	{
		problem: { reason: "method_not_allowed" },
		status: 405,
		type: "https://techflunky.com/problems/method-not-allowed",
		title: "Method Not Allowed",
		detail: "This resource does not support that method.",
	},
	{
		problem: { reason: "conflict" },
		status: 409,
		type: "https://techflunky.com/problems/conflict",
		title: "Conflict",
		detail: "The resource changed; reload and try again.",
	},
	{
		problem: { reason: "payload_too_large", limitBytes: 1048576 },
		status: 413,
		type: "https://techflunky.com/problems/payload-too-large",
		title: "Payload Too Large",
		detail: "The request body exceeds 1048576 bytes.",
	},
	{
		problem: { reason: "unsupported_media_type" },
		status: 415,
		type: "https://techflunky.com/problems/unsupported-media-type",
		title: "Unsupported Media Type",
		detail: "Send application/json.",
	},
	{
		problem: { reason: "rate_limited", retryAfterSeconds: 30 },
		status: 429,
		type: "https://techflunky.com/problems/rate-limited",
		title: "Too Many Requests",
		detail: "Rate limit exceeded; retry in 30 s.",
	},
	{
		problem: { reason: "internal" },
		status: 500,
		type: "https://techflunky.com/problems/internal",
		title: "Internal Server Error",
		detail: "Something went wrong on our side.",
	},
	{
		problem: { reason: "bad_gateway" },
		status: 502,
		type: "https://techflunky.com/problems/bad-gateway",
		title: "Bad Gateway",
		detail: "An upstream service failed.",
	},
	{
		problem: { reason: "service_unavailable" },
		status: 503,
		type: "https://techflunky.com/problems/service-unavailable",
		title: "Service Unavailable",
		detail: "The service is temporarily unavailable.",
	},
];

describe("problemResponse", () => {
	it.each(cases)(
		"answers $problem.reason with $status and a problem+json body",
		async ({ problem, status, type, title, detail }) => {
			const res = problemResponse(problem);
			expect(res.status).toBe(status);
			expect(res.headers.get("Content-Type")).toBe("application/problem+json");
			expect(await res.json()).toEqual({ type, title, status, detail });
		},
	);

	it.each(["bad_request", "unauthorized", "forbidden", "conflict", "unsupported_media_type"] as const)(
		"uses the caller's detail for %s",
		async (reason) => {
			const res = problemResponse({ reason, detail: "Specific, public detail." });
			const body = (await res.json()) as { detail: string };
			expect(body.detail).toBe("Specific, public detail.");
		},
	);

	it("lists field errors on a bad_request that has them", async () => {
		const errors = [
			{ field: "amount_cents", message: "Expected a positive integer" },
			{ field: "items.2.name", message: "Required" },
		];
		const res = problemResponse({ reason: "bad_request", errors });
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ status: 400, errors });
	});

	it("omits errors on a bad_request with an empty error list", async () => {
		const body = await problemResponse({ reason: "bad_request", errors: [] }).json();
		expect(body).not.toHaveProperty("errors");
	});

	it("omits errors on a bad_request without an error list", async () => {
		const body = await problemResponse({ reason: "bad_request" }).json();
		expect(body).not.toHaveProperty("errors");
	});

	it("never lists errors on a problem other than bad_request", () => {
		const smuggled = {
			reason: "conflict",
			errors: [{ field: "version", message: "stale" }],
		} as unknown as Problem;
		expect(problemBody(smuggled)).not.toHaveProperty("errors");
	});

	it("carries the open thread's offer_id on a conflict that names one", async () => {
		const offerId = "off_0123456789abcdef0123456789abcdef";
		const body = await problemResponse({ reason: "conflict", detail: "Taken.", offerId }).json();
		expect(body).toEqual({
			type: "https://techflunky.com/problems/conflict",
			title: "Conflict",
			status: 409,
			detail: "Taken.",
			offer_id: offerId,
		});
		expect(problemBody({ reason: "conflict" })).not.toHaveProperty("offer_id");
	});

	it("sets Retry-After on rate_limited", () => {
		const res = problemResponse({ reason: "rate_limited", retryAfterSeconds: 17 });
		expect(res.headers.get("Retry-After")).toBe("17");
	});

	it.each(cases.filter((c) => c.problem.reason !== "rate_limited"))(
		"sets no Retry-After on $problem.reason",
		({ problem }) => {
			expect(problemResponse(problem).headers.has("Retry-After")).toBe(false);
		},
	);

	it("keeps the caller's headers but forces the problem+json content type", () => {
		const res = problemResponse(
			{ reason: "unauthorized" },
			{ headers: { "Content-Type": "text/plain", "WWW-Authenticate": "Bearer" } },
		);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
		expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
	});

	it("includes the instance only when one is given", async () => {
		const withInstance = await problemResponse({ reason: "not_found" }, { instance: "/api/v1/listings/x" }).json();
		const without = await problemResponse({ reason: "not_found" }).json();
		expect(withInstance).toMatchObject({ instance: "/api/v1/listings/x" });
		expect(without).not.toHaveProperty("instance");
	});

	it("throws on a reason it does not know", () => {
		expect(() => problemBody({ reason: "teapot" } as unknown as Problem)).toThrow(/unhandled problem/);
	});
});

describe("notFoundProblem", () => {
	it("answers 404 with a not-found problem", async () => {
		const res = notFoundProblem();
		expect(res.status).toBe(404);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
		expect(await res.json()).toMatchObject({ type: "https://techflunky.com/problems/not-found", status: 404 });
	});
});

describe("onProblem", () => {
	it("answers an unexpected error with a generic 500 that does not leak its message", async () => {
		const logged = vi.spyOn(console, "error").mockImplementation(() => {});
		const res = await answerTo(new Error("secret internal detail"));
		const text = await res.text();
		expect(res.status).toBe(500);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
		expect(text).not.toContain("secret internal detail");
		expect(text).not.toMatch(/at .*\.ts/);
		expect(JSON.parse(text)).toEqual({
			type: "https://techflunky.com/problems/internal",
			title: "Internal Server Error",
			status: 500,
			detail: "Something went wrong on our side.",
		});
		expect(logged).toHaveBeenCalled();
	});

	it("logs an unexpected error for operators", async () => {
		const logged = vi.spyOn(console, "error").mockImplementation(() => {});
		const err = new Error("secret internal detail");
		await answerTo(err);
		expect(logged.mock.calls.some((args) => args.includes(err))).toBe(true);
	});

	it("answers a thrown HttpProblem with the headers it carries", async () => {
		const res = await answerTo(
			new HttpProblem(
				{ reason: "rate_limited", retryAfterSeconds: 9 },
				{ headers: { RateLimit: '"auth-ip";r=0;t=9' } },
			),
		);
		expect(res.status).toBe(429);
		expect(res.headers.get("RateLimit")).toBe('"auth-ip";r=0;t=9');
		expect(res.headers.get("Retry-After")).toBe("9");
	});

	it("answers a thrown HttpProblem with its own status and body", async () => {
		const res = await answerTo(new HttpProblem({ reason: "conflict", detail: "The offer changed." }));
		expect(res.status).toBe(409);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
		expect(await res.json()).toEqual({
			type: "https://techflunky.com/problems/conflict",
			title: "Conflict",
			status: 409,
			detail: "The offer changed.",
		});
	});

	it("keeps Retry-After on a thrown rate_limited problem", async () => {
		const res = await answerTo(new HttpProblem({ reason: "rate_limited", retryAfterSeconds: 9 }));
		expect(res.status).toBe(429);
		expect(res.headers.get("Retry-After")).toBe("9");
	});

	it("keeps field errors on a thrown bad_request", async () => {
		const errors = [{ field: "title", message: "Too long" }];
		const res = await answerTo(new HttpProblem({ reason: "bad_request", errors }));
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ errors });
	});

	it("keeps the cause of a thrown HttpProblem out of the response", async () => {
		const warned = vi.spyOn(console, "warn").mockImplementation(() => {});
		const res = await answerTo(
			new HttpProblem({ reason: "bad_gateway" }, { cause: new Error("stripe said: secret internal detail") }),
		);
		expect(res.status).toBe(502);
		expect(await res.text()).not.toContain("secret internal detail");
		expect(warned).toHaveBeenCalled();
	});

	it("names the request in the problem's instance", async () => {
		const app = new Hono<{ Variables: { requestId: string } }>()
			.use(async (c, next) => {
				c.set("requestId", "5f3c8a52-0000-4000-8000-000000000001");
				await next();
			})
			.get("/boom", () => {
				throw new HttpProblem({ reason: "conflict" });
			})
			.onError(onProblem);
		const body = (await (await app.request("/boom")).json()) as { instance?: string };
		expect(body.instance).toBe("urn:request:5f3c8a52-0000-4000-8000-000000000001");
	});

	it.each([
		[new HTTPException(400, { message: "Malformed JSON in request body" }), 400, "The request body is not valid JSON."],
		[new HTTPException(415, { message: "Unsupported Media Type" }), 415, "Send application/json."],
		[new HTTPException(404), 404, "No such resource."],
		[new HTTPException(418), 400, "The request is not valid."],
		[new HTTPException(500, { message: "secret internal detail" }), 500, "Something went wrong on our side."],
	])("answers a Hono HTTPException %# as the problem it stands for, not a 500", async (thrown, status, detail) => {
		vi.spyOn(console, "warn").mockImplementation(() => {});
		const res = await answerTo(thrown);
		expect(res.status).toBe(status);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
		expect(await res.json()).toMatchObject({ status, detail });
	});
});
