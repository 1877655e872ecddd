/**
 * Tenant isolation by construction: only the data layer (shared/data) may touch D1. A handler
 * that reaches for the binding or prepares SQL itself would bypass the tenant predicate, so this
 * test reads every user-Worker source file and fails on the first one that does.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const USER_WORKER = join(ROOT, "workers/user");
/** The single hand-over point: the middleware that builds the data layer from the verified context. */
const ALLOWED = new Set(["workers/user/tenant-context.ts"]);

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sources(path);
		return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") && !entry.name.includes(".test.") ? [path] : [];
	});
}

/** What bypassing the data layer looks like in code. */
const BYPASS = [/\.DB\b/, /\bprepare\s*\(/, /\bD1Database\b/, /\bdb\.batch\s*\(/, /\bexec\s*\(/];

describe("tenant isolation in the user Worker", () => {
	const files = sources(USER_WORKER).map((path) => relative(ROOT, path));

	it("finds the user Worker's handlers", () => {
		expect(files).toContain("workers/user/listings/routes.ts");
	});

	it.each(files.filter((file) => !ALLOWED.has(file)))("%s reaches D1 only through shared/data", (file) => {
		const text = readFileSync(join(ROOT, file), "utf8");
		for (const pattern of BYPASS) expect(text, `${file} matches ${pattern}`).not.toMatch(pattern);
	});

	it("recognises a bypass when it sees one", () => {
		const handler = 'const row = await c.env.DB.prepare("SELECT * FROM listings").first();';
		expect(BYPASS.some((pattern) => pattern.test(handler))).toBe(true);
	});
});
