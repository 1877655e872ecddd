/**
 * A list page's reading of its URL and of the API's list answer, for every portal (buyer, admin):
 * the query's trimmed words, the `cursor` of a later page, one list answer read into its items
 * and `next_cursor` or the failure to show, and the links to the first and the next page. Paging
 * is forward only, by the API's opaque cursor, so every page has its own URL and works without
 * JavaScript.
 */
import { type Failure, failure, unavailable } from "./outcome.ts";

/** A query parameter's trimmed value, "" when absent. */
export function queryText(url: URL): (name: string) => string {
	return (name) => url.searchParams.get(name)?.trim() ?? "";
}

/** The `cursor` query parameter, when the visitor is on a later page. */
export function cursorOf(url: URL): string | undefined {
	const cursor = queryText(url)("cursor");
	return cursor ? cursor : undefined;
}

/** `url`'s page with `cursor` (the first page when null), its other query parameters kept. */
export function pageHref(url: URL, cursor: string | null): string {
	const params = new URLSearchParams(url.searchParams);
	if (cursor) params.set("cursor", cursor);
	else params.delete("cursor");
	const query = params.toString();
	return query ? `${url.pathname}?${query}` : url.pathname;
}

/** A list answer read into its page, or the failure to show; `"message" in x` tells them apart. */
export async function listPage<T>(
	call: Promise<{ status: number; body: unknown }>,
): Promise<{ items: T[]; next: string | null } | Failure> {
	const answer = await call.catch(unavailable);
	if ("message" in answer) return answer;
	if (answer.status === 200) {
		const body = answer.body as { items: T[]; next_cursor: string | null };
		return { items: body.items, next: body.next_cursor };
	}
	const detail = (answer.body as { detail?: string } | null)?.detail;
	// A cursor the API refuses (edited, or from another list) is this page's 400 with a way back.
	if (answer.status === 400)
		return { status: 400, message: "That page of the list does not exist. Start from the first page." };
	return failure(answer.status, detail);
}
