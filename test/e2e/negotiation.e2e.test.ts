/**
 * Offer threads end to end, the way the web app and an API client see them: REST on
 * `/api/v1/…/offers` and the negotiation WebSocket through the NegotiationClient, against the
 * whole local topology (dispatch → user Worker → NegotiationRoom → offer-events queue →
 * consumer → timeline). REST and the socket drive one state machine, so a move made on one is
 * seen on the other, and a move refused on one is refused on the other with the same status and
 * detail; REST answers fit the schemas the contract declares (shared/contract/routes/offers.ts).
 *
 * One topology for the file. Every test opens its own listing and thread; accounts are made
 * through the API from fresh client IPs, and their tokens are reused (sign-in is rate-limited).
 */
import { describe, expect, it } from "vitest";
import { type ContractRoute, responseSchema } from "../../shared/contract/policy.ts";
import { offersRoutes as r } from "../../shared/contract/routes/offers.ts";
import { type ChatMessage, NegotiationClient, type NegotiationError } from "../../shared/offers/client.ts";
import { MAX_FRAME_BYTES, type OfferView } from "../../shared/offers/protocol.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import {
	type Account,
	answerOf,
	type E2eClient,
	topologyForFile,
	upgradeStatus,
	waitFor,
	webSocketAs,
} from "./client.ts";

let topology: Topology;
let client: E2eClient;
/** Sockets opened by the running test, closed after it. */
const sockets: NegotiationClient[] = [];

topologyForFile({ secrets: testSecrets(), sockets }, (file) => ({ topology, client } = file));

interface Problem {
	status: number;
	detail?: string;
	offer_id?: string;
}

interface OfferList {
	items: OfferView[];
	next_cursor: string | null;
}

interface Timeline {
	events: { type: string; version: number; amount_cents: number; actor_tenant_id: string | null }[];
	deal: { status: string; version: number; final_amount_cents: number | null; amount_cents: number } | null;
}

/** Calls the API as `account` and returns the status and the parsed body. */
const api = <T = unknown>(account: Account | null, path: string, json?: unknown, method?: string) =>
	answerOf<T>(client, account, path, json, method);

async function createListing(seller: Account, publish = true): Promise<string> {
	const created = await api<{ id: string; status: string }>(seller, "/api/v1/listings", {
		title: "Invoice automation SaaS",
		summary: "Profitable B2B invoicing tool",
		description: "Ten years of steady growth, 400 paying customers.",
		category: "saas",
		asking_price_cents: 25_000_000,
	});
	expect(created.status).toBe(201);
	if (publish) {
		const published = await api<{ status: string }>(seller, `/api/v1/listings/${created.body.id}/publish`, {});
		expect(published.status).toBe(200);
		expect(published.body.status).toBe("active");
	}
	return created.body.id;
}

async function makeOffer(buyer: Account, listingId: string, amount_cents = 20_000_000): Promise<OfferView> {
	const res = await api<OfferView>(buyer, `/api/v1/listings/${listingId}/offers`, { amount_cents });
	expect(res.status).toBe(201);
	return res.body;
}

/** A seller, a buyer and an outsider, each a fresh account, and a thread between the first two. */
async function negotiation() {
	const [seller, buyer, stranger] = await Promise.all([
		client.register("seller"),
		client.register("buyer"),
		client.register("buyer"),
	]);
	const listingId = await createListing(seller);
	const offer = await makeOffer(buyer, listingId);
	return { seller, buyer, stranger, listingId, offer };
}

/** A party's socket, with every frame it receives recorded in order. */
function connect(account: Account | null, offerId: string, options: { maxRetries?: number } = {}) {
	const room = new NegotiationClient({
		host: `127.0.0.1:${topology.url.port}`,
		offerId,
		...(account ? { token: account.token } : {}),
		WebSocket: webSocketAs(),
		...options,
	});
	sockets.push(room);
	const states: OfferView[] = [];
	const chats: ChatMessage[] = [];
	const errors: NegotiationError[] = [];
	room.onState((state) => states.push(state));
	room.onChat((chat) => chats.push(chat));
	room.onError((error) => errors.push(error));
	const until = <T>(list: T[], match: (item: T) => boolean, timeoutMs = 5_000) =>
		waitFor(async () => list.find(match), timeoutMs);
	return {
		room,
		states,
		chats,
		errors,
		state: (match: (state: OfferView) => boolean) => until(states, match),
		chat: (match: (chat: ChatMessage) => boolean) => until(chats, match),
		error: (match: (error: NegotiationError) => boolean) => until(errors, match),
	};
}

describe("offers over REST", () => {
	it("opens a pending thread at version 1 on an active listing", async () => {
		const [seller, buyer] = await Promise.all([client.register("seller"), client.register("buyer")]);
		const listingId = await createListing(seller);
		const before = Date.now();
		const res = await api<OfferView>(buyer, `/api/v1/listings/${listingId}/offers`, {
			amount_cents: 19_500_000,
			message: "Can close within a month.",
		});
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({
			id: expect.stringMatching(/^off_[0-9a-f]{32}$/),
			listing_id: listingId,
			buyer_tenant_id: buyer.tenant.id,
			seller_tenant_id: seller.tenant.id,
			amount_cents: 19_500_000,
			status: "pending",
			version: 1,
		});
		// Pending proposals lapse after 72 hours.
		const expires = Date.parse(res.body.expires_at ?? "");
		expect(expires - before).toBeGreaterThanOrEqual(72 * 3600_000 - 1000);
		expect(expires - Date.now()).toBeLessThanOrEqual(72 * 3600_000);
	});

	it("closes a thread it could not register, so no open thread is left where nobody can reach it", async () => {
		const [seller, buyer] = await Promise.all([client.register("seller"), client.register("buyer")]);
		const listingId = await createListing(seller);
		const db = await topology.db();
		// The registry insert fails once the room has opened the thread and queued offer.created.
		await db
			.prepare(
				`CREATE TRIGGER e2e_refuse_offer BEFORE INSERT ON offers WHEN NEW.listing_id = '${listingId}'
				 BEGIN SELECT RAISE(ABORT, 'refused by the e2e test'); END`,
			)
			.run();
		try {
			const refused = await api<Problem>(buyer, `/api/v1/listings/${listingId}/offers`, { amount_cents: 20_000_000 });
			expect(refused.status).toBe(500);
		} finally {
			await db.prepare("DROP TRIGGER e2e_refuse_offer").run();
		}
		const events = await waitFor(async () => {
			const { results } = await db
				.prepare("SELECT type, version FROM offer_events WHERE listing_id = ? ORDER BY version")
				.bind(listingId)
				.all<{ type: string; version: number }>();
			return results.length >= 2 ? results : undefined;
		}, 10_000);
		expect(events).toEqual([
			{ type: "offer.created", version: 1 },
			{ type: "offer.withdrawn", version: 2 },
		]);
		expect(await db.prepare("SELECT status FROM deals WHERE listing_id = ?").bind(listingId).first("status")).toBe(
			"withdrawn",
		);
		const listed = await api<OfferList>(buyer, "/api/v1/offers");
		expect(listed.body.items.filter((item) => item.listing_id === listingId)).toEqual([]);
		expect((await api(buyer, `/api/v1/listings/${listingId}/offers`, { amount_cents: 20_000_000 })).status).toBe(201);
	});

	it("lets the buyer withdraw with no body at all, and refuses the seller", async () => {
		const { seller, buyer, offer } = await negotiation();
		const bySeller = await client.call(`/api/v1/offers/${offer.id}/withdraw`, { method: "POST", token: seller.token });
		expect(bySeller.status).toBe(403);
		const res = await client.call(`/api/v1/offers/${offer.id}/withdraw`, { method: "POST", token: buyer.token });
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ status: "withdrawn", version: 2 });
		const malformed = await client.call(`/api/v1/offers/${offer.id}/withdraw`, {
			method: "POST",
			token: buyer.token,
			body: "not json",
			headers: { "Content-Type": "application/json" },
		});
		expect(malformed.status).toBe(400);
	});

	it("refuses an offer from the listing's own seller", async () => {
		const seller = await client.register("seller");
		const listingId = await createListing(seller);
		const res = await api<Problem>(seller, `/api/v1/listings/${listingId}/offers`, { amount_cents: 1_000 });
		// Offers are a buyer's or investor's route (the access matrix), so the seller never reaches
		// the handler's own-listing check (409): the role alone refuses it.
		expect(res.status).toBe(403);
		const offers = await api<OfferList>(seller, "/api/v1/offers");
		expect(offers.body.items).toEqual([]);
	});

	it("answers 404 for an offer on a draft listing", async () => {
		const [seller, buyer] = await Promise.all([client.register("seller"), client.register("buyer")]);
		const draftId = await createListing(seller, false);
		const res = await api<Problem>(buyer, `/api/v1/listings/${draftId}/offers`, { amount_cents: 1_000 });
		expect(res.status).toBe(404);
	});

	it("lists a thread for its buyer and seller, and not for anyone else", async () => {
		const { seller, buyer, stranger, offer } = await negotiation();
		const [forBuyer, forSeller, forStranger] = await Promise.all([
			api<OfferList>(buyer, "/api/v1/offers"),
			api<OfferList>(seller, "/api/v1/offers"),
			api<OfferList>(stranger, "/api/v1/offers"),
		]);
		expect(forBuyer.status).toBe(200);
		expect(forBuyer.body.items.map((item) => item.id)).toEqual([offer.id]);
		expect(forSeller.status).toBe(200);
		expect(forSeller.body.items.map((item) => item.id)).toEqual([offer.id]);
		expect(forStranger.status).toBe(200);
		expect(forStranger.body.items).toEqual([]);
	});

	it("shows a thread with its history to a party and answers 404 to anyone else", async () => {
		const { buyer, stranger, offer } = await negotiation();
		const mine = await api<OfferView>(buyer, `/api/v1/offers/${offer.id}`);
		expect(mine.status).toBe(200);
		expect(mine.body.history).toEqual([
			expect.objectContaining({
				version: 1,
				action: "created",
				actor_tenant_id: buyer.tenant.id,
				amount_cents: offer.amount_cents,
			}),
		]);
		const theirs = await api<Problem>(stranger, `/api/v1/offers/${offer.id}`);
		expect(theirs.status).toBe(404);
	});
});

describe("the negotiation socket", () => {
	it("sends each party the thread's state on connect and shows who is online", async () => {
		const { seller, buyer, offer } = await negotiation();
		const buyerSocket = connect(buyer, offer.id);
		const first = await buyerSocket.state(() => true);
		expect(first).toMatchObject({ id: offer.id, status: "pending", version: 1, amount_cents: offer.amount_cents });
		const sellerSocket = connect(seller, offer.id);
		await sellerSocket.state((state) => state.id === offer.id);
		const both = (state: OfferView) =>
			[buyer.tenant.id, seller.tenant.id].every((tenant) => state.online?.includes(tenant));
		await buyerSocket.state(both);
		await sellerSocket.state(both);
		expect(buyerSocket.room.socket.readyState).toBe(WebSocket.OPEN);

		// When a party leaves, the others hear it.
		const seen = buyerSocket.states.length;
		sellerSocket.room.close();
		const after = await buyerSocket.state(
			(state) => buyerSocket.states.indexOf(state) >= seen && !state.online?.includes(seller.tenant.id),
		);
		expect(after.online).toEqual([buyer.tenant.id]);
	});

	it("refuses the handshake of an outsider (404) and of an anonymous caller (401)", async () => {
		const { buyer, stranger, offer } = await negotiation();
		const path = `/parties/negotiation-room/${offer.id}`;
		const { port } = topology.url;
		expect(await upgradeStatus(port, `${path}?token=${stranger.token}`)).toBe(404);
		expect(await upgradeStatus(port, path)).toBe(401);
		expect(await upgradeStatus(port, `${path}?token=${buyer.token}`)).toBe(101);

		// Through the client: the socket fails, and no state ever arrives.
		const outsider = connect(stranger, offer.id, { maxRetries: 0 });
		const anonymous = connect(null, offer.id, { maxRetries: 0 });
		await outsider.error((error) => error.kind === "connection");
		await anonymous.error((error) => error.kind === "connection");
		// A party's socket, opened after them, does get its state: the refusals were not a fluke of timing.
		await connect(buyer, offer.id).state(() => true);
		expect(outsider.states).toEqual([]);
		expect(anonymous.states).toEqual([]);
		expect(outsider.room.socket.readyState).not.toBe(WebSocket.OPEN);
	});

	it("relays a counter sent over the socket to the other party", async () => {
		const { seller, buyer, offer } = await negotiation();
		const [buyerSide, sellerSide] = await connected(offer.id, buyer, seller);
		expect(sellerSide.room.counter(22_000_000, 1, "Meet me in the middle?")).toBe(true);
		const countered = await buyerSide.state((state) => state.version === 2);
		expect(countered).toMatchObject({ status: "countered", amount_cents: 22_000_000, last_proposer: "seller" });
		await sellerSide.state((state) => state.version === 2);
		expect(sellerSide.room.latest).toMatchObject({ version: 2, status: "countered" });
		const rest = await api<OfferView>(buyer, `/api/v1/offers/${offer.id}`);
		expect(rest.body).toMatchObject({ version: 2, status: "countered", amount_cents: 22_000_000 });
		expect(rest.body.history?.at(-1)).toMatchObject({
			version: 2,
			action: "countered",
			actor_tenant_id: seller.tenant.id,
			message: "Meet me in the middle?",
		});
	});

	it("tells both sockets when the thread is accepted over REST", async () => {
		const { seller, buyer, offer } = await negotiation();
		const [buyerSide, sellerSide] = await connected(offer.id, buyer, seller);
		sellerSide.room.counter(21_000_000, 1);
		await buyerSide.state((state) => state.version === 2);
		const accepted = await api<OfferView>(buyer, `/api/v1/offers/${offer.id}/accept`, { version: 2 });
		expect(accepted.status).toBe(200);
		expect(accepted.body).toMatchObject({ status: "accepted", version: 3, amount_cents: 21_000_000 });
		for (const side of [buyerSide, sellerSide]) {
			expect(await side.state((state) => state.version === 3)).toMatchObject({
				status: "accepted",
				amount_cents: 21_000_000,
			});
		}
	});

	it("relays a chat line to both parties", async () => {
		const { seller, buyer, offer } = await negotiation();
		const [buyerSide, sellerSide] = await connected(offer.id, buyer, seller);
		expect(buyerSide.room.chat("Is the codebase on GitHub?")).toBe(true);
		for (const side of [sellerSide, buyerSide]) {
			expect(await side.chat((chat) => chat.text === "Is the codebase on GitHub?")).toMatchObject({
				from_tenant_id: buyer.tenant.id,
				at: expect.any(String),
			});
		}
	});

	it("answers malformed frames with an error to the sender alone and keeps its socket open", async () => {
		const { seller, buyer, offer } = await negotiation();
		const [buyerSide, sellerSide] = await connected(offer.id, buyer, seller);
		const raw = buyerSide.room.socket;
		raw.send("{not json");
		raw.send(JSON.stringify({ type: "bid", amount_cents: 5 }));
		raw.send(JSON.stringify({ type: "counter", amount_cents: 5, version: 1, admin: true }));
		raw.send(JSON.stringify({ type: "chat", text: "x".repeat(MAX_FRAME_BYTES + 1) }));
		await waitFor(async () => (buyerSide.errors.length >= 4 ? true : undefined), 5_000);
		expect(buyerSide.errors).toEqual([
			expect.objectContaining({ kind: "server", status: 400 }),
			expect.objectContaining({ kind: "server", status: 400 }),
			expect.objectContaining({ kind: "server", status: 400 }),
			expect.objectContaining({ kind: "server", status: 413 }),
		]);

		// The client checks its own frames: an invalid move is reported and never sent.
		expect(buyerSide.room.counter(-5, 1)).toBe(false);
		expect(buyerSide.errors.at(-1)).toMatchObject({ kind: "invalid_frame" });

		// The socket still works, and the other party heard none of it: the frames the room sends
		// after the errors arrive, and the errors never did.
		expect(buyerSide.room.chat("still here")).toBe(true);
		await sellerSide.chat((chat) => chat.text === "still here");
		await buyerSide.chat((chat) => chat.text === "still here");
		expect(sellerSide.errors).toEqual([]);
		expect(buyerSide.room.socket.readyState).toBe(WebSocket.OPEN);
		const rest = await api<OfferView>(buyer, `/api/v1/offers/${offer.id}`);
		expect(rest.body).toMatchObject({ version: 1, status: "pending", amount_cents: offer.amount_cents });
	});

	it("answers a counter with a stale version with a 409 error frame", async () => {
		const { seller, buyer, offer } = await negotiation();
		const [buyerSide] = await connected(offer.id, buyer);
		const countered = await api<OfferView>(seller, `/api/v1/offers/${offer.id}/counter`, {
			amount_cents: 23_000_000,
			version: 1,
		});
		expect(countered.status).toBe(200);
		await buyerSide.state((state) => state.version === 2);
		buyerSide.room.counter(20_500_000, 1);
		expect(await buyerSide.error((error) => error.kind === "server")).toMatchObject({ status: 409 });
		const rest = await api<OfferView>(buyer, `/api/v1/offers/${offer.id}`);
		expect(rest.body).toMatchObject({ version: 2, amount_cents: 23_000_000, status: "countered" });
	});
});

describe("a socket whose session has ended", () => {
	// The session is revoked at once (docs/api.md, logout): that must reach a socket opened with it,
	// or a signed-out device keeps negotiating, accepting included. Closing the socket or
	// answering its frames with an error both satisfy this test.
	it("cannot move the thread after its session is signed out", async () => {
		const { seller, buyer, offer, listingId } = await negotiation();
		const [buyerSide, sellerSide] = await connected(offer.id, buyer, seller);
		sellerSide.room.counter(22_000_000, 1);
		await buyerSide.state((state) => state.version === 2);

		expect((await api(buyer, "/api/v1/auth/logout", {})).status).toBe(204);
		expect((await api(buyer, `/api/v1/offers/${offer.id}`)).status).toBe(401);
		buyerSide.room.accept(2);
		// Whatever answer comes (an error frame, a closed socket, or a state frame), it comes within this.
		await waitFor(
			async () =>
				buyerSide.errors.length > 0 || sellerSide.states.some((state) => state.version > 2) ? true : undefined,
			2_000,
		).catch(() => undefined);

		const rest = await api<OfferView>(seller, `/api/v1/offers/${offer.id}`);
		expect(rest.body).toMatchObject({ version: 2, status: "countered" });
		expect((await api<{ status: string }>(seller, `/api/v1/listings/${listingId}`)).body.status).toBe("active");
	});
});

describe("concurrency and competing threads", () => {
	it("lets exactly one of ten simultaneous accepts through", async () => {
		const { seller, offer, listingId } = await negotiation();
		const results = await Promise.all(
			Array.from({ length: 10 }, () => api(seller, `/api/v1/offers/${offer.id}/accept`, { version: 1 })),
		);
		const counts: Record<number, number> = {};
		for (const { status } of results) counts[status] = (counts[status] ?? 0) + 1;
		expect(counts).toEqual({ 200: 1, 409: 9 });
		const rest = await api<OfferView>(seller, `/api/v1/offers/${offer.id}`);
		expect(rest.body).toMatchObject({ status: "accepted", version: 2 });
		expect(rest.body.history?.filter((entry) => entry.action === "accepted")).toHaveLength(1);
		const listing = await api<{ status: string }>(seller, `/api/v1/listings/${listingId}`);
		expect(listing.body.status).toBe("under_offer");
	});

	it("holds a competing thread while another is accepted, and releases it when the seller re-opens", async () => {
		const [seller, first, second, latecomer] = await Promise.all([
			client.register("seller"),
			client.register("buyer"),
			client.register("investor"),
			client.register("buyer"),
		]);
		const listingId = await createListing(seller);
		const accepted = await makeOffer(first, listingId, 21_000_000);
		const competing = await makeOffer(second, listingId, 20_000_000);
		const [secondSide] = await connected(competing.id, second);

		const accept = await api<OfferView>(seller, `/api/v1/offers/${accepted.id}/accept`, { version: 1 });
		expect(accept.status).toBe(200);
		const listing = await api<{ status: string }>(seller, `/api/v1/listings/${listingId}`);
		expect(listing.body.status).toBe("under_offer");
		const held = await secondSide.state((state) => state.on_hold);
		// A held proposal does not lapse while the listing is taken.
		expect(held).toMatchObject({ id: competing.id, status: "pending", expires_at: null });
		expect((await api<OfferView>(second, `/api/v1/offers/${competing.id}`)).body.on_hold).toBe(true);
		// The listing is taken: the held thread cannot be accepted, and no new thread can open.
		expect((await api(seller, `/api/v1/offers/${competing.id}/accept`, { version: held.version })).status).toBe(409);
		expect((await api(latecomer, `/api/v1/listings/${listingId}/offers`, { amount_cents: 30_000_000 })).status).toBe(
			409,
		);

		const reopened = await api<{ status: string; cancelled_offer_ids: string[] }>(
			seller,
			`/api/v1/listings/${listingId}/reopen`,
			{},
		);
		expect(reopened.status).toBe(200);
		expect(reopened.body).toMatchObject({ status: "active", cancelled_offer_ids: [accepted.id] });
		expect((await api<OfferView>(first, `/api/v1/offers/${accepted.id}`)).body.status).toBe("cancelled");
		const released = await secondSide.state((state) => state.version > held.version && !state.on_hold);
		expect(released).toMatchObject({ status: "pending", on_hold: false, expires_at: expect.any(String) });
		expect((await api<{ status: string }>(seller, `/api/v1/listings/${listingId}`)).body.status).toBe("active");
		// Released means open again: the seller may now accept the other thread.
		const second_accept = await api<OfferView>(seller, `/api/v1/offers/${competing.id}/accept`, {
			version: released.version,
		});
		expect(second_accept.status).toBe(200);
	});
});

describe("one open thread per buyer per listing", () => {
	const offerOn = (buyer: Account, listingId: string, amount_cents = 20_000_000) =>
		api<OfferView>(buyer, `/api/v1/listings/${listingId}/offers`, { amount_cents });

	function expectOpen(answer: { status: number; body: unknown }, offerId: string) {
		expect(answer.status).toBe(409);
		expect(answer.body).toMatchObject({
			detail: expect.stringMatching(/already have an open offer/),
			offer_id: offerId,
		});
	}

	it("answers a buyer's second offer with 409 naming the open thread, and lets it offer again once it withdraws", async () => {
		const { buyer, listingId, offer } = await negotiation();
		const again = await client.call(`/api/v1/listings/${listingId}/offers`, {
			token: buyer.token,
			json: { amount_cents: 21_000_000 },
		});
		expect(again.headers.get("content-type")).toBe("application/problem+json");
		expectOpen({ status: again.status, body: (await again.json()) as Problem }, offer.id);
		// Another buyer on the same listing is not held back.
		await makeOffer(await client.register("investor"), listingId);

		expect((await api(buyer, `/api/v1/offers/${offer.id}/withdraw`, {})).status).toBe(200);
		const next = await offerOn(buyer, listingId, 21_000_000);
		expect(next.status).toBe(201);
		expect(next.body).toMatchObject({ status: "pending", version: 1, amount_cents: 21_000_000 });
		const mine = await api<OfferList>(buyer, "/api/v1/offers");
		expect(mine.body.items.map((item) => [item.id, item.status])).toEqual([
			[next.body.id, "pending"],
			[offer.id, "withdrawn"],
		]);
	});

	it("lets the buyer offer again after the seller rejects", async () => {
		const { seller, buyer, listingId, offer } = await negotiation();
		expect((await api(seller, `/api/v1/offers/${offer.id}/reject`, { version: 1 })).status).toBe(200);
		expect((await offerOn(buyer, listingId)).status).toBe(201);
	});

	it("opens one thread of two simultaneous offers by the same buyer and names it to the other", async () => {
		const [seller, buyer] = await Promise.all([client.register("seller"), client.register("buyer")]);
		const listingId = await createListing(seller);
		const answers = await Promise.all([offerOn(buyer, listingId, 20_000_000), offerOn(buyer, listingId, 20_500_000)]);
		expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
		const winner = answers.find((answer) => answer.status === 201);
		const loser = answers.find((answer) => answer.status === 409);
		if (!winner || !loser) throw new Error("expected one 201 and one 409");
		expectOpen(loser, winner.body.id);
		const mine = await api<OfferList>(buyer, "/api/v1/offers");
		expect(mine.body.items.map((item) => item.id)).toEqual([winner.body.id]);
	});

	it("counts accepted and held threads as open, and a cancelled one as closed", async () => {
		const [seller, first, second] = await Promise.all([
			client.register("seller"),
			client.register("buyer"),
			client.register("investor"),
		]);
		const listingId = await createListing(seller);
		const accepted = await makeOffer(first, listingId, 21_000_000);
		const held = await makeOffer(second, listingId, 20_000_000);
		expect((await api(seller, `/api/v1/offers/${accepted.id}/accept`, { version: 1 })).status).toBe(200);
		expect((await api<OfferView>(second, `/api/v1/offers/${held.id}`)).body.on_hold).toBe(true);
		expectOpen(await offerOn(first, listingId), accepted.id);
		expectOpen(await offerOn(second, listingId), held.id);

		const reopened = await api(seller, `/api/v1/listings/${listingId}/reopen`, {});
		expect(reopened.status).toBe(200);
		// The accepted thread is cancelled, so its buyer may start over; the held one is open again.
		expect((await offerOn(first, listingId)).status).toBe(201);
		expectOpen(await offerOn(second, listingId), held.id);
	});
});

describe("the consolidated timeline", () => {
	it("lists a thread's events in version order and its final terms, to its parties alone", async () => {
		const { seller, buyer, stranger, offer } = await negotiation();
		const [buyerSide] = await connected(offer.id, buyer);
		expect(
			(await api(seller, `/api/v1/offers/${offer.id}/counter`, { amount_cents: 22_000_000, version: 1 })).status,
		).toBe(200);
		await buyerSide.state((state) => state.version === 2);
		buyerSide.room.counter(21_000_000, 2);
		await buyerSide.state((state) => state.version === 3);
		expect((await api(seller, `/api/v1/offers/${offer.id}/accept`, { version: 3 })).status).toBe(200);

		const timeline = await waitFor(async () => {
			const res = await api<Timeline>(buyer, `/api/v1/offers/${offer.id}/timeline`);
			return res.status === 200 && res.body.events.length >= 4 && res.body.deal?.version === 4 ? res.body : undefined;
		}, 10_000);
		expect(
			timeline.events.map(({ type, version, amount_cents, actor_tenant_id }) => ({
				type,
				version,
				amount_cents,
				actor_tenant_id,
			})),
		).toEqual([
			{ type: "offer.created", version: 1, amount_cents: offer.amount_cents, actor_tenant_id: buyer.tenant.id },
			{ type: "offer.countered", version: 2, amount_cents: 22_000_000, actor_tenant_id: seller.tenant.id },
			{ type: "offer.countered", version: 3, amount_cents: 21_000_000, actor_tenant_id: buyer.tenant.id },
			{ type: "offer.accepted", version: 4, amount_cents: 21_000_000, actor_tenant_id: seller.tenant.id },
		]);
		expect(timeline.deal).toMatchObject({ status: "accepted", version: 4, final_amount_cents: 21_000_000 });
		expect((await api<Timeline>(seller, `/api/v1/offers/${offer.id}/timeline`)).status).toBe(200);
		expect((await api<Problem>(stranger, `/api/v1/offers/${offer.id}/timeline`)).status).toBe(404);
	});
});

describe("the contract, end to end", () => {
	/** Checks an answer against the schema `route` declares for its status. */
	function fits(route: ContractRoute, answer: { status: number; body: unknown }, status: number): void {
		expect(answer.status).toBe(status);
		const schema = responseSchema(route, status);
		if (!schema) throw new Error(`${route.operationId} declares no body for ${status}`);
		expect(schema.safeParse(answer.body).error?.issues ?? []).toEqual([]);
	}

	it("answers an acceptance, the timeline and a re-opening in the shapes the contract declares", async () => {
		const { seller, buyer, listingId, offer } = await negotiation();
		fits(r.acceptOffer, await api(seller, `/api/v1/offers/${offer.id}/accept`, { version: 1 }), 200);
		const timeline = await waitFor(async () => {
			const res = await api<Timeline>(buyer, `/api/v1/offers/${offer.id}/timeline`);
			return res.status === 200 && res.body.deal?.version === 2 ? res : undefined;
		}, 10_000);
		fits(r.offerTimeline, timeline, 200);
		fits(r.reopenListing, await api(seller, `/api/v1/listings/${listingId}/reopen`, {}), 200);
		fits(r.getOffer, await api(buyer, `/api/v1/offers/${offer.id}`), 200);
		fits(r.listOffers, await api(buyer, "/api/v1/offers"), 200);
	});

	it.each([
		["a stale version", true],
		["a counter out of turn", false],
	] as const)("answers %s with the same status and detail over REST and the socket", async (_name, countered) => {
		const { seller, buyer, offer } = await negotiation();
		if (countered) {
			const res = await api(seller, `/api/v1/offers/${offer.id}/counter`, { amount_cents: 23_000_000, version: 1 });
			expect(res.status).toBe(200);
		}
		const [buyerSide] = await connected(offer.id, buyer);
		await buyerSide.state((state) => state.version === (countered ? 2 : 1));
		// The buyer counters at version 1: stale once the seller countered, out of turn before (the buyer proposed last).
		const counter = { amount_cents: 20_500_000, version: 1 };
		const rest = await api<Problem>(buyer, `/api/v1/offers/${offer.id}/counter`, counter);
		fits(r.counterOffer, rest, 409);
		buyerSide.room.counter(counter.amount_cents, counter.version);
		const refused = await buyerSide.error((error) => error.kind === "server");
		expect(refused).toEqual({ kind: "server", status: rest.body.status, detail: rest.body.detail });
	});
});

type Side = ReturnType<typeof connect>;

/** Sockets for `accounts` on one thread, each past its first state frame. */
async function connected<const A extends readonly Account[]>(
	offerId: string,
	...accounts: A
): Promise<{ [K in keyof A]: Side }> {
	const sides = accounts.map((account) => connect(account, offerId));
	await Promise.all(sides.map((side) => side.state(() => true)));
	return sides as { [K in keyof A]: Side };
}
