/**
 * The one way the platform reaches Stripe: the official SDK over `fetch` (Workers have no Node
 * http), pointed at `STRIPE_API_BASE` — `https://api.stripe.com` in production, the local stand-in
 * (stand-ins/stripe, `http://127.0.0.1:12111`) locally and in tests — so production code is the
 * same either way. Every call that creates something passes an idempotency key.
 */
import Stripe from "stripe";

export interface StripeConfig {
	STRIPE_SECRET_KEY: string;
	/** Base URL of the Stripe API: scheme, host and optional port; empty means Stripe itself. */
	STRIPE_API_BASE: string;
}

let cached: { key: string; base: string; client: Stripe } | undefined;

/** A client for `config`, made once per isolate and configuration. */
export function stripeClient(config: StripeConfig): Stripe {
	if (cached && cached.key === config.STRIPE_SECRET_KEY && cached.base === config.STRIPE_API_BASE) return cached.client;
	const base = new URL(config.STRIPE_API_BASE || "https://api.stripe.com");
	const protocol = base.protocol === "http:" ? "http" : "https";
	const client = new Stripe(config.STRIPE_SECRET_KEY, {
		httpClient: Stripe.createFetchHttpClient(),
		host: base.hostname,
		protocol,
		...(base.port ? { port: Number(base.port) } : {}),
		maxNetworkRetries: 2,
		timeout: 20_000,
		telemetry: false,
	});
	cached = { key: config.STRIPE_SECRET_KEY, base: config.STRIPE_API_BASE, client };
	return client;
}

/** Verifies a webhook's raw bytes against `Stripe-Signature` (300 s tolerance) and returns the event, or throws. */
export function verifyWebhook(
	payload: string,
	signature: string,
	secret: string,
	nowSeconds?: number,
): Promise<Stripe.Event> {
	return Stripe.webhooks.constructEventAsync(
		payload,
		signature,
		secret,
		300,
		Stripe.createSubtleCryptoProvider(),
		nowSeconds,
	);
}
