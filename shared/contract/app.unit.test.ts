import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { onProblem } from "../http/problem.ts";
import { contractApp } from "./app.ts";
import { anyone, defineRoute } from "./policy.ts";
import { json, jsonBody, problems } from "./schemas.ts";

const echo = defineRoute({
	method: "post",
	path: "/echo/{id}",
	operationId: "echo",
	request: {
		params: z.object({ id: z.string().regex(/^e_[0-9]+$/, "must be an echo id") }),
		body: jsonBody(z.object({ n: z.number().int() }).strict()),
	},
	responses: { 200: json(z.object({ id: z.string(), n: z.number() }), "The echo"), ...problems(400, 415) },
	"x-policy": { allow: anyone, bucket: "caller", body: "json", credentials: "accepted", servedBy: "dispatch" },
});

const app = contractApp()
	.openapi(echo, (c) => c.json({ id: c.req.valid("param").id, ...c.req.valid("json") }, 200))
	.onError(onProblem);

const post = (path: string, init: { body?: string; type?: string } = {}) =>
	app.request(path, {
		method: "POST",
		...(init.type ? { headers: { "Content-Type": init.type } } : {}),
		...(init.body === undefined ? {} : { body: init.body }),
	});

describe("contract routes", () => {
	it("hand the handler the validated params and body", async () => {
		const res = await post("/echo/e_1", { type: "application/json", body: '{"n":2}' });
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ id: "e_1", n: 2 });
	});

	it("answer a body that does not fit with a 400 problem naming each field", async () => {
		const res = await post("/echo/e_1", { type: "application/json", body: '{"n":"two","x":1}' });
		expect(res.status).toBe(400);
		const body = (await res.json()) as { detail: string; errors: { field: string }[] };
		expect(body.detail).toBe("The request body is not valid.");
		expect(body.errors.map((error) => error.field).sort()).toEqual(["(body)", "n"]);
	});

	it("answer a path that does not fit with a 400 problem", async () => {
		const res = await post("/echo/nope", { type: "application/json", body: '{"n":2}' });
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ detail: "The path is not valid.", errors: [{ field: "id" }] });
	});

	it("answer malformed JSON with a 400 problem, not a 500", async () => {
		const res = await post("/echo/e_1", { type: "application/json", body: "{" });
		expect(res.status).toBe(400);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	});

	it.each([
		["no Content-Type and no body", {}],
		["no Content-Type", { body: '{"n":2}' }],
		["text/plain", { type: "text/plain", body: '{"n":2}' }],
	])("answer a required JSON body with %s by 415", async (_, init) => {
		const res = await post("/echo/e_1", init);
		expect(res.status).toBe(415);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	});
});
