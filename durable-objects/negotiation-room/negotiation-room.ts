/**
 * NegotiationRoom: one Durable Object per offer thread (partyserver `Server`), the single owner
 * of the thread's state. REST handlers and WebSocket frames both call into this object, so the
 * two can never disagree. Hibernation is on: idle sockets cost no memory or duration.
 */
import { type Connection, Server } from "partyserver";
import { migrate, query } from "../sqlite.ts";
import { migrations } from "./migrations.ts";

export interface ThreadRow {
	offer_id: string;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	amount_cents: number;
	currency: string;
	status: string;
	version: number;
	last_actor: string;
	expires_at: number | null;
	created_at: number;
	updated_at: number;
}

export interface HistoryRow {
	version: number;
	action: string;
	actor_tenant_id: string;
	amount_cents: number | null;
	message: string | null;
	at: number;
}

export interface RoomSnapshot {
	thread: ThreadRow | null;
	history: HistoryRow[];
}

export class NegotiationRoom extends Server {
	static override options = { hibernate: true };

	constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
		super(ctx, env);
		migrate(ctx.storage, migrations);
	}

	/** The thread's current terms and its history, oldest first. */
	snapshot(): RoomSnapshot {
		const sql = query(this.ctx.storage.sql);
		const [thread] = sql<ThreadRow & Record<string, SqlStorageValue>>`
			SELECT offer_id, listing_id, buyer_tenant_id, seller_tenant_id, amount_cents, currency,
			       status, version, last_actor, expires_at, created_at, updated_at
			FROM thread WHERE id = 1`;
		const history = sql<HistoryRow & Record<string, SqlStorageValue>>`
			SELECT version, action, actor_tenant_id, amount_cents, message, at FROM history ORDER BY seq`;
		return { thread: thread ?? null, history };
	}

	override onConnect(connection: Connection): void {
		connection.send(JSON.stringify({ type: "state", offer: this.snapshot().thread }));
	}
}
