/**
 * The repository stands alone (issue 12): code comments and docs cite documents inside it
 * (docs/*.md, README.md, AGENTS.md), never the product spec or the style guide kept beside the
 * checkout. This test reads every file git knows of (tracked, and untracked unless ignored, so a
 * new file is checked before its first commit) and lists every line that cites one of them.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

/** Citations of documents outside the repository; spelled in pieces so this file does not cite them. */
const OUTSIDE = [`../shared/${"DESIGN"}.md`, `../shared/${"STYLE"}.md`, `${"DESIGN"} §`];

function repositoryFiles(): string[] {
	const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
		cwd: ROOT,
		encoding: "utf8",
	});
	const paths = new Set(listed.split("\0").filter((path) => path !== ""));
	return [...paths].filter((path) => {
		if (path.split("/").includes("node_modules")) return false;
		const absolute = join(ROOT, path);
		// A tracked file deleted in the working tree, or a submodule, has nothing to read.
		return existsSync(absolute) && statSync(absolute).isFile();
	});
}

/** `path:line: text` for every line of `text` that cites a document outside the repository. */
function citations(path: string, text: string): string[] {
	return text
		.split("\n")
		.flatMap((line, index) =>
			OUTSIDE.some((token) => line.includes(token)) ? [`${path}:${index + 1}: ${line.trim()}`] : [],
		);
}

describe("the repository stands alone", () => {
	const files = repositoryFiles();

	it("reads the repository's files", () => {
		expect(files).toEqual(expect.arrayContaining(["README.md", "AGENTS.md", "docs/architecture.md", "wrangler.toml"]));
	});

	it("cites no document outside the repository", () => {
		const found = files.flatMap((path) => {
			const bytes = readFileSync(join(ROOT, path));
			if (bytes.includes(0)) return []; // binary
			return citations(path, bytes.toString("utf8"));
		});
		expect(found).toEqual([]);
	});

	it("recognises each kind of citation", () => {
		const lines = [
			"Read `../shared/" + "DESIGN.md` first.",
			"see ../shared/" + "STYLE.md",
			"// the limits of DESIGN" + " §3",
			"// the limits of docs/api.md (Identity, tenancy and limits)",
		];
		expect(citations("x.ts", lines.join("\n"))).toEqual([
			`x.ts:1: ${lines[0]}`,
			`x.ts:2: ${lines[1]}`,
			`x.ts:3: ${lines[2]}`,
		]);
	});
});
