/** `npm run docs:api`: writes the route reference of docs/api.md from the contract (shared/contract/reference-markdown.ts). */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { withReference } from "../shared/contract/reference-markdown.ts";

const path = resolve(import.meta.dirname, "../docs/api.md");
const before = readFileSync(path, "utf8");
const after = withReference(before);
writeFileSync(path, after);
console.log(after === before ? "docs/api.md is current" : "wrote the route reference of docs/api.md");
