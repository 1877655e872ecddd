/**
 * Deals set up over the API for the browser suites (web-buyer, web-seller, web-room): a seller
 * onboarded at the local Stripe, and payments held in escrow, made the way a client and Stripe
 * make them (an offer accepted, a checkout paid on the stand-in, the webhook-confirmed status
 * awaited). None of it is what those tests are about, so it is the API's work, not the pages'.
 * Payments are polled as the seller (a party too), so a buyer's own rate-limit bucket pays only
 * for the offer and the checkout. `stripeUrl` is the topology's stand-in (`topology.stripe?.url`).
 */
import { contract } from "../../shared/contract/table.ts";
import { sessionOf, stripeTestApi } from "../support/stripe-test-api.ts";
import { type Account, type E2eClient, expectStatus, waitFor } from "./client.ts";

/** A new seller whose Stripe account can receive transfers (`account.updated` recorded). */
export async function onboardedSeller(client: E2eClient, stripeUrl: string | undefined): Promise<Account> {
	const account = await client.register("seller");
	const link = expectStatus(
		await client.api.call(contract.startSellerOnboarding, { token: account.token }),
		200,
		"starting onboarding",
	);
	await stripeTestApi(stripeUrl, `/accounts/${link.body.account.account_id}/onboard`);
	await waitFor(async () => {
		const state = await client.api.call(contract.getSellerAccount, { token: account.token });
		return state.status === 200 && state.body.can_receive_transfers ? true : undefined;
	});
	return account;
}

/** Waits until the payment is in `status`, as `seller` reads it. */
export function paymentIn(client: E2eClient, seller: Account, id: string, status: string) {
	return waitFor(async () => {
		await new Promise((resolve) => setTimeout(resolve, 250));
		const res = await client.api.call(contract.getPayment, { token: seller.token, params: { id } });
		return res.status === 200 && res.body.status === status ? res.body : undefined;
	}, 20_000);
}

/** A payment of `buyer`'s held in escrow, on a new listing of `seller`'s titled `title`. */
export async function heldPayment(
	client: E2eClient,
	stripeUrl: string | undefined,
	parties: { seller: Account; buyer: Account },
	title: string,
	amount_cents: number,
) {
	const { seller, buyer } = parties;
	const deal = await client.listing(seller, { title });
	const offer = expectStatus(
		await client.api.call(contract.createOffer, {
			token: buyer.token,
			params: { id: deal.id },
			body: { amount_cents },
		}),
		201,
		"making an offer",
	);
	expectStatus(
		await client.api.call(contract.acceptOffer, {
			token: seller.token,
			params: { id: offer.body.id },
			body: { version: offer.body.version },
		}),
		200,
		"accepting the offer",
	);
	const checkout = await client.api.call(contract.createCheckout, {
		token: buyer.token,
		params: { id: offer.body.id },
	});
	if (checkout.status !== 201) throw new Error(`checkout answered ${checkout.status}`);
	await stripeTestApi(stripeUrl, `/checkout/sessions/${sessionOf(checkout.body)}/pay`, { method: "card" });
	await paymentIn(client, seller, checkout.body.payment_id, "paid");
	return { paymentId: checkout.body.payment_id, offerId: offer.body.id, listingId: deal.id };
}
