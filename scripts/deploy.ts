/**
 * `npm run deploy`: production D1 migrations, the web app's and the docs site's builds, then every Worker (see deploy-plan.ts). Needs a
 * Cloudflare login (`wrangler login` or CLOUDFLARE_API_TOKEN) and the one-time setup in the README.
 */
import { execFileSync } from "node:child_process";
import { deploySteps } from "./deploy-plan.ts";
import { buildDocsSite } from "./docs-site.ts";
import { buildWebApp } from "./web-app.ts";

const run = (args: string[]) => execFileSync("wrangler", args, { stdio: "inherit" });

run(["d1", "migrations", "apply", "DB", "--remote", "-c", "wrangler.toml", "--env", "production"]);
await buildWebApp({ force: true });
await buildDocsSite({ force: true });
for (const step of deploySteps) run(step.args);
