/** `npm run build`: a production dry-run bundle of every Worker into dist/<worker>/. */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { deploySteps } from "./deploy-plan.ts";

// Absolute: Wrangler resolves a relative --outdir against each config's folder.
for (const step of deploySteps) {
	execFileSync("wrangler", [...step.args, "--dry-run", "--outdir", resolve("dist", step.worker)], { stdio: "inherit" });
}
