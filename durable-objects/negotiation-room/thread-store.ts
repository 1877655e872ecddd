/**
 * The room's thread in its own SQLite: the one `thread` row (current terms), the `history` of
 * every change, and the `chat` lines (schema in ./migrations.ts). Module functions over the
 * room's `SqlStorage`, so the class keeps the rules and this file keeps the rows; nothing here
 * opens a transaction — the caller wraps a change, its history entry and its outbox row in one.
 */
import type { OfferEvent } from "../../queues/offer-events.ts";
import type { HistoryEntry, OfferStatus, OfferView, Side } from "../../shared/offers/protocol.ts";
import type { PaymentStatus } from "../../shared/payments/types.ts";
import { query } from "../sqlite.ts";
import type { ThreadState } from "./machine.ts";

export interface ThreadRow {
	offer_id: string;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	amount_cents: number;
	currency: string;
	status: OfferStatus;
	version: number;
	/** The side that made the latest proposal. */
	last_actor: Side;
	on_hold: number;
	expires_at: number | null;
	created_at: number;
	updated_at: number;
	payment_id: string | null;
	payment_status: PaymentStatus | null;
	/** Set once the payment is paid: no further move, no reopening. */
	settled_at: number | null;
}

/** What the offer route hands the room to open a thread. */
export interface OpenInput {
	offerId: string;
	listingId: string;
	buyerTenantId: string;
	sellerTenantId: string;
	amountCents: number;
	currency: string;
	message: string | null;
	now: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The thread, or `null` before it is opened. */
export function readThread(sql: SqlStorage): ThreadRow | null {
	const [row] = query(sql)<ThreadRow & Record<string, SqlStorageValue>>`
		SELECT offer_id, listing_id, buyer_tenant_id, seller_tenant_id, amount_cents, currency, status, version,
		       last_actor, on_hold, expires_at, created_at, updated_at, payment_id, payment_status, settled_at
		FROM thread WHERE id = 1`;
	return row ?? null;
}

export function insertThread(sql: SqlStorage, input: OpenInput, state: ThreadState): void {
	query(sql)`INSERT INTO thread (id, offer_id, listing_id, buyer_tenant_id, seller_tenant_id, amount_cents, currency,
	      status, version, last_actor, on_hold, expires_at, created_at, updated_at)
	    VALUES (1, ${input.offerId}, ${input.listingId}, ${input.buyerTenantId}, ${input.sellerTenantId},
	      ${state.amount_cents}, ${input.currency}, ${state.status}, ${state.version}, ${state.last_proposer}, 0,
	      ${state.expires_at}, ${input.now}, ${input.now})`;
}

export function updateThread(sql: SqlStorage, next: ThreadState): void {
	query(sql)`UPDATE thread SET status = ${next.status}, version = ${next.version},
		amount_cents = ${next.amount_cents}, last_actor = ${next.last_proposer}, on_hold = ${next.on_hold ? 1 : 0},
		expires_at = ${next.expires_at}, updated_at = ${next.updated_at} WHERE id = 1`;
}

/** Records the payment's status; a paid payment settles the thread for good. */
export function updateSettlement(sql: SqlStorage, paymentId: string, status: PaymentStatus, now: number): void {
	const settles = status === "pending" || status === "failed" || status === "expired" ? null : now;
	query(sql)`UPDATE thread SET payment_id = ${paymentId}, payment_status = ${status},
		settled_at = COALESCE(settled_at, ${settles}) WHERE id = 1 AND (settled_at IS NULL OR payment_id = ${paymentId})`;
}

/** The history entry of the change `event` announces. */
export function recordHistory(
	sql: SqlStorage,
	event: OfferEvent,
	action: HistoryEntry["action"],
	message: string | null,
	now: number,
): void {
	// `actor_tenant_id` is NOT NULL in the table; "" stands for nobody (expiry, holds).
	query(sql)`INSERT INTO history (version, action, actor_tenant_id, amount_cents, message, at)
		VALUES (${event.version}, ${action}, ${event.actor_tenant_id ?? ""}, ${event.amount_cents}, ${message}, ${now})`;
}

export function recordChat(sql: SqlStorage, fromTenantId: string, text: string, now: number): void {
	query(sql)`INSERT INTO chat (from_tenant_id, text, at) VALUES (${fromTenantId}, ${text}, ${now})`;
}

/** How many chat lines a socket is sent when it connects: the conversation so far, bounded. */
export const CHAT_REPLAY = 100;

/** The newest `limit` chat lines, oldest first. */
export function recentChat(
	sql: SqlStorage,
	limit: number = CHAT_REPLAY,
): { from_tenant_id: string; text: string; at: number }[] {
	return query(sql)<{ from_tenant_id: string; text: string; at: number }>`
		SELECT from_tenant_id, text, at FROM (SELECT seq, from_tenant_id, text, at FROM chat ORDER BY seq DESC LIMIT ${limit})
		ORDER BY seq`;
}

export function historyOf(sql: SqlStorage): HistoryEntry[] {
	return query(sql)<{
		version: number;
		action: HistoryEntry["action"];
		actor_tenant_id: string;
		amount_cents: number | null;
		message: string | null;
		at: number;
	}>`SELECT version, action, actor_tenant_id, amount_cents, message, at FROM history ORDER BY seq`.map((entry) => ({
		...entry,
		actor_tenant_id: entry.actor_tenant_id === "" ? null : entry.actor_tenant_id,
		at: iso(entry.at),
	}));
}

/** The row as the pure state machine sees it. */
export function stateOf(row: ThreadRow): ThreadState {
	return {
		status: row.status,
		version: row.version,
		amount_cents: row.amount_cents,
		last_proposer: row.last_actor,
		on_hold: row.on_hold === 1,
		expires_at: row.expires_at,
		updated_at: row.updated_at,
	};
}

/** The row as REST and the socket show it, with its history (REST) or who is online (frames, lists). */
export function viewOf(row: ThreadRow, extra: { history: HistoryEntry[] } | { online: string[] }): OfferView {
	return {
		id: row.offer_id,
		listing_id: row.listing_id,
		buyer_tenant_id: row.buyer_tenant_id,
		seller_tenant_id: row.seller_tenant_id,
		amount_cents: row.amount_cents,
		currency: row.currency,
		status: row.status,
		version: row.version,
		last_proposer: row.last_actor,
		on_hold: row.on_hold === 1,
		expires_at: row.expires_at === null ? null : iso(row.expires_at),
		created_at: iso(row.created_at),
		updated_at: iso(row.updated_at),
		...(row.payment_id !== null && row.payment_status !== null
			? { payment: { id: row.payment_id, status: row.payment_status } }
			: {}),
		...extra,
	};
}

export function sideOf(row: ThreadRow, tenantId: string): Side | null {
	if (tenantId === row.buyer_tenant_id) return "buyer";
	if (tenantId === row.seller_tenant_id) return "seller";
	return null;
}
