/**
 * What the payment routes share: the caller as a payment party, the PaymentObject of a payment
 * (durable-objects/payment/, hosted by the dispatch Worker's script), the Stripe client, and
 * Stripe failures as problems. A Stripe error is never shown to the client: a refused request is
 * a 502 (our call was wrong or Stripe refused it), an unreachable Stripe a 503, the cause logged.
 */
import type { Context } from "hono";
import Stripe from "stripe";
import type { ApplyResult, PaymentObject, PaymentView } from "../../../durable-objects/payment/payment-object.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { stripeClient } from "../../../shared/stripe/client.ts";
import type { UserHono } from "../types.ts";

export type { ApplyResult, PaymentView };

/** The payment's object, one per payment id; the class lives in the dispatch Worker's script. */
export function paymentObject(c: Context<UserHono>, paymentId: string) {
	return (c.env.PaymentObject as unknown as DurableObjectNamespace<PaymentObject>).getByName(paymentId);
}

export interface Caller {
	tenantId: string;
	role: "seller" | "buyer" | "investor" | "admin";
	userId: string | null;
}

export function callerOf(c: Context<UserHono>): Caller {
	const { tenant } = c.var;
	if (!tenant.tenant_id) throw new HttpProblem({ reason: "unauthorized" });
	return { tenantId: tenant.tenant_id, role: tenant.role as Caller["role"], userId: tenant.user_id };
}

export function stripe(c: Context<UserHono>): Stripe {
	return stripeClient({ STRIPE_SECRET_KEY: c.env.STRIPE_SECRET_KEY, STRIPE_API_BASE: c.env.STRIPE_API_BASE });
}

/** Runs a Stripe call; its failure is a 502 or 503 problem (the cause logged, never shown). */
export async function viaStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (cause) {
		console.error(`stripe ${what} failed`, cause instanceof Error ? cause.message : cause);
		// Stripe down, unreachable or limiting us: worth a retry later (503); anything else 502.
		const unreachable =
			cause instanceof Stripe.errors.StripeConnectionError ||
			cause instanceof Stripe.errors.StripeAPIError ||
			cause instanceof Stripe.errors.StripeRateLimitError;
		throw new HttpProblem({ reason: unreachable ? "service_unavailable" : "bad_gateway" }, { cause });
	}
}

/** The platform's own origin, for the URLs Stripe sends the browser back to. */
export function platformOrigin(c: Context<UserHono>): string {
	const url = new URL(c.req.url);
	// A portal host (seller., buyer.) is the platform too; Stripe returns the browser to the apex.
	const host = url.host.replace(/^(seller|buyer|www)\./, "");
	return `${url.protocol}//${host}`;
}
