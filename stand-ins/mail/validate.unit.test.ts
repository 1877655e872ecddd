import { describe, expect, it } from "vitest";
import { validateEmailRequest } from "./validate.ts";

const valid = {
	from: { email: "no-reply@techflunky.com", name: "TechFlunky" },
	to: [{ email: "ada@example.test", name: "Ada" }],
	subject: "Hello",
	text: "Hi",
	html: "<p>Hi</p>",
};

const errorsOf = (body: unknown) => {
	const result = validateEmailRequest(body);
	return result.ok ? {} : result.errors;
};

describe("validateEmailRequest", () => {
	it("accepts MailerSend's documented fields", () => {
		const result = validateEmailRequest({
			...valid,
			cc: [{ email: "cc@example.test" }],
			reply_to: { email: "support@techflunky.com" },
			tags: ["account"],
			headers: [{ name: "X-Job-Id", value: "evt_1" }],
		});
		expect(result).toMatchObject({
			ok: true,
			email: { subject: "Hello", tags: ["account"], headers: [{ name: "X-Job-Id", value: "evt_1" }] },
		});
	});

	it("accepts a message with only a text or only an HTML part", () => {
		const { html: _html, ...textOnly } = valid;
		const { text: _text, ...htmlOnly } = valid;
		expect(validateEmailRequest(textOnly).ok).toBe(true);
		expect(validateEmailRequest(htmlOnly).ok).toBe(true);
	});

	it("names each missing required field in MailerSend's dot notation", () => {
		expect(Object.keys(errorsOf({}))).toEqual(expect.arrayContaining(["from", "to", "subject", "text"]));
		expect(errorsOf({ ...valid, to: [{ name: "No address" }] })).toHaveProperty(["to.0.email"]);
		expect(errorsOf({ ...valid, from: { email: "nope" } })).toHaveProperty(["from.email"]);
		expect(errorsOf({ ...valid, text: undefined, html: undefined })).toHaveProperty("text");
	});

	it("enforces MailerSend's limits", () => {
		const many = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `u${i}@example.test` }));
		expect(validateEmailRequest({ ...valid, to: many(50) }).ok).toBe(true);
		expect(errorsOf({ ...valid, to: many(51) })).toHaveProperty("to");
		expect(errorsOf({ ...valid, to: [] })).toHaveProperty("to");
		expect(errorsOf({ ...valid, cc: many(11) })).toHaveProperty("cc");
		expect(errorsOf({ ...valid, to: [{ email: "a@example.test", name: "Lovelace, Ada" }] })).toHaveProperty([
			"to.0.name",
		]);
		expect(errorsOf({ ...valid, tags: ["a", "b", "c", "d", "e", "f"] })).toHaveProperty("tags");
		expect(errorsOf({ ...valid, headers: [{ name: "Bad Header", value: "x" }] })).toHaveProperty(["headers.0.name"]);
	});

	it("refuses fields it does not implement and fields MailerSend does not have", () => {
		expect(errorsOf({ ...valid, template_id: "abc" })).toHaveProperty("template_id");
		expect(errorsOf({ ...valid, attachments: [] })).toHaveProperty("attachments");
		expect(errorsOf({ ...valid, body: "x" })).toHaveProperty("body");
	});

	it("summarises the errors in its message as MailerSend does", () => {
		const result = validateEmailRequest({ ...valid, subject: "", from: undefined });
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toMatch(/\(and 1 more error\)$/);
	});

	it("refuses a body that is not an object", () => {
		for (const body of [null, [], "x", 1]) expect(validateEmailRequest(body).ok).toBe(false);
	});
});
