/**
 * The seller portal suite's setup over the API (test/e2e/web-seller.e2e.test.ts): what a test
 * needs in place but is not about — a buyer who asked for access and made an offer, a sale paid
 * and held (./deals.ts makes the deals, and the onboarded seller). Each step that is not answered as it should be
 * throws; the waits poll the API, never sleep.
 */
import { contract } from "../../shared/contract/table.ts";
import { type Account, type E2eClient, expectStatus } from "./client.ts";
import { heldPayment } from "./deals.ts";

export { onboardedSeller } from "./deals.ts";

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

/** A sale of `seller`'s (onboarded) paid and held: a new listing, a new buyer's offer accepted, paid by card. */
export async function paidSale(
	client: E2eClient,
	stripeUrl: string | undefined,
	seller: Account,
	title: string,
	amount_cents: number,
) {
	const buyer = await client.register("buyer");
	const { listingId, offerId } = await heldPayment(client, stripeUrl, { seller, buyer }, title, amount_cents);
	return { listingId, offerId };
}

/** The seller's own listings as the API has them. */
export async function ownListings(client: E2eClient, seller: Account) {
	return expectStatus(await client.api.call(contract.listOwnListings, { token: seller.token }), 200, "listing own").body
		.items;
}
