/**
 * The local Stripe stand-in (stand-ins/stripe) for the workerd test projects, as a vitest
 * globalSetup (see ./local-stand-in.ts): the config reserves a free port (`reserveLocalStripe`)
 * and binds `STRIPE_API_BASE = http://127.0.0.1:<port>`; this setup then starts the stand-in on
 * it for that project, with the run's Stripe secrets, and provides its URL to the tests. It records
 * webhooks without sending them (no `webhookUrl`): workerd tests drive the object's moves
 * themselves; the e2e topology sends them for real.
 */
import type { TestProject } from "vitest/node";
import { startLocalStripe } from "../../stand-ins/stripe/server.ts";
import { reserveStandIn, startReservedStandIn } from "./local-stand-in.ts";

interface StripeSecrets {
	STRIPE_SECRET_KEY: string;
	STRIPE_WEBHOOK_SECRET: string;
}

/** A free port on 127.0.0.1, for one project's stand-in; `STRIPE_API_BASE` for its bindings. */
export async function reserveLocalStripe(
	project: string,
	secrets: StripeSecrets,
): Promise<{ STRIPE_API_BASE: string }> {
	return { STRIPE_API_BASE: await reserveStandIn("Stripe", project, secrets) };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const stripe = await startReservedStandIn("Stripe", project, (port, secrets: StripeSecrets) =>
		startLocalStripe({
			port,
			host: "127.0.0.1",
			secretKey: secrets.STRIPE_SECRET_KEY,
			webhookSecret: secrets.STRIPE_WEBHOOK_SECRET,
			achSettleDelayMs: null,
			log: () => {},
		}),
	);
	project.provide("localStripeUrl", stripe.url);
	return () => stripe.stop();
}

declare module "vitest" {
	interface ProvidedContext {
		localStripeUrl: string;
	}
}
