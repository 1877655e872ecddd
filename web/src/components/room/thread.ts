/**
 * What the room shows about a thread, worked out from the offer view alone: whose move it is,
 * which moves this visitor may make now, and each history entry or chat line in words. Pure (no
 * clock, no I/O), so the server's HTML and the hydrated island agree, and it is unit tested. The
 * rules mirror durable-objects/negotiation-room/machine.ts, which still decides every move: a
 * button shown here is a hint, a refusal from the room is the answer.
 */
import type { HistoryEntry, OfferStatus, OfferView, Side } from "../../../../shared/offers/protocol.ts";
import { dollars } from "./money.ts";

/** The visitor's side of the thread; `null` for an admin watching. */
export type Viewer = Side | null;

export interface Moves {
	counter: boolean;
	accept: boolean;
	reject: boolean;
	withdraw: boolean;
	checkout: boolean;
}

const OPEN: readonly OfferStatus[] = ["pending", "countered"];
/** A payment in one of these has taken the money: no new checkout, the payment's page instead. */
const TAKEN = ["paid", "disputed", "released", "refunded"] as const;

export function isOpen(offer: Pick<OfferView, "status">): boolean {
	return OPEN.includes(offer.status);
}

/** The side that may counter, accept or reject now; `null` when nobody may. */
export function turnOf(offer: Pick<OfferView, "status" | "on_hold" | "last_proposer">): Side | null {
	if (!isOpen(offer) || offer.on_hold) return null;
	return offer.last_proposer === "buyer" ? "seller" : "buyer";
}

export function paymentTaken(offer: Pick<OfferView, "payment">): boolean {
	return offer.payment !== undefined && (TAKEN as readonly string[]).includes(offer.payment.status);
}

export function movesFor(offer: OfferView, viewer: Viewer): Moves {
	const answering = viewer !== null && turnOf(offer) === viewer;
	return {
		counter: answering,
		accept: answering,
		reject: answering,
		withdraw: viewer === "buyer" && isOpen(offer),
		checkout: viewer === "buyer" && offer.status === "accepted" && !paymentTaken(offer),
	};
}

const OTHER: Record<Side, Side> = { buyer: "seller", seller: "buyer" };

/** "the seller", or "you" when the viewer is that side. */
export function who(side: Side, viewer: Viewer): string {
	return side === viewer ? "you" : `the ${side}`;
}

export function sideOfTenant(
	offer: Pick<OfferView, "buyer_tenant_id" | "seller_tenant_id">,
	tenant: string,
): Side | null {
	if (tenant === offer.buyer_tenant_id) return "buyer";
	if (tenant === offer.seller_tenant_id) return "seller";
	return null;
}

function capital(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

export const STATUS_LABELS: Record<OfferStatus, string> = {
	pending: "Open: first offer",
	countered: "Open: countered",
	accepted: "Accepted",
	rejected: "Rejected",
	withdrawn: "Withdrawn",
	expired: "Expired",
	cancelled: "Cancelled",
};

const PAYMENT_LABELS: Record<NonNullable<OfferView["payment"]>["status"], string> = {
	pending: "checkout open",
	paid: "paid, money held in escrow",
	disputed: "disputed, release frozen",
	released: "released to the seller",
	refunded: "refunded to the buyer",
	failed: "payment failed",
	expired: "checkout expired",
};

export function paymentLabel(status: NonNullable<OfferView["payment"]>["status"]): string {
	return PAYMENT_LABELS[status];
}

/** One sentence: where the thread stands and who has to do what. */
export function situation(offer: OfferView, viewer: Viewer): string {
	const amount = dollars(offer.amount_cents, offer.currency);
	const proposer = offer.last_proposer;
	if (offer.status === "accepted") {
		if (offer.payment && paymentTaken(offer)) return `Deal at ${amount}: ${paymentLabel(offer.payment.status)}.`;
		return viewer === "buyer"
			? `Deal at ${amount}. Pay through Stripe Checkout; the money is held in escrow until you confirm the handover.`
			: `Deal at ${amount}. Waiting for the buyer to pay; the money is held in escrow until the handover.`;
	}
	if (!isOpen(offer)) return `This thread is closed: ${STATUS_LABELS[offer.status].toLowerCase()} at ${amount}.`;
	if (offer.on_hold) {
		return "On hold: another offer on this listing was accepted. The thread resumes if that deal falls through.";
	}
	const turn = OTHER[proposer];
	if (viewer === turn) return `Your move: accept, counter or reject ${who(proposer, viewer)}'s ${amount}.`;
	if (viewer === proposer) return `Waiting for ${who(turn, viewer)} to answer your ${amount}.`;
	return `Waiting for the ${turn} to answer the ${proposer}'s ${amount}.`;
}

/** A line of the room's log: a change of the thread or a chat line, in the order they happened. */
export interface LogLine {
	key: string;
	at: string;
	kind: "move" | "chat";
	/** "You", "The seller", or "TechFlunky" for changes nobody made. */
	actor: string;
	text: string;
	/** The proposal's or the chat's own words, quoted apart from the text. */
	quote: string | null;
}

export interface ChatLine {
	from_tenant_id: string;
	text: string;
	at: string;
}

function actorOf(offer: OfferView, tenant: string | null, viewer: Viewer): string {
	if (tenant === null) return "TechFlunky";
	const side = sideOfTenant(offer, tenant);
	return side === null ? "An admin" : capital(who(side, viewer));
}

function entryText(entry: HistoryEntry, offer: OfferView): string {
	const amount = entry.amount_cents === null ? "" : dollars(entry.amount_cents, offer.currency);
	switch (entry.action) {
		case "created":
			return `offered ${amount}`;
		case "countered":
			return `countered with ${amount}`;
		case "accepted":
			return amount ? `accepted ${amount}` : "accepted";
		case "rejected":
			return "rejected the proposal";
		case "withdrawn":
			return "withdrew the offer";
		case "expired":
			return "closed the thread: the proposal expired after 72 hours";
		case "held":
			return "put the thread on hold: another offer on the listing was accepted";
		case "released":
			return "took the thread off hold";
		case "cancelled":
			return "cancelled the accepted offer";
	}
}

export function logOf(
	offer: OfferView,
	history: readonly HistoryEntry[],
	chat: readonly ChatLine[],
	viewer: Viewer,
): LogLine[] {
	const moves: LogLine[] = history.map((entry) => ({
		key: `v${entry.version}-${entry.action}`,
		at: entry.at,
		kind: "move",
		actor: actorOf(offer, entry.actor_tenant_id, viewer),
		text: entryText(entry, offer),
		quote: entry.message && entry.message !== "" ? entry.message : null,
	}));
	const lines: LogLine[] = chat.map((line, index) => ({
		key: `chat-${index}-${line.at}`,
		at: line.at,
		kind: "chat",
		actor: actorOf(offer, line.from_tenant_id, viewer),
		text: "said",
		quote: line.text,
	}));
	// Stable: equal times keep moves before chat, each in its own order.
	return [...moves, ...lines].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Who is in the room right now, as the room's last `state` frame said. */
export function presence(offer: OfferView, viewer: Viewer): { side: Side; label: string; online: boolean }[] {
	const online = new Set(offer.online ?? []);
	const order: readonly Side[] = viewer === "seller" ? ["seller", "buyer"] : ["buyer", "seller"];
	return order.map((side) => ({
		side,
		label: side === viewer ? "You" : capital(`the ${side}`),
		online: online.has(side === "buyer" ? offer.buyer_tenant_id : offer.seller_tenant_id),
	}));
}
