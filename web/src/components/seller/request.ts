/**
 * The seller islands' two ways to the API beyond `send()` (web/src/lib/browser-api.ts):
 *
 * - `sendForm`: a JSON write that keeps every field error with its full dotted path
 *   (`metrics.mrr_cents`, `confidential.website_url`), which the listing form places at the
 *   metric or detail it names; `send()` keeps only the first per top-level field.
 * - `upload`: a raw file `PUT` through `XMLHttpRequest`, whose `upload.onprogress` is the only
 *   way a browser reports how much of a request body has gone (`fetch` has no upload progress).
 *
 * Both are same-origin with the `__Host-session` cookie, so the browser's `Origin` meets the CSRF
 * rule and the page never holds a token; both read a refusal with the same `problemOf`, so a
 * problem reads the same in every island. Neither throws: a network failure is status 0.
 */
import { type Answer, type Problem, problemOf } from "../../lib/browser-api.ts";

export interface FieldError {
	field: string;
	message: string;
}

export type FormAnswer<T> = { ok: true; status: number; body: T } | ({ ok: false; errors: FieldError[] } & Problem);

const UNREACHABLE = "We could not reach TechFlunky. Check your connection and try again.";

function parse(text: string): unknown {
	try {
		return text === "" ? null : JSON.parse(text);
	} catch {
		return null;
	}
}

function errorsOf(body: unknown): FieldError[] {
	const errors = (body as { errors?: unknown } | null)?.errors;
	if (!Array.isArray(errors)) return [];
	return errors.filter(
		(error): error is FieldError => typeof error?.field === "string" && typeof error?.message === "string",
	);
}

export async function sendForm<T>(method: "POST" | "PATCH", path: string, body: unknown): Promise<FormAnswer<T>> {
	let res: Response;
	try {
		res = await fetch(path, {
			method,
			credentials: "same-origin",
			headers: { Accept: "application/json", "Content-Type": "application/json" },
			body: JSON.stringify(body),
		});
	} catch {
		return { ok: false, status: 0, detail: UNREACHABLE, kind: null, fields: {}, extra: {}, errors: [] };
	}
	const parsed = parse(await res.text().catch(() => ""));
	if (res.ok) return { ok: true, status: res.status, body: parsed as T };
	return { ok: false, ...problemOf(res.status, parsed), errors: errorsOf(parsed) };
}

/**
 * `PUT path` with `file` as the body and `contentType` as its type, reporting the fraction sent
 * (0–1) to `progress` as it goes. The answer is the API's, read like `send()`'s.
 */
export function upload<T>(
	path: string,
	file: Blob,
	contentType: string,
	progress: (fraction: number) => void,
): Promise<Answer<T>> {
	return new Promise((resolve) => {
		const xhr = new XMLHttpRequest();
		xhr.open("PUT", path);
		xhr.setRequestHeader("Content-Type", contentType);
		xhr.setRequestHeader("Accept", "application/json");
		xhr.upload.onprogress = (event) => {
			if (event.lengthComputable && event.total > 0) progress(event.loaded / event.total);
		};
		xhr.onload = () => {
			const parsed = parse(xhr.responseText);
			if (xhr.status >= 200 && xhr.status < 300) {
				progress(1);
				resolve({ ok: true, status: xhr.status, body: parsed as T });
			} else resolve({ ok: false, ...problemOf(xhr.status, parsed) });
		};
		xhr.onerror = () => resolve({ ok: false, status: 0, detail: UNREACHABLE, kind: null, fields: {}, extra: {} });
		xhr.onabort = xhr.onerror;
		xhr.send(file);
	});
}
