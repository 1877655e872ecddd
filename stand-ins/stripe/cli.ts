/**
 * `npm run stripe:local`: the local Stripe stand-in on http://localhost:12111 for manual use,
 * sending webhooks to the platform that `npm start` serves. The signing secret and API key come
 * from the environment, else from the `.dev.vars` that `npm start` generates, so the platform
 * verifies what this sends. Any `sk_test_…` key is accepted.
 *
 *   STRIPE_LOCAL_PORT   12111
 *   STRIPE_WEBHOOK_URL  http://localhost:8787/webhooks/stripe
 *   STRIPE_WEBHOOK_SECRET  (from .dev.vars)
 */
import { existsSync, readFileSync } from "node:fs";
import { parseDevVars } from "../../scripts/dev-vars.ts";
import { startLocalStripe } from "./server.ts";

const devVars = existsSync(".dev.vars") ? parseDevVars(readFileSync(".dev.vars", "utf8")) : new Map<string, string>();
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET || devVars.get("STRIPE_WEBHOOK_SECRET");
if (!webhookSecret) {
	console.error("No STRIPE_WEBHOOK_SECRET in the environment or .dev.vars (run `npm start` once to generate it).");
	process.exit(1);
}
const port = Number(process.env.STRIPE_LOCAL_PORT || 12111);
const webhookUrl = process.env.STRIPE_WEBHOOK_URL || `http://localhost:${process.env.PORT || 8787}/webhooks/stripe`;

const stripe = await startLocalStripe({ port, webhookUrl, webhookSecret, log: (message) => console.warn(message) });
console.log(`local Stripe on ${stripe.url}  (webhooks → ${webhookUrl})`);
console.log(`  API:       new Stripe(key, { host: "${stripe.host}", port: ${stripe.port}, protocol: "http" })`);
console.log(`  events:    curl ${stripe.url}/_test/events`);
console.log(`  test API:  POST ${stripe.url}/_test/checkout/sessions/<cs>/pay {"method":"card"|"bank"}`);

const stop = async () => {
	await stripe.stop();
	process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
