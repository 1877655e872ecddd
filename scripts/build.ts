/** `npm run build`: the web app (`astro build`), then a production dry-run bundle of every Worker into dist/<worker>/. */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { deploySteps } from "./deploy-plan.ts";
import { buildWebApp } from "./web-app.ts";

// The web Worker's config and code are what `astro build` writes.
await buildWebApp({ force: true });
// Absolute: Wrangler resolves a relative --outdir against each config's folder.
for (const step of deploySteps) {
	execFileSync("wrangler", [...step.args, "--dry-run", "--outdir", resolve("dist", step.worker)], { stdio: "inherit" });
}
