/**
 * Offer threads over REST. The thread's state lives in its NegotiationRoom; these handlers check
 * that the caller may see the thread (the D1 registry, through the scoped data layer), then call
 * the same room methods the WebSocket frames call, so REST and WebSocket never disagree. A
 * thread the caller is not a party to is 404. Paths, bodies, queries and responses are the
 * contract's (shared/contract/routes/offers.ts), validated before a handler runs; a move the room
 * refuses is answered as the problem of its refusal (shared/contract/outcomes.ts), the same
 * status and detail the socket's error frame carries.
 *
 * A buyer has at most one open thread per listing. Opening one first takes the buyer's claim on
 * the listing in D1 (`open_offers`, one conditional insert); a claim already held is free only
 * once its thread is closed, which only that thread's room can say, so the room is asked only when
 * a claim exists. Closed statuses are terminal, so a claim found free stays free until it is
 * taken over, and nothing has to clear claims as threads close.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Actor, ActResult, NegotiationRoom } from "../../../durable-objects/negotiation-room/negotiation-room.ts";
import { contractApp } from "../../../shared/contract/app.ts";
import { refusalProblem } from "../../../shared/contract/outcomes.ts";
import { offersRoutes as r } from "../../../shared/contract/routes/offers.ts";
import type { OfferClaim } from "../../../shared/data/offers.ts";
import { newId } from "../../../shared/encoding.ts";
import { encodeCursor } from "../../../shared/http/cursor.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { apply as lifecycle } from "../../../shared/listings/lifecycle.ts";
import type { OfferStatus, OfferView } from "../../../shared/offers/protocol.ts";
import { moveListing, refusedMove } from "../listings/records.ts";
import type { UserHono } from "../types.ts";

function actorOf(c: Context<UserHono>): Actor {
	const { tenant } = c.var;
	if (!tenant.tenant_id) throw new HttpProblem({ reason: "unauthorized" });
	return { tenantId: tenant.tenant_id, admin: tenant.role === "admin" };
}

/** The thread's room; the class lives in the dispatch Worker's script, so its type is named here. */
const room = (c: Context<UserHono>, offerId: string) =>
	(c.env.NegotiationRoom as unknown as DurableObjectNamespace<NegotiationRoom>).getByName(offerId);

/** The offer a move left, or the problem of its refusal (the one mapping, shared with the socket). */
function settled(result: ActResult): OfferView {
	if (!result.ok) throw new HttpProblem(refusalProblem(result.refusal));
	return result.offer;
}

/** A thread the caller may see, or 404. */
async function visible(c: Context<UserHono>, id: string): Promise<string> {
	const offer = await c.var.data.offers.find(id);
	if (!offer) throw new HttpProblem({ reason: "not_found" });
	return offer.id;
}

/**
 * Withdraw takes an optional body, and an empty one is no body, whatever its `Content-Type` says:
 * a client that always sends `application/json` may still withdraw without one.
 */
const emptyBodyIsNone: MiddlewareHandler = async (c, next) => {
	if (c.req.header("Content-Type") !== undefined && (await c.req.raw.clone().arrayBuffer()).byteLength === 0) {
		const headers = new Headers(c.req.raw.headers);
		headers.delete("Content-Type");
		headers.delete("Content-Length");
		c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers });
	}
	await next();
};

/** Statuses in which a thread is still its buyer's open negotiation on the listing (on hold too). */
const OPEN_STATUSES: ReadonlySet<OfferStatus> = new Set(["pending", "countered", "accepted"]);
/** A claim whose thread is still unregistered this long after it was taken was left by a request that died. */
const ABANDONED_CLAIM_MS = 60_000;
/** Conditional claim writes lost in a row before giving up; each loss means another offer just moved the claim. */
const CLAIM_ATTEMPTS = 3;

const alreadyOpen = (offerId: string) =>
	new HttpProblem({ reason: "conflict", detail: "You already have an open offer on this listing.", offerId });

/**
 * Who holds the caller's claim: `open` names the thread when it is still open (or still being
 * opened by its own request), `null` when the claim is free. A legacy claim predates the claim
 * table, so every registered thread of the pair is asked.
 */
async function holderOf(
	c: Context<UserHono>,
	listingId: string,
	held: OfferClaim,
	now: number,
): Promise<{ open: string | null; registered: boolean }> {
	const isOpen = (view: OfferView | null) => view !== null && OPEN_STATUSES.has(view.status);
	if (held.legacy) {
		const threads = await c.var.data.offers.mineOnListing(listingId);
		const views = await Promise.all(threads.map((thread) => room(c, thread.id).view(false)));
		return { open: views.find(isOpen)?.id ?? null, registered: true };
	}
	const [registered, view] = await Promise.all([
		c.var.data.offers.find(held.offer_id),
		room(c, held.offer_id).view(false),
	]);
	if (registered) return { open: isOpen(view) ? held.offer_id : null, registered: true };
	// Not registered (yet): its request is between the claim and the registry insert, unless it
	// closed the thread after a failure or died on the way.
	const inFlight = (view === null || isOpen(view)) && now - Date.parse(held.claimed_at) < ABANDONED_CLAIM_MS;
	return { open: inFlight ? held.offer_id : null, registered: false };
}

/** Takes the caller's claim on the listing for the new thread `offerId`, or throws 409 naming the open one. */
async function claimListing(c: Context<UserHono>, listingId: string, offerId: string, now: number): Promise<void> {
	const at = new Date(now).toISOString();
	for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
		if (await c.var.data.offers.claim(listingId, offerId, at)) return;
		const held = await c.var.data.offers.claimOf(listingId);
		// Released between the two reads: claim it afresh.
		if (!held) continue;
		const holder = await holderOf(c, listingId, held, now);
		if (holder.open) throw alreadyOpen(holder.open);
		if (await c.var.data.offers.takeOver(listingId, held, offerId, at, { unregistered: !holder.registered })) return;
	}
	throw new HttpProblem({ reason: "conflict", detail: "Another offer on this listing is being made; try again." });
}

/**
 * Closes a thread that could not be registered, then gives its claim back. Unregistered, the
 * thread could never be reached, yet its offer.created is already on the queue: it is closed as
 * the buyer's withdrawal, so the consolidated records end it too. If even that fails, the room's
 * own alarm expires the proposal in 72 hours, and the claim stays (if the registry insert did
 * commit after all, the thread is open and reachable; if not, the claim is abandoned in a minute).
 */
async function abandon(c: Context<UserHono>, actor: Actor, listingId: string, offer: OfferView): Promise<void> {
	try {
		const closed = await room(c, offer.id).act(actor, { type: "withdraw", version: offer.version }, Date.now());
		if (closed.ok) await c.var.data.offers.release(listingId, offer.id);
	} catch (error) {
		console.error("could not close an unregistered thread", offer.id, error);
	}
}

/** Every offer route, declared in shared/contract/routes/offers.ts; mounted at `/`. */
export const offers = contractApp<UserHono>()
	.openapi(r.createOffer, async (c) => {
		const { id: listingId } = c.req.valid("param");
		const body = c.req.valid("json");
		const actor = actorOf(c);
		const found = await c.var.data.listings.find(listingId);
		if (!found) throw new HttpProblem({ reason: "not_found" });
		const listing = found.listing;
		if (listing.seller_tenant_id === actor.tenantId) {
			throw new HttpProblem({ reason: "conflict", detail: "You cannot make an offer on your own listing." });
		}
		const now = Date.now();
		if (listing.status !== "active") {
			// The buyer whose thread was accepted (or is on hold) hears about that thread, not just the listing.
			const held = await c.var.data.offers.claimOf(listing.id);
			const open = held && (await holderOf(c, listing.id, held, now)).open;
			if (open) throw alreadyOpen(open);
			throw new HttpProblem({ reason: "conflict", detail: `The listing is ${listing.status.replace("_", " ")}.` });
		}
		const offerId = newId("off");
		await claimListing(c, listing.id, offerId, now);
		// The room next: a registered thread always has state behind it; a room nobody registered is unreachable.
		let offer: OfferView;
		try {
			offer = await room(c, offerId).open({
				offerId,
				listingId: listing.id,
				buyerTenantId: actor.tenantId,
				sellerTenantId: listing.seller_tenant_id,
				amountCents: body.amount_cents,
				currency: listing.currency,
				message: body.message ?? null,
				now,
			});
		} catch (cause) {
			await c.var.data.offers
				.release(listing.id, offerId)
				.catch((error: unknown) => console.error("could not release an offer claim", offerId, error));
			throw cause;
		}
		let registered: boolean;
		try {
			const [result] = await c.var.data.batch([
				c.var.data.offers.insert({
					id: offerId,
					listing_id: listing.id,
					seller_tenant_id: listing.seller_tenant_id,
					created_at: new Date(now).toISOString(),
				}),
			]);
			registered = result?.meta.changes === 1;
		} catch (cause) {
			// Answer the failure; the buyer's retry opens a new thread.
			await abandon(c, actor, listing.id, offer);
			throw cause;
		}
		if (!registered) {
			// This request stalled past ABANDONED_CLAIM_MS and another offer took the claim over: that one stands.
			await abandon(c, actor, listing.id, offer);
			const held = await c.var.data.offers.claimOf(listing.id);
			if (held) throw alreadyOpen(held.offer_id);
			throw new HttpProblem({ reason: "conflict", detail: "Another offer on this listing is being made; try again." });
		}
		return c.json(offer, 201);
	})
	.openapi(r.reopenListing, async (c) => {
		const { id: listingId } = c.req.valid("param");
		const actor = actorOf(c);
		const listing = await c.var.data.listings.managed(listingId);
		if (!listing || listing.seller_tenant_id !== actor.tenantId) throw new HttpProblem({ reason: "not_found" });
		const planned = lifecycle(listing, { type: "reopen" });
		if (!planned.ok) throw refusedMove(planned);
		const now = Date.now();
		const threads = await c.var.data.offers.forManagedListing(listingId);
		const views = await Promise.all(threads.map((thread) => room(c, thread.id).view(false)));
		const accepted = threads.filter((_, i) => views[i]?.status === "accepted");
		// The accepted thread is cancelled (recorded in its history and on the queue), then the others resume.
		for (const thread of accepted) {
			const result = await room(c, thread.id).cancel(actor, now);
			if (!result.ok) throw new HttpProblem(refusalProblem(result.refusal));
		}
		const reopened = await moveListing(c, listing, { type: "reopen" }, now);
		if (reopened === "changed") {
			throw new HttpProblem({ reason: "conflict", detail: "The listing changed meanwhile; reload and try again." });
		}
		if (reopened !== "moved") throw refusedMove(reopened);
		await Promise.all(threads.filter((_, i) => views[i]?.on_hold).map((thread) => room(c, thread.id).release(now)));
		return c.json(
			{ id: listingId, status: "active" as const, cancelled_offer_ids: accepted.map((thread) => thread.id) },
			200,
		);
	})
	.openapi(r.listOffers, async (c) => {
		const query = c.req.valid("query");
		const { rows, more } = await c.var.data.offers.list(query.limit, query.cursor, query.listing_id);
		const items = (await Promise.all(rows.map((row) => room(c, row.id).view(false)))).filter((view) => view !== null);
		const last = rows.at(-1);
		return c.json({ items, next_cursor: more && last ? encodeCursor([last.created_at, last.id]) : null }, 200);
	})
	.openapi(r.getOffer, async (c) => {
		const offerId = await visible(c, c.req.valid("param").id);
		const offer = await room(c, offerId).view(true);
		if (!offer) throw new HttpProblem({ reason: "not_found" });
		return c.json(offer, 200);
	})
	.openapi(r.offerTimeline, async (c) => {
		const offerId = await visible(c, c.req.valid("param").id);
		const timeline = await c.var.data.offers.timeline(offerId);
		if (!timeline) throw new HttpProblem({ reason: "not_found" });
		return c.json(timeline, 200);
	})
	.openapi(r.counterOffer, async (c) => {
		const offerId = await visible(c, c.req.valid("param").id);
		const move = { type: "counter", ...c.req.valid("json") } as const;
		return c.json(settled(await room(c, offerId).act(actorOf(c), move, Date.now())), 200);
	})
	.openapi(r.acceptOffer, async (c) => {
		const offerId = await visible(c, c.req.valid("param").id);
		const move = { type: "accept", ...c.req.valid("json") } as const;
		return c.json(settled(await room(c, offerId).act(actorOf(c), move, Date.now())), 200);
	})
	.openapi(r.rejectOffer, async (c) => {
		const offerId = await visible(c, c.req.valid("param").id);
		const move = { type: "reject", ...c.req.valid("json") } as const;
		return c.json(settled(await room(c, offerId).act(actorOf(c), move, Date.now())), 200);
	})
	.openapi({ ...r.withdrawOffer, middleware: [emptyBodyIsNone] as const }, async (c) => {
		const offerId = await visible(c, c.req.valid("param").id);
		const move = { type: "withdraw", ...c.req.valid("json") } as const;
		return c.json(settled(await room(c, offerId).act(actorOf(c), move, Date.now())), 200);
	});
