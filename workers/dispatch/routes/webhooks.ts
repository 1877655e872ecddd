/**
 * Stripe's webhook (`POST /webhooks/stripe`): the raw bytes are verified against
 * `Stripe-Signature` (shared/stripe/client.ts, 300 s tolerance, any of several `v1` signatures)
 * before anything is parsed or written; a failure is a 400 with no side effect. A verified event is
 * recorded by id in `stripe_events` (for good) and queued to `payment-events` once; the answer is
 * fast because the payments consumer does the work. If the queue refuses, 503: Stripe retries, and
 * the next delivery finds the event recorded but not queued, and queues it.
 */

import type { Context } from "hono";
import { type StripeEventMessage, stripeEventMessageSchema } from "../../../queues/payment-events.ts";
import { contractApp } from "../../../shared/contract/app.ts";
import { paymentsRoutes as r } from "../../../shared/contract/routes/payments.ts";
import { stripeEventLog } from "../../../shared/data/payment-records.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { verifyWebhook } from "../../../shared/stripe/client.ts";
import { noteSecurityEvent } from "../metrics/security.ts";
import type { DispatchHono } from "../types.ts";

/** A refused delivery, counted as a security event. */
const unverified = (c: Context<DispatchHono>) => {
	noteSecurityEvent(c, "webhook_rejected");
	return new HttpProblem({ reason: "bad_request", detail: "The webhook signature is not valid." });
};

export const webhooks = contractApp<DispatchHono>().openapi(r.stripeWebhook, async (c) => {
	const signature = c.req.header("Stripe-Signature");
	if (!signature) throw unverified(c);
	const payload = await c.req.text();
	let event: Awaited<ReturnType<typeof verifyWebhook>>;
	try {
		event = await verifyWebhook(payload, signature, c.env.STRIPE_WEBHOOK_SECRET);
	} catch (cause) {
		console.warn("stripe webhook refused", cause instanceof Error ? cause.message : cause);
		throw unverified(c);
	}
	const message = stripeEventMessageSchema.safeParse({
		kind: "stripe.event",
		id: event.id,
		type: event.type,
		created: event.created,
		account: event.account ?? null,
		object: event.data.object as unknown as Record<string, unknown>,
	} satisfies StripeEventMessage);
	if (!message.success) {
		console.warn("signed stripe event of an unexpected shape", event.id);
		throw unverified(c);
	}
	const log = stripeEventLog(c.env.DB);
	const at = new Date().toISOString();
	const { queued } = await log.receive(event.id, event.type, at);
	if (queued) return c.json({ received: true, duplicate: true } as const, 200);
	try {
		await c.env.PAYMENT_EVENTS.send(message.data, { contentType: "json" });
	} catch (cause) {
		throw new HttpProblem({ reason: "service_unavailable" }, { cause });
	}
	await log.markQueued(event.id, at);
	return c.json({ received: true, duplicate: false } as const, 200);
});
