/**
 * The production deployment, one place: which Wrangler config goes where. `npm run build` runs it
 * as `--dry-run` (bundles and validates every Worker, no account needed); `npm run deploy` runs it
 * for real after applying D1 migrations to the production database. Both build the web app and
 * the documentation site (`astro build` each) before the steps run.
 */
export const DISPATCH_NAMESPACE = "techflunky-tenants";

export interface DeployStep {
	worker: string;
	args: string[];
}

export const deploySteps: DeployStep[] = [
	// The user Worker first: the dispatch Worker routes to it as soon as it is live.
	{
		worker: "techflunky-user-worker",
		args: ["deploy", "-c", "workers/user/wrangler.toml", "--dispatch-namespace", DISPATCH_NAMESPACE],
	},
	{ worker: "techflunky-consumers", args: ["deploy", "-c", "workers/consumers/wrangler.toml"] },
	// The web app (web/, built by `astro build` first: buildWebApp in ./web-app.ts) before the
	// dispatch Worker, which forwards every page to it. Its generated config has no environments.
	{ worker: "techflunky-web", args: ["deploy", "-c", "web/dist/server/wrangler.json"] },
	// The documentation site (site/, static assets built by `astro build`: buildDocsSite in
	// ./docs-site.ts), before the dispatch Worker, which forwards docs.<ROOT_DOMAIN> to it.
	{ worker: "techflunky-docs", args: ["deploy", "-c", "site/wrangler.toml"] },
	{ worker: "techflunky-dispatch", args: ["deploy", "-c", "wrangler.toml", "--env", "production"] },
];
