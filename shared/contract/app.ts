/**
 * The Hono app every contract route is registered on: `OpenAPIHono`, whose `app.openapi(route,
 * handler)` validates params, query and body with the route's own schemas before the handler
 * runs, and types `c.req.valid(…)` and `c.json(…)` by them. A validation failure is the same 400
 * problem, with one field error per issue, that `shared/http/validate.ts` gives hand-read input.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Env } from "hono";
import { HttpProblem } from "../http/problem.ts";
import { fieldErrors } from "../http/validate.ts";

const WHAT: Record<string, string> = {
	json: "The request body is not valid.",
	form: "The request body is not valid.",
	query: "The query string is not valid.",
	param: "The path is not valid.",
	header: "The request headers are not valid.",
	cookie: "The request cookies are not valid.",
};

/** A new sub-app for contract routes; validation failures are 400 problems. */
export function contractApp<E extends Env>() {
	return new OpenAPIHono<E>({
		defaultHook: (result) => {
			if (result.success) return;
			throw new HttpProblem({
				reason: "bad_request",
				detail: WHAT[result.target] ?? "The request is not valid.",
				errors: fieldErrors(result.error),
			});
		},
	});
}
