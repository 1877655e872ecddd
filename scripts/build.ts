/** `npm run build`: the web app and the documentation site (`astro build` each), then a production dry-run bundle of every Worker into dist/<worker>/. */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { deploySteps } from "./deploy-plan.ts";
import { buildDocsSite } from "./docs-site.ts";
import { buildWebApp } from "./web-app.ts";

// The web Worker's config and code are what `astro build` writes.
await buildWebApp({ force: true });
// The documentation site's static files (site/dist), which its Worker's config serves as they are.
await buildDocsSite({ force: true });
// Absolute: Wrangler resolves a relative --outdir against each config's folder.
for (const step of deploySteps) {
	execFileSync("wrangler", [...step.args, "--dry-run", "--outdir", resolve("dist", step.worker)], { stdio: "inherit" });
}
