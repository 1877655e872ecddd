/**
 * The production deployment, one place: which Wrangler config goes where. `npm run build` runs it
 * as `--dry-run` (bundles and validates every Worker, no account needed); `npm run deploy` runs it
 * for real after applying D1 migrations to the production database.
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
	{ worker: "techflunky-dispatch", args: ["deploy", "-c", "wrangler.toml", "--env", "production"] },
];
