/**
 * Stripe's side, through the local Stripe stand-in's test API (`POST <stand-in>/_test/…`, as its
 * pages' buttons would): for the tests of both worlds, the e2e tests in Node and the user
 * Worker's in workerd, so it uses nothing beyond `fetch`.
 */
import { expect } from "vitest";

/** `POST {stripeUrl}/_test{path}` with `body` as JSON; asserts a 200 and returns its JSON body. */
export async function stripeTestApi(
	stripeUrl: string | undefined,
	path: string,
	body: unknown = {},
): Promise<Record<string, unknown>> {
	const response = await fetch(`${stripeUrl}/_test${path}`, {
		method: "POST",
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify(body),
	});
	const json = (await response.json()) as Record<string, unknown>;
	expect(response.status, JSON.stringify(json)).toBe(200);
	return json;
}

/** A checkout as `POST /api/v1/offers/{id}/checkout` answers it. */
export interface Checkout {
	payment_id: string;
	checkout_url: string;
	amount_cents: number;
	fee_cents: number;
	seller_payout_cents: number;
}

/** The Checkout Session's id: the last segment of the checkout's URL on the stand-in. */
export const sessionOf = (checkout: Checkout) => new URL(checkout.checkout_url).pathname.split("/").pop() ?? "";
