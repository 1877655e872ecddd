/**
 * The islands' way to the API: `fetch` on the page's own origin with the `__Host-session` cookie
 * (`credentials: "same-origin"`), so the browser sends an `Origin` the CSRF rule accepts and the
 * page never holds a token. It answers the body on success and a `Problem` otherwise, with the
 * problem's `detail` in words and its field errors by top-level field, so a form can show each
 * at its field. Types only come from the contract (`import type`): the zod schemas stay out of
 * the browser's JavaScript, which keeps the public pages' scripts small.
 */

export interface Problem {
	status: number;
	/** What to tell the visitor: the problem's `detail`, or a sentence of ours when there is none. */
	detail: string;
	/** The problem `type` URI's last segment (e.g. `otp-required`), when there is one. */
	kind: string | null;
	/** The first message per field (`metrics.mrr_cents` is filed under `metrics`). */
	fields: Record<string, string>;
	/** The problem's other members (e.g. `offer_id` of an open thread), as they came. */
	extra: Record<string, unknown>;
}

export type Answer<T> = { ok: true; status: number; body: T } | ({ ok: false } & Problem);

const UNREACHABLE = "We could not reach TechFlunky. Check your connection and try again.";

function fallbackDetail(status: number): string {
	if (status === 401) return "Your session has ended. Sign in again.";
	if (status === 403) return "You are not allowed to do that.";
	if (status === 404) return "That no longer exists, or you cannot see it.";
	if (status === 409) return "Someone changed this in the meantime. Reload and try again.";
	if (status === 429) return "Too many requests. Wait a moment and try again.";
	if (status >= 500) return "TechFlunky is not answering right now. Try again in a moment.";
	return "That did not work. Check what you entered and try again.";
}

/** A problem body (RFC 9457 with field errors) read into what a form shows. */
export function problemOf(status: number, body: unknown): Problem {
	const value = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
	const fields: Record<string, string> = {};
	for (const error of Array.isArray(value.errors) ? value.errors : []) {
		const field = typeof error?.field === "string" ? error.field.split(".")[0] : undefined;
		if (field && typeof error.message === "string") fields[field] ??= error.message;
	}
	const { type, detail, errors: _errors, title: _title, status: _status, instance: _instance, ...extra } = value;
	return {
		status,
		detail: typeof detail === "string" && detail !== "" ? detail : fallbackDetail(status),
		kind: typeof type === "string" ? (type.split("/").pop() ?? null) : null,
		fields,
		extra,
	};
}

/**
 * `method path` with an optional JSON body. Never throws: a network failure is a `Problem` with
 * status 0. A 204 (or an empty body) answers `body: null`.
 */
export async function send<T = unknown>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
	let res: Response;
	try {
		res = await fetch(path, {
			method,
			credentials: "same-origin",
			headers: {
				Accept: "application/json",
				...(body === undefined ? {} : { "Content-Type": "application/json" }),
			},
			...(body === undefined ? {} : { body: JSON.stringify(body) }),
		});
	} catch {
		return { ok: false, status: 0, detail: UNREACHABLE, kind: null, fields: {}, extra: {} };
	}
	const text = await res.text().catch(() => "");
	let parsed: unknown = null;
	try {
		parsed = text === "" ? null : JSON.parse(text);
	} catch {
		parsed = null;
	}
	if (res.ok) return { ok: true, status: res.status, body: parsed as T };
	return { ok: false, ...problemOf(res.status, parsed) };
}
