/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with bracketed keys, as the
 * `stripe` SDK writes them — `metadata[deal]=d1`, `line_items[0][price_data][currency]=usd`,
 * `expand[0]=latest_charge` (and the `expand[]=` form curl users write). `parseForm` builds a tree
 * of strings; every index becomes an object key ("0", "1", …) because the form alone cannot tell
 * an array from a hash keyed "0" (metadata may have such keys): the validator turns the ones its
 * schema calls arrays into arrays. `encodeForm` is the SDK's encoder, for tests and pages.
 */

export type FormValue = string | FormTree;
export interface FormTree {
	[key: string]: FormValue;
}

/** The bracketed key `a[b][0]` split into its segments `["a", "b", "0"]`; `[]` is an empty segment. */
export function splitKey(key: string): string[] | null {
	const open = key.indexOf("[");
	if (open === -1) return [key];
	const segments = [key.slice(0, open)];
	const rest = key.slice(open);
	const pattern = /\[([^[\]]*)\]/gy;
	let consumed = 0;
	for (let match = pattern.exec(rest); match; match = pattern.exec(rest)) {
		segments.push(match[1] ?? "");
		consumed = pattern.lastIndex;
	}
	return consumed === rest.length && segments[0] !== "" ? segments : null;
}

function decode(part: string): string {
	return decodeURIComponent(part.replaceAll("+", " "));
}

/**
 * Parses a form body or query string. A malformed key (`a[b`, `[x]`) is kept whole as a
 * top-level name, so the validator reports it as an unknown parameter, as Stripe does.
 */
export function parseForm(text: string): FormTree {
	const root: FormTree = {};
	if (text === "") return root;
	for (const pair of text.split("&")) {
		if (pair === "") continue;
		const eq = pair.indexOf("=");
		const rawKey = decode(eq === -1 ? pair : pair.slice(0, eq));
		const value = eq === -1 ? "" : decode(pair.slice(eq + 1));
		const segments = splitKey(rawKey) ?? [rawKey];
		let node = root;
		for (let i = 0; i < segments.length; i++) {
			const last = i === segments.length - 1;
			let segment = segments[i] ?? "";
			if (segment === "" && i > 0) segment = String(Object.keys(node).length);
			if (last) {
				node[segment] = value;
				break;
			}
			const next = node[segment];
			if (typeof next === "object") node = next;
			else {
				const child: FormTree = {};
				node[segment] = child;
				node = child;
			}
		}
	}
	return root;
}

/** The SDK's encoding (`stringifyRequestData`): nested objects bracketed, arrays indexed. */
export function encodeForm(data: object): string {
	const pairs: string[] = [];
	const encode = (key: string, value: unknown): void => {
		if (value === undefined) return;
		if (value === null || typeof value !== "object") {
			pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(value === null ? "" : String(value))}`);
		} else if (Array.isArray(value)) {
			for (const [index, item] of value.entries()) encode(`${key}[${index}]`, item);
		} else {
			for (const [child, item] of Object.entries(value)) encode(`${key}[${child}]`, item);
		}
	};
	for (const [key, value] of Object.entries(data)) encode(key, value);
	return pairs.join("&").replaceAll("%5B", "[").replaceAll("%5D", "]");
}
