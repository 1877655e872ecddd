/**
 * The local Stripe stand-in (stand-ins/stripe) for the workerd test projects, as a vitest
 * globalSetup. Miniflare's bindings are fixed when the config is read, before any globalSetup
 * runs, so the config reserves a free port first (`reserveLocalStripe`), binds
 * `STRIPE_API_BASE = http://127.0.0.1:<port>` and names the port in the environment; this setup
 * then starts the stand-in on it for that project, with the run's Stripe secrets. It records
 * webhooks without sending them (no `webhookUrl`): workerd tests drive the object's moves
 * themselves; the e2e topology sends them for real.
 */
import { createServer } from "node:net";
import type { TestProject } from "vitest/node";
import { startLocalStripe } from "../../stand-ins/stripe/server.ts";

const envName = (project: string) => `TEST_LOCAL_STRIPE_${project.toUpperCase()}`;

/** A free port on 127.0.0.1, for one project's stand-in; `STRIPE_API_BASE` for its bindings. */
export async function reserveLocalStripe(
	project: string,
	secrets: { STRIPE_SECRET_KEY: string; STRIPE_WEBHOOK_SECRET: string },
): Promise<{ STRIPE_API_BASE: string }> {
	const port = await new Promise<number>((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			const found = typeof address === "object" && address ? address.port : 0;
			server.close(() => resolve(found));
		});
	});
	process.env[envName(project)] = JSON.stringify({ port, ...secrets });
	return { STRIPE_API_BASE: `http://127.0.0.1:${port}` };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const reserved = process.env[envName(project.name)];
	if (!reserved) throw new Error(`no local Stripe port reserved for project ${project.name}`);
	const { port, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET } = JSON.parse(reserved) as {
		port: number;
		STRIPE_SECRET_KEY: string;
		STRIPE_WEBHOOK_SECRET: string;
	};
	const stripe = await startLocalStripe({
		port,
		host: "127.0.0.1",
		secretKey: STRIPE_SECRET_KEY,
		webhookSecret: STRIPE_WEBHOOK_SECRET,
		achSettleDelayMs: null,
		log: () => {},
	});
	project.provide("localStripeUrl", stripe.url);
	return () => stripe.stop();
}

declare module "vitest" {
	interface ProvidedContext {
		localStripeUrl: string;
	}
}
