import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { END, referenceMarkdown, START, withReference } from "./reference-markdown.ts";
import { routeTable } from "./table.ts";

describe("the route reference in docs/api.md", () => {
	it("is what the contract says (run `npm run docs:api` after changing a route)", () => {
		const doc = readFileSync(resolve(import.meta.dirname, "../../docs/api.md"), "utf8");
		expect(withReference(doc)).toBe(doc);
	});

	it("names every route of the table once", () => {
		const markdown = referenceMarkdown();
		expect(markdown.startsWith(START) && markdown.endsWith(END)).toBe(true);
		for (const route of routeTable) {
			const row = `| \`${route.method.toUpperCase()} ${route.path}\``;
			expect(markdown.split(row).length - 1).toBe(1);
		}
	});
});
