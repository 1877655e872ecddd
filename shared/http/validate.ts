/**
 * Validation at the edge of a handler: read and parse input with a zod schema, or throw a 400
 * problem that lists each field's error. Nothing is read twice and nothing is written before
 * validation passes.
 */
import type { Context } from "hono";
import type { z } from "zod";
import { type FieldError, HttpProblem } from "./problem.ts";

export function fieldErrors(error: z.ZodError): FieldError[] {
	return error.issues.map((issue) => ({
		field: issue.path.length ? issue.path.join(".") : "(body)",
		message: issue.message,
	}));
}

export function parseWith<S extends z.ZodType>(
	schema: S,
	input: unknown,
	what = "The request is not valid.",
): z.output<S> {
	const result = schema.safeParse(input);
	if (!result.success) {
		throw new HttpProblem({ reason: "bad_request", detail: what, errors: fieldErrors(result.error) });
	}
	return result.data;
}

/** Reads a JSON body; non-JSON content types are 415 and malformed JSON is 400. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
	const type = c.req.header("Content-Type") ?? "";
	if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
		throw new HttpProblem({ reason: "unsupported_media_type" });
	}
	let body: unknown;
	try {
		body = await c.req.json();
	} catch (cause) {
		throw new HttpProblem({ reason: "bad_request", detail: "The request body is not valid JSON." }, { cause });
	}
	return parseWith(schema, body, "The request body is not valid.");
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
	return parseWith(schema, c.req.query(), "The query string is not valid.");
}

export function readParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
	return parseWith(schema, c.req.param(), "The path is not valid.");
}

/** A JSON body the client may leave out entirely: an empty body reads as `{}`; anything else as `readJson`. */
export async function readOptionalJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
	if ((await c.req.text()).length === 0) return parseWith(schema, {}, "The request body is not valid.");
	return readJson(c, schema);
}
