/**
 * `npm start`: local secrets, D1 migrations and demo data, then every Worker in one `wrangler dev`
 * (dispatch first, so it serves http://localhost:8787; the user and consumer Workers run beside
 * it with their service binding, cross-script Durable Objects and queues wired locally), and the
 * local Stripe stand-in (stand-ins/stripe) on 12111, which the Workers reach through
 * `STRIPE_API_BASE` (.dev.vars) and which signs its webhooks to `/webhooks/stripe` with the
 * `STRIPE_WEBHOOK_SECRET` of .dev.vars. Nothing here reaches the internet (./offline-env.ts); with
 * `STRIPE_API_BASE` pointed at real Stripe, the stand-in is not started.
 */
import { spawn } from "node:child_process";
import { startLocalStripe } from "../stand-ins/stripe/server.ts";
import { demoGuide } from "./demo-data.ts";
import { ensureDevVars, LOCAL_STRIPE_API_BASE, LOCAL_STRIPE_PORT } from "./dev-vars.ts";
import { DEFAULT_STATE_DIR } from "./local-d1.ts";
import { OFFLINE_WRANGLER_ENV } from "./offline-env.ts";
import { seedLocal } from "./seed.ts";

export const WORKER_CONFIGS = ["wrangler.toml", "workers/user/wrangler.toml", "workers/consumers/wrangler.toml"];

const port = process.env.PORT ?? "8787";

await seedLocal();
console.log(demoGuide(`http://localhost:${port}`));

const vars = ensureDevVars();
const localStripe = vars.get("STRIPE_API_BASE") === LOCAL_STRIPE_API_BASE ? await startStripe() : null;

/** The stand-in on its port; one already there (`npm run stripe:local`) is used as it is. */
async function startStripe() {
	try {
		const stripe = await startLocalStripe({
			port: LOCAL_STRIPE_PORT,
			host: "127.0.0.1",
			webhookUrl: `http://localhost:${port}/webhooks/stripe`,
			webhookSecret: vars.get("STRIPE_WEBHOOK_SECRET") ?? "",
			log: (message) => console.warn(message),
		});
		console.log(`local Stripe on ${stripe.url} (checkout and onboarding pages; webhooks → /webhooks/stripe)`);
		return stripe;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
		console.warn(`port ${LOCAL_STRIPE_PORT} is taken: using the local Stripe already running there`);
		return null;
	}
}

const dev = spawn(
	"wrangler",
	[
		"dev",
		...WORKER_CONFIGS.flatMap((config) => ["-c", config]),
		"--persist-to",
		DEFAULT_STATE_DIR,
		"--port",
		port,
		"--ip",
		"127.0.0.1",
		...process.argv.slice(2),
	],
	{ stdio: "inherit", env: { ...OFFLINE_WRANGLER_ENV, ...process.env } },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => dev.kill(signal));
dev.on("exit", async (code) => {
	await localStripe?.stop();
	process.exit(code ?? 0);
});
