/**
 * Verify a Stripe webhook (the webhooks guide), the way `POST /webhooks/stripe` does before it
 * reads a byte: the raw body, the `Stripe-Signature` header and the endpoint's signing secret
 * (`whsec_…`) into the Stripe SDK's `constructEventAsync` (Web Crypto, so it runs in a Worker
 * too). A forged, altered or older-than-five-minutes delivery throws; answer it with 400.
 */
import Stripe from "stripe";

export async function verifyStripeWebhook(request: Request, secret: string): Promise<Stripe.Event | null> {
	const signature = request.headers.get("Stripe-Signature");
	if (!signature) return null;
	const body = await request.text();
	try {
		return await Stripe.webhooks.constructEventAsync(body, signature, secret, 300);
	} catch {
		return null;
	}
}
