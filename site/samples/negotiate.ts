/**
 * Negotiate over the WebSocket (the negotiation guide): the buyer opens a thread over REST, then
 * both parties join the room with `NegotiationClient` (shared/offers/client.ts: typed frames,
 * reconnects with backoff). The seller counters, the buyer accepts; every move carries the
 * thread's `version`, so a move made against a stale thread is refused with 409, not applied.
 */
import { NegotiationClient } from "../../shared/offers/client.ts";
import type { OfferView } from "../../shared/offers/protocol.ts";

export interface Parties {
	/** `http://localhost:8787`, or your deployment's origin. */
	baseUrl: string;
	buyerToken: string;
	sellerToken: string;
	listingId: string;
}

/** Resolves with the first state the room sends that matches `done`. */
function stateWhere(room: NegotiationClient, done: (offer: OfferView) => boolean): Promise<OfferView> {
	return new Promise((resolve, reject) => {
		if (room.latest && done(room.latest)) return resolve(room.latest);
		const stop = room.onState((offer) => {
			if (!done(offer)) return;
			stop();
			resolve(offer);
		});
		room.onError((error) => {
			if (error.kind === "server" || (error.kind === "connection" && !error.retrying)) reject(new Error(error.detail));
		});
	});
}

export async function negotiate({ baseUrl, buyerToken, sellerToken, listingId }: Parties): Promise<OfferView> {
	// 1. The buyer offers $400,000 over REST.
	const created = await fetch(`${baseUrl}/api/v1/listings/${listingId}/offers`, {
		method: "POST",
		headers: { Authorization: `Bearer ${buyerToken}`, "Content-Type": "application/json" },
		body: JSON.stringify({ amount_cents: 40_000_000 }),
	});
	if (created.status !== 201) throw new Error(`offer refused: ${created.status} ${await created.text()}`);
	const offer = (await created.json()) as OfferView;

	// 2. Both parties join the room; the first frame each gets is the thread's state.
	const host = new URL(baseUrl).host;
	const seller = new NegotiationClient({ host, offerId: offer.id, token: sellerToken, maxRetries: 3 });
	const buyer = new NegotiationClient({ host, offerId: offer.id, token: buyerToken, maxRetries: 3 });
	try {
		const opened = await stateWhere(seller, (state) => state.version === offer.version);

		// 3. The seller counters at $450,000 against the version it saw; the buyer's socket hears it.
		seller.counter(45_000_000, opened.version, "Meet me in the middle?");
		const countered = await stateWhere(buyer, (state) => state.version > opened.version);

		// 4. The buyer accepts the counter; the thread is accepted for both.
		buyer.accept(countered.version);
		return await stateWhere(seller, (state) => state.status === "accepted");
	} finally {
		seller.close();
		buyer.close();
	}
}
