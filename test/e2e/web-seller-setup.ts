/**
 * The seller portal suite's setup over the API (test/e2e/web-seller.e2e.test.ts): what a test
 * needs in place but is not about — a seller onboarded at the local Stripe, a buyer who asked for
 * access and made an offer, a sale paid and held. Each step that is not answered as it should be
 * throws; the waits poll the API, never sleep.
 */
import { contract } from "../../shared/contract/table.ts";
import { sessionOf, stripeTestApi } from "../support/stripe-test-api.ts";
import { type Account, type E2eClient, expectStatus, waitFor } from "./client.ts";

/** A new seller whose Stripe account can receive transfers (`account.updated` recorded). */
export async function onboardedSeller(client: E2eClient, stripeUrl: string | undefined): Promise<Account> {
	const seller = await client.register("seller");
	const link = expectStatus(
		await client.api.call(contract.startSellerOnboarding, { token: seller.token }),
		200,
		"starting onboarding",
	);
	await stripeTestApi(stripeUrl, `/accounts/${link.body.account.account_id}/onboard`);
	await waitFor(async () => {
		const state = await client.api.call(contract.getSellerAccount, { token: seller.token });
		return state.status === 200 && state.body.can_receive_transfers ? true : undefined;
	});
	return seller;
}

/** A new buyer's pending access request (with `message`) and open offer on `listingId`. */
export async function interestedBuyer(client: E2eClient, listingId: string, amount_cents: number, message: string) {
	const buyer = await client.register("buyer");
	const request = expectStatus(
		await client.api.call(contract.createAccessRequest, {
			token: buyer.token,
			params: { id: listingId },
			body: { accept_nda: true, nda_version: 1, message },
		}),
		201,
		"asking for access",
	);
	const offer = expectStatus(
		await client.api.call(contract.createOffer, {
			token: buyer.token,
			params: { id: listingId },
			body: { amount_cents },
		}),
		201,
		"making an offer",
	);
	return { buyer, requestId: request.body.id, offerId: offer.body.id };
}

/** A sale of `seller`'s (onboarded) paid and held: a new listing, an offer accepted, checked out and paid by card. */
export async function paidSale(
	client: E2eClient,
	stripeUrl: string | undefined,
	seller: Account,
	title: string,
	amount_cents: number,
) {
	const listing = await client.listing(seller, { title });
	const buyer = await client.register("buyer");
	const offer = expectStatus(
		await client.api.call(contract.createOffer, {
			token: buyer.token,
			params: { id: listing.id },
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
	await waitFor(async () => {
		const res = await client.api.call(contract.getPayment, {
			token: seller.token,
			params: { id: checkout.body.payment_id },
		});
		return res.status === 200 && res.body.status === "paid" ? true : undefined;
	}, 20_000);
	return { listingId: listing.id, offerId: offer.body.id };
}

/** The seller's own listings as the API has them. */
export async function ownListings(client: E2eClient, seller: Account) {
	return expectStatus(await client.api.call(contract.listOwnListings, { token: seller.token }), 200, "listing own").body
		.items;
}
