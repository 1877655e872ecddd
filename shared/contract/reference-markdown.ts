/**
 * The route reference of docs/api.md, written from the OpenAPI document (so from the route table)
 * rather than by hand: per tag, a table of routes with who may call them and what they answer,
 * then each route's description. `npm run docs:api` splices it between the file's markers, and a
 * test fails when the file is not what the contract says.
 */
import type { RouteConfig } from "@hono/zod-openapi";
import { policyOf } from "./policy.ts";
import { routeTable } from "./table.ts";

export const START = "<!-- api:routes:start -->";
export const END = "<!-- api:routes:end -->";

const BUCKETS = { none: "never limited", auth: "sign-in buckets", caller: "caller's bucket" } as const;
const BODIES = { none: "–", json: "JSON ≤ 1 MiB", upload: "file ≤ 25 MiB", raw: "raw ≤ 1 MiB" } as const;

const who = (allow: readonly string[]) =>
	allow.length === 5 ? "anyone" : allow.length === 4 && !allow.includes("guest") ? "signed in" : allow.join(", ");

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function routeLabel(route: RouteConfig): string {
	return `${route.method.toUpperCase()} ${route.path}`;
}

export function referenceMarkdown(): string {
	const byTag = new Map<string, RouteConfig[]>();
	for (const route of routeTable) {
		const tag = route.tags?.[0] ?? "Other";
		byTag.set(tag, [...(byTag.get(tag) ?? []), route]);
	}
	const out: string[] = [
		START,
		"",
		"Generated from the route table (what `GET /api/v1/openapi.json` is made from) by `npm run docs:api`; do not edit by hand.",
		"",
	];
	for (const [tag, routes] of byTag) {
		out.push(`### ${tag}`, "", "| route | who | limit | body | answers |", "|---|---|---|---|---|");
		for (const route of routes) {
			const policy = policyOf(route as Parameters<typeof policyOf>[0]);
			const answers = Object.keys(route.responses).join(", ");
			out.push(
				`| \`${routeLabel(route)}\` — ${cell(route.summary ?? "")} | ${who(policy.allow)}${policy.verifiedEmail ? ", e-mail verified" : ""}${policy.note ? ` (${cell(policy.note)})` : ""} | ${BUCKETS[policy.bucket]} | ${BODIES[policy.body]} | ${answers} |`,
			);
		}
		out.push("");
		for (const route of routes) {
			if (!route.description) continue;
			out.push(`- **\`${routeLabel(route)}\`** (\`${route.operationId}\`): ${route.description}`);
		}
		out.push("");
	}
	out.push(END);
	return out.join("\n");
}

/** `doc` with its marked block replaced by the current reference (appended when it has none). */
export function withReference(doc: string): string {
	const from = doc.indexOf(START);
	const to = doc.indexOf(END);
	const block = referenceMarkdown();
	return from >= 0 && to > from
		? `${doc.slice(0, from)}${block}${doc.slice(to + END.length)}`
		: `${doc.trimEnd()}\n\n${block}\n`;
}
