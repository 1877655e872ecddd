/**
 * What the local mail stand-in accepts on `POST /v1/email`: the part of MailerSend's documented
 * request body (developers.mailersend.com/api/v1/email.html) a transactional sender uses — from,
 * to (1–50), cc/bcc (≤ 10), reply_to, subject, text, html, tags (≤ 5), headers — checked the way
 * MailerSend answers a bad request: 422 with `{ message, errors: { "field.path": [reason…] } }`.
 * Templates, attachments, personalization and scheduling are refused rather than half-supported,
 * so a product change that starts using them fails here first. Pure: no I/O.
 */

export interface Address {
	email: string;
	name?: string;
}

export interface EmailRequest {
	from: Address;
	to: Address[];
	cc: Address[];
	bcc: Address[];
	reply_to?: Address;
	subject: string;
	text?: string;
	html?: string;
	tags: string[];
	headers: { name: string; value: string }[];
}

export type Validation =
	| { ok: true; email: EmailRequest }
	| { ok: false; message: string; errors: Record<string, string[]> };

const KNOWN = new Set(["from", "to", "cc", "bcc", "reply_to", "subject", "text", "html", "tags", "headers"]);
const UNSUPPORTED = new Set([
	"template_id",
	"attachments",
	"personalization",
	"variables",
	"send_at",
	"in_reply_to",
	"precedence_bulk",
	"settings",
	"list_unsubscribe",
	"references",
]);
// Deliberately simple: one @, no spaces, a dot in the domain; MailerSend's own check is stricter.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HEADER_NAME = /^[A-Za-z0-9-]+$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === "object" && value !== null && !Array.isArray(value);

export function validateEmailRequest(body: unknown): Validation {
	const errors: Record<string, string[]> = {};
	const fail = (field: string, reason: string) => {
		errors[field] ??= [];
		errors[field].push(reason);
	};
	if (!isObject(body)) {
		return {
			ok: false,
			message: "The request body must be a JSON object.",
			errors: { body: ["The body must be a JSON object."] },
		};
	}
	for (const key of Object.keys(body)) {
		if (UNSUPPORTED.has(key)) fail(key, `The ${key} field is not supported by the local mail stand-in.`);
		else if (!KNOWN.has(key)) fail(key, `The ${key} field is not a MailerSend email parameter.`);
	}

	const address = (value: unknown, field: string): Address | undefined => {
		if (!isObject(value)) {
			fail(field, `The ${field} field must be an object.`);
			return undefined;
		}
		const { email, name } = value;
		if (typeof email !== "string" || email === "") fail(`${field}.email`, `The ${field}.email field is required.`);
		else if (!EMAIL.test(email)) fail(`${field}.email`, `The ${field}.email must be a valid email address.`);
		if (name !== undefined && name !== null) {
			if (typeof name !== "string") fail(`${field}.name`, `The ${field}.name must be a string.`);
			else if (/[;,]/.test(name)) fail(`${field}.name`, `The ${field}.name may not contain ; or ,.`);
			else if (name.length > 191) fail(`${field}.name`, `The ${field}.name may not be greater than 191 characters.`);
		}
		if (typeof email !== "string") return undefined;
		return typeof name === "string" ? { email, name } : { email };
	};

	const list = (value: unknown, field: string, min: number, max: number): Address[] => {
		if (value === undefined || value === null) {
			if (min > 0) fail(field, `The ${field} field is required.`);
			return [];
		}
		if (!Array.isArray(value)) {
			fail(field, `The ${field} must be an array.`);
			return [];
		}
		if (value.length < min) fail(field, `The ${field} must have at least ${min} items.`);
		if (value.length > max) fail(field, `The ${field} may not have more than ${max} items.`);
		return value.flatMap((item, i) => address(item, `${field}.${i}`) ?? []);
	};

	if (body.from === undefined) fail("from", "The from field is required.");
	const from = body.from === undefined ? undefined : address(body.from, "from");
	const to = list(body.to, "to", 1, 50);
	const cc = list(body.cc, "cc", 0, 10);
	const bcc = list(body.bcc, "bcc", 0, 10);
	const replyTo =
		body.reply_to === undefined || body.reply_to === null ? undefined : address(body.reply_to, "reply_to");

	const { subject, text, html } = body;
	if (typeof subject !== "string" || subject === "") fail("subject", "The subject field is required.");
	else if (subject.length > 998) fail("subject", "The subject may not be greater than 998 characters.");
	for (const [field, value] of [
		["text", text],
		["html", html],
	] as const) {
		if (value !== undefined && value !== null && typeof value !== "string")
			fail(field, `The ${field} must be a string.`);
	}
	if ((typeof text !== "string" || text === "") && (typeof html !== "string" || html === "")) {
		fail("text", "The text field is required when none of html / template_id are present.");
	}

	let tags: string[] = [];
	if (body.tags !== undefined && body.tags !== null) {
		if (!Array.isArray(body.tags) || body.tags.some((tag) => typeof tag !== "string"))
			fail("tags", "The tags must be an array of strings.");
		else if (body.tags.length > 5) fail("tags", "The tags may not have more than 5 items.");
		else tags = body.tags as string[];
	}

	const headers: { name: string; value: string }[] = [];
	if (body.headers !== undefined && body.headers !== null) {
		if (!Array.isArray(body.headers)) fail("headers", "The headers must be an array.");
		else {
			body.headers.forEach((header, i) => {
				if (!isObject(header) || typeof header.name !== "string" || typeof header.value !== "string") {
					fail(`headers.${i}`, `The headers.${i} must have a string name and value.`);
				} else if (!HEADER_NAME.test(header.name)) {
					fail(`headers.${i}.name`, `The headers.${i}.name may only contain letters, numbers and hyphens.`);
				} else headers.push({ name: header.name, value: header.value });
			});
		}
	}

	const fields = Object.keys(errors);
	if (fields.length > 0 || !from) {
		const first = errors[fields[0] ?? "from"]?.[0] ?? "The given data was invalid.";
		const message =
			fields.length > 1 ? `${first} (and ${fields.length - 1} more error${fields.length > 2 ? "s" : ""})` : first;
		return { ok: false, message, errors };
	}
	const email: EmailRequest = {
		from,
		to,
		cc,
		bcc,
		subject: subject as string,
		tags,
		headers,
		...(replyTo ? { reply_to: replyTo } : {}),
		...(typeof text === "string" && text !== "" ? { text } : {}),
		...(typeof html === "string" && html !== "" ? { html } : {}),
	};
	return { ok: true, email };
}
