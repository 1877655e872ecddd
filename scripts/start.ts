/**
 * `npm start`: local secrets, D1 migrations and demo data, then every Worker in one `wrangler dev`
 * (dispatch first, so it serves http://localhost:8787; the user and consumer Workers run beside
 * it with their service binding, cross-script Durable Objects and queues wired locally; the web
 * app, web/, built first when its sources changed, behind the dispatch Worker's `WEB`; the
 * documentation site, site/, likewise behind `DOCS` on http://docs.localhost:8787), and the
 * local Stripe stand-in (stand-ins/stripe) on 12111, which the Workers reach through
 * `STRIPE_API_BASE` (.dev.vars) and which signs its webhooks to `/webhooks/stripe` with the
 * `STRIPE_WEBHOOK_SECRET` of .dev.vars. Nothing here reaches the internet (./offline-env.ts); with
 * `STRIPE_API_BASE` pointed at real Stripe, the stand-in is not started. Likewise the local mail
 * stand-in (stand-ins/mail) on 8025, which the consumers Worker reaches through
 * `MAILERSEND_API_BASE` (.dev.vars); its inbox is http://localhost:8025/. The Workers' crons fire on
 * their schedule (./local-cron.ts; `TECHFLUNKY_CRONS=off` turns them off).
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { startLocalMail } from "../stand-ins/mail/server.ts";
import { startLocalStripe } from "../stand-ins/stripe/server.ts";
import { demoGuide } from "./demo-data.ts";
import {
	ensureDevVars,
	LOCAL_MAIL_API_BASE,
	LOCAL_MAIL_PORT,
	LOCAL_STRIPE_API_BASE,
	LOCAL_STRIPE_PORT,
} from "./dev-vars.ts";
import { buildDocsSite } from "./docs-site.ts";
import { localCronsEnabled, startLocalCron } from "./local-cron.ts";
import { DEFAULT_STATE_DIR } from "./local-d1.ts";
import { OFFLINE_WRANGLER_ENV } from "./offline-env.ts";
import { seedLocal } from "./seed.ts";
import { buildWebApp } from "./web-app.ts";

// The web app's config is the one `astro build` generates (./web-app.ts), built before the dev server starts.
export const WORKER_CONFIGS = [
	"wrangler.toml",
	"workers/user/wrangler.toml",
	"workers/consumers/wrangler.toml",
	"web/dist/server/wrangler.json",
	// The documentation site (site/, static assets; scripts/docs-site.ts builds it), on docs.localhost.
	"site/wrangler.toml",
];

const port = process.env.PORT ?? "8787";

await seedLocal();
console.log(demoGuide(`http://localhost:${port}`));

const vars = ensureDevVars();
const localStripe = vars.get("STRIPE_API_BASE") === LOCAL_STRIPE_API_BASE ? await startStripe() : null;
const localMail = vars.get("MAILERSEND_API_BASE") === LOCAL_MAIL_API_BASE ? await startMail() : null;

/** The mail stand-in on its port; one already there (`npm run mail:local`) is used as it is. */
async function startMail() {
	try {
		const mail = await startLocalMail({
			port: LOCAL_MAIL_PORT,
			host: "127.0.0.1",
			// The consumers Worker's key (.dev.vars); a stand-in without it would accept any key.
			...(vars.get("MAILERSEND_API_KEY") ? { apiKey: vars.get("MAILERSEND_API_KEY") } : {}),
			log: (message) => console.warn(message),
		});
		console.log(`local mail on ${mail.url} (inbox at /, JSON at /api/messages)`);
		return mail;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
		console.warn(`port ${LOCAL_MAIL_PORT} is taken: using the local mail stand-in already running there`);
		return null;
	}
}

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

await buildWebApp();
await buildDocsSite();
// The session's own dev registry, where ./local-cron.ts finds its Workers (not another session's).
const devRegistry = process.env.WRANGLER_REGISTRY_PATH ?? resolve(DEFAULT_STATE_DIR, "dev-registry");
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
	{ stdio: "inherit", env: { ...OFFLINE_WRANGLER_ENV, ...process.env, WRANGLER_REGISTRY_PATH: devRegistry } },
);
// The Workers' crons on their schedule (./local-cron.ts), once the dev server answers.
const crons = localCronsEnabled()
	? startLocalCron({ origin: `http://127.0.0.1:${port}`, registryPath: devRegistry, configs: WORKER_CONFIGS })
	: null;
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => dev.kill(signal));
dev.on("exit", async (code) => {
	await crons?.stop();
	await localStripe?.stop();
	await localMail?.stop();
	process.exit(code ?? 0);
});
