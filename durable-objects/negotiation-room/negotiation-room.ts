/**
 * NegotiationRoom: one Durable Object per offer thread (partyserver `Server`), the single owner
 * of the thread's state. REST handlers (through RPC) and WebSocket frames both call `act`, which
 * runs the pure state machine (./machine.ts), so the two can never disagree.
 *
 * Every change is one `transactionSync`: the thread row, its history entry and the outbox row
 * of the `offer-events` message that announces it. The message is sent right after; the alarm
 * resends whatever is still unsent, and also expires a proposal 72 hours after it was made.
 * Hibernation is on: idle sockets cost no memory or duration; a socket's identity (tenant, user,
 * session) lives in its connection state, which survives hibernation, and every frame is admitted
 * like a REST request — session still live, tenant not suspended, bucket not empty — by the
 * caller's TenantObject, so signing out or a suspension stops an open socket at once.
 *
 * Accepting also claims the listing in D1 (`active → under_offer`) before the acceptance is
 * committed, inside `blockConcurrencyWhile`, so of N simultaneous accepts — of this thread or of
 * competing threads on the same listing — exactly one succeeds; the listing's other open threads
 * are then put on hold.
 */
import { type Connection, type ConnectionContext, Server } from "partyserver";
import { z } from "zod";
import { type OfferEvent, offerEventSchema } from "../../queues/offer-events.ts";
import { type TokenRole, tokenRoles } from "../../shared/auth/jwt.ts";
import { newId } from "../../shared/encoding.ts";
import {
	amountCents,
	type ClientFrame,
	clientFrameSchema,
	type HistoryEntry,
	MAX_FRAME_BYTES,
	type OfferStatus,
	type OfferView,
	type ServerFrame,
	type Side,
} from "../../shared/offers/protocol.ts";
import { policyForRole } from "../../shared/rate-limit/policies.ts";
import { migrate, query } from "../sqlite.ts";
import type { Admission } from "../tenant/tenant-object.ts";
import { apply, isOpen, type Move, type Refusal, start, type ThreadState, type Transition } from "./machine.ts";
import { migrations } from "./migrations.ts";

/** How long an unsent outbox row waits before the alarm retries it. */
const RESEND_AFTER_MS = 30_000;
/** Header names the dispatch Worker sets on a WebSocket upgrade after authenticating the caller. */
export const ACTOR_HEADER = "X-TechFlunky-Actor";
export const ROLE_HEADER = "X-TechFlunky-Role";
export const USER_HEADER = "X-TechFlunky-User";
export const SESSION_HEADER = "X-TechFlunky-Session";

const tokenRoleSchema = z.enum(tokenRoles);

interface ThreadRow {
	offer_id: string;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	amount_cents: number;
	currency: string;
	status: OfferStatus;
	version: number;
	last_actor: Side;
	on_hold: number;
	expires_at: number | null;
	created_at: number;
	updated_at: number;
}

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

export type ActResult = { ok: true; offer: OfferView } | { ok: false; status: 400 | 403 | 404 | 409; detail: string };

/** Who is calling, as established by the edge: a party's tenant, or an admin (who may watch, not negotiate). */
export interface Actor {
	tenantId: string;
	admin: boolean;
}

interface SocketState {
	tenantId: string;
	admin: boolean;
	role: TokenRole;
	userId: string;
	sessionId: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class NegotiationRoom extends Server<DispatchEnv> {
	static override options = { hibernate: true };

	constructor(ctx: DurableObjectState, env: DispatchEnv) {
		super(ctx, env);
		migrate(ctx.storage, migrations);
	}

	/** Opens the thread with the buyer's first proposal; opening an existing thread returns it unchanged. */
	async open(input: OpenInput): Promise<OfferView> {
		if (!amountCents.safeParse(input.amountCents).success) throw new RangeError("amountCents is out of range");
		if (!this.#thread()) {
			const state = start(input.amountCents, input.now);
			const event: OfferEvent = {
				id: newId("evt"),
				type: "offer.created",
				occurred_at: iso(input.now),
				offer_id: input.offerId,
				listing_id: input.listingId,
				buyer_tenant_id: input.buyerTenantId,
				seller_tenant_id: input.sellerTenantId,
				actor_tenant_id: input.buyerTenantId,
				version: state.version,
				amount_cents: state.amount_cents,
				currency: input.currency,
			};
			offerEventSchema.parse(event);
			this.ctx.storage.transactionSync(() => {
				const sql = query(this.ctx.storage.sql);
				sql`INSERT INTO thread (id, offer_id, listing_id, buyer_tenant_id, seller_tenant_id, amount_cents, currency,
				      status, version, last_actor, on_hold, expires_at, created_at, updated_at)
				    VALUES (1, ${input.offerId}, ${input.listingId}, ${input.buyerTenantId}, ${input.sellerTenantId},
				      ${state.amount_cents}, ${input.currency}, ${state.status}, ${state.version}, ${state.last_proposer}, 0,
				      ${state.expires_at}, ${input.now}, ${input.now})`;
				this.#record(event, "created", input.message, input.now);
			});
			await this.#afterChange(input.now);
		}
		return this.#viewOrThrow(true);
	}

	/** The thread as REST shows it (with history), or `null` before it is opened. */
	view(withHistory = true): OfferView | null {
		return this.#thread() ? this.#view(withHistory) : null;
	}

	/** A party's move, from REST or a WebSocket frame; both end here. */
	async act(actor: Actor, frame: Exclude<ClientFrame, { type: "chat" }>, now: number): Promise<ActResult> {
		// RPC callers are parsed like socket frames: the same schema, the same bounds.
		const checked = clientFrameSchema.safeParse(frame);
		if (!checked.success || checked.data.type === "chat") {
			return { ok: false, status: 400, detail: "The move is not valid." };
		}
		const row = this.#thread();
		if (!row) return { ok: false, status: 404, detail: "No such offer." };
		const side = this.#sideOf(row, actor);
		if (side === null) {
			return actor.admin
				? { ok: false, status: 403, detail: "Admins can follow a negotiation but not take part in it." }
				: { ok: false, status: 404, detail: "No such offer." };
		}
		const move: Move =
			frame.type === "counter"
				? { type: "counter", by: side, amount_cents: frame.amount_cents, version: frame.version }
				: frame.type === "withdraw"
					? { type: "withdraw", by: side, version: frame.version }
					: { type: frame.type, by: side, version: frame.version };
		if (move.type === "accept") return this.#accept(row, actor, move, now);
		const message = frame.type === "counter" ? (frame.message ?? null) : null;
		return this.#commitMove(row, move, actor.tenantId, message, now);
	}

	/** Puts an open thread on hold: another thread's accepted offer holds the listing. */
	async hold(now: number): Promise<ActResult> {
		const row = this.#thread();
		if (!row) return { ok: false, status: 404, detail: "No such offer." };
		return this.#commitMove(row, { type: "hold" }, null, null, now);
	}

	/** Takes a held thread off hold: the listing is open again. */
	async release(now: number): Promise<ActResult> {
		const row = this.#thread();
		if (!row) return { ok: false, status: 404, detail: "No such offer." };
		return this.#commitMove(row, { type: "release" }, null, null, now);
	}

	/** The seller re-opens the listing after an acceptance fell through: the accepted thread is cancelled. */
	async cancel(actor: Actor, now: number): Promise<ActResult> {
		const row = this.#thread();
		if (!row) return { ok: false, status: 404, detail: "No such offer." };
		const side = this.#sideOf(row, actor);
		if (side === null) return { ok: false, status: 404, detail: "No such offer." };
		return this.#commitMove(row, { type: "cancel", by: side }, actor.tenantId, null, now);
	}

	/** A chat line from a party: stored, then relayed to every socket in the room. */
	chat(actor: Actor, text: string, now: number): ActResult {
		const row = this.#thread();
		if (!row) return { ok: false, status: 404, detail: "No such offer." };
		if (this.#sideOf(row, actor) === null) {
			return { ok: false, status: actor.admin ? 403 : 404, detail: "Only the parties can chat." };
		}
		query(
			this.ctx.storage.sql,
		)`INSERT INTO chat (from_tenant_id, text, at) VALUES (${actor.tenantId}, ${text}, ${now})`;
		this.#broadcast({ type: "chat", from_tenant_id: actor.tenantId, text, at: iso(now) });
		return { ok: true, offer: this.#view(false) };
	}

	// --- WebSocket -------------------------------------------------------------------------

	override getConnectionTags(_connection: Connection, ctx: ConnectionContext): string[] {
		const tenantId = ctx.request.headers.get(ACTOR_HEADER);
		return tenantId ? [tenantId] : [];
	}

	override onConnect(connection: Connection<SocketState>, ctx: ConnectionContext): void {
		const headers = ctx.request.headers;
		const tenantId = headers.get(ACTOR_HEADER);
		const role = tokenRoleSchema.safeParse(headers.get(ROLE_HEADER));
		const userId = headers.get(USER_HEADER);
		const sessionId = headers.get(SESSION_HEADER);
		const row = this.#thread();
		const admin = role.success && role.data === "admin";
		// The edge checked membership already; the room checks again against its own parties.
		if (
			!tenantId ||
			!role.success ||
			!userId ||
			!sessionId ||
			!row ||
			(!admin && tenantId !== row.buyer_tenant_id && tenantId !== row.seller_tenant_id)
		) {
			connection.close(1008, "not a party to this offer");
			return;
		}
		connection.setState({ tenantId, admin, role: role.data, userId, sessionId });
		// Everyone hears that someone came online; the newcomer gets the state like everyone else.
		this.#broadcast({ type: "state", offer: this.#view(false) });
	}

	override onClose(): void {
		if (this.#thread()) this.#broadcast({ type: "state", offer: this.#view(false) });
	}

	override async onMessage(connection: Connection<SocketState>, message: string | ArrayBuffer): Promise<void> {
		const state = connection.state;
		if (!state) return;
		const fail = (status: number, detail: string) =>
			connection.send(JSON.stringify({ type: "error", status, detail } satisfies ServerFrame));
		// Every frame is a request, valid or not: the session must still be live (logout and
		// suspension end it at once) and the tenant's bucket must have room, exactly as for REST.
		const admission = await this.#admit(state);
		if (admission === "ended") {
			fail(401, "This session has ended; sign in again.");
			connection.close(4001, "session ended");
			return;
		}
		if (admission === "limited") return fail(429, "Too many messages; slow down.");
		const size = typeof message === "string" ? new TextEncoder().encode(message).byteLength : message.byteLength;
		if (size > MAX_FRAME_BYTES) return fail(413, `Frames are limited to ${MAX_FRAME_BYTES} bytes.`);
		if (typeof message !== "string") return fail(400, "Send JSON text frames.");
		let json: unknown;
		try {
			json = JSON.parse(message);
		} catch {
			return fail(400, "The frame is not valid JSON.");
		}
		const parsed = clientFrameSchema.safeParse(json);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			return fail(
				400,
				`The frame is not valid${issue ? `: ${issue.path.join(".") || "(frame)"} ${issue.message}` : "."}`,
			);
		}
		const actor = { tenantId: state.tenantId, admin: state.admin };
		const frame = parsed.data;
		const result =
			frame.type === "chat" ? this.chat(actor, frame.text, Date.now()) : await this.act(actor, frame, Date.now());
		if (!result.ok) fail(result.status, result.detail);
	}

	/** Session check and rate limit for a socket frame, in the caller's TenantObject (one call). */
	async #admit(state: SocketState): Promise<"ok" | "ended" | "limited"> {
		let admission: Admission;
		try {
			admission = await this.env.TenantObject.getByName(state.tenantId).admit({
				session: { id: state.sessionId, userId: state.userId },
				key: "tenant",
				policy: policyForRole(state.role),
				now: Date.now(),
			});
		} catch (cause) {
			// As at the edge: a signed-in caller whose session cannot be checked is refused.
			console.error("session check failed for a socket frame", cause);
			return "ended";
		}
		if (admission.outcome === "unauthenticated" || admission.outcome === "suspended") return "ended";
		return admission.outcome === "limited" ? "limited" : "ok";
	}

	// --- Alarm -----------------------------------------------------------------------------

	override async onAlarm(): Promise<void> {
		const now = Date.now();
		const row = this.#thread();
		if (row && isOpen(row.status) && !row.on_hold && row.expires_at !== null && row.expires_at <= now) {
			const result = this.#commit(row, { type: "expire" }, null, null, now);
			if (!result.ok && result.reason !== "closed" && result.reason !== "not_due") {
				throw new Error(`expiring offer ${row.offer_id} failed: ${result.reason}`);
			}
		}
		await this.#afterChange(now);
	}

	// --- internals -------------------------------------------------------------------------

	async #accept(row: ThreadRow, actor: Actor, move: Move, now: number): Promise<ActResult> {
		return this.ctx.blockConcurrencyWhile(async () => {
			const current = this.#thread() ?? row;
			const check = apply(this.#state(current), move, now);
			if (!check.ok) return this.#refused(current, check, now);
			// Claim the listing first: of competing acceptances only one can move it out of `active`.
			const claim = await this.env.DB.prepare(
				"UPDATE listings SET status = 'under_offer', updated_at = ? WHERE id = ? AND status = 'active'",
			)
				.bind(iso(now), current.listing_id)
				.run();
			if (claim.meta.changes === 0) {
				return { ok: false, status: 409, detail: "The listing is no longer available." } as const;
			}
			const result = await this.#commitMove(current, move, actor.tenantId, null, now);
			if (result.ok) await this.#holdOthers(current, now);
			return result;
		});
	}

	/** Puts the listing's other open threads on hold; a failure is logged (their own accept would fail the listing claim anyway). */
	async #holdOthers(row: ThreadRow, now: number): Promise<void> {
		// The acceptance is committed; nothing here may turn it into an error for the caller.
		try {
			const { results } = await this.env.DB.prepare("SELECT id FROM offers WHERE listing_id = ? AND id <> ?")
				.bind(row.listing_id, row.offer_id)
				.all<{ id: string }>();
			const outcomes = await Promise.allSettled(
				results.map((other) => this.env.NegotiationRoom.getByName(other.id).hold(now)),
			);
			for (const outcome of outcomes) {
				if (outcome.status === "rejected")
					console.error("could not hold a competing offer", row.offer_id, outcome.reason);
			}
		} catch (cause) {
			console.error("could not list the competing offers to hold", row.offer_id, cause);
		}
	}

	async #commitMove(
		row: ThreadRow,
		move: Move,
		actorTenantId: string | null,
		message: string | null,
		now: number,
	): Promise<ActResult> {
		const result = this.#commit(row, move, actorTenantId, message, now);
		if (!result.ok) return this.#refused(row, result, now);
		await this.#afterChange(now);
		return { ok: true, offer: this.#view(true) };
	}

	/** Applies `move` and records it with its outbox message, all in one transaction. */
	#commit(
		row: ThreadRow,
		move: Move,
		actorTenantId: string | null,
		message: string | null,
		now: number,
	): Transition | Refusal {
		const outcome = apply(this.#state(row), move, now);
		if (!outcome.ok) return outcome;
		const next = outcome.state;
		const event: OfferEvent = {
			id: newId("evt"),
			type: outcome.event,
			occurred_at: iso(now),
			offer_id: row.offer_id,
			listing_id: row.listing_id,
			buyer_tenant_id: row.buyer_tenant_id,
			seller_tenant_id: row.seller_tenant_id,
			actor_tenant_id: actorTenantId,
			version: next.version,
			amount_cents: next.amount_cents,
			currency: row.currency,
		};
		offerEventSchema.parse(event);
		this.ctx.storage.transactionSync(() => {
			query(this.ctx.storage.sql)`UPDATE thread SET status = ${next.status}, version = ${next.version},
				amount_cents = ${next.amount_cents}, last_actor = ${next.last_proposer}, on_hold = ${next.on_hold ? 1 : 0},
				expires_at = ${next.expires_at}, updated_at = ${next.updated_at} WHERE id = 1`;
			this.#record(event, outcome.action, message, now);
		});
		return outcome;
	}

	/** A refusal as an answer; a proposal found past its expiry is expired on the spot. */
	async #refused(row: ThreadRow, refusal: Refusal, now: number): Promise<ActResult> {
		if (refusal.reason === "expired") {
			const expired = this.#commit(row, { type: "expire" }, null, null, now);
			if (expired.ok) await this.#afterChange(now);
		}
		const status =
			refusal.reason === "invalid_amount"
				? 400
				: refusal.reason === "not_buyer" || refusal.reason === "not_seller"
					? 403
					: 409;
		return { ok: false, status, detail: refusal.detail };
	}

	#record(event: OfferEvent, action: HistoryEntry["action"], message: string | null, now: number): void {
		const sql = query(this.ctx.storage.sql);
		sql`INSERT INTO history (version, action, actor_tenant_id, amount_cents, message, at)
			VALUES (${event.version}, ${action}, ${event.actor_tenant_id ?? ""}, ${event.amount_cents}, ${message}, ${now})`;
		sql`INSERT INTO outbox (event_id, queue, body, created_at, sent_at)
			VALUES (${event.id}, 'offer-events', ${JSON.stringify(event)}, ${now}, NULL)`;
	}

	/** After a committed change: tell every socket, send the outbox, and set the one alarm. */
	async #afterChange(now: number): Promise<void> {
		if (this.#thread()) this.#broadcast({ type: "state", offer: this.#view(false) });
		await this.#flush(now);
		await this.#schedule(now);
	}

	async #flush(now: number): Promise<void> {
		const sql = query(this.ctx.storage.sql);
		const unsent = sql<{ event_id: string; body: string }>`
			SELECT event_id, body FROM outbox WHERE sent_at IS NULL ORDER BY created_at, event_id LIMIT 100`;
		if (unsent.length === 0) return;
		try {
			await this.env.OFFER_EVENTS.sendBatch(
				unsent.map((row) => ({ body: JSON.parse(row.body) as OfferEvent, contentType: "json" as const })),
			);
		} catch (cause) {
			console.error("offer-events send failed; the alarm will resend", cause);
			return;
		}
		for (const row of unsent) sql`UPDATE outbox SET sent_at = ${now} WHERE event_id = ${row.event_id}`;
	}

	/** One alarm: the proposal's expiry, or sooner if a message is still waiting to be sent. */
	async #schedule(now: number): Promise<void> {
		const row = this.#thread();
		const candidates: number[] = [];
		if (row && isOpen(row.status) && !row.on_hold && row.expires_at !== null) candidates.push(row.expires_at);
		const [pending] = query(this.ctx.storage.sql)<{ n: number }>`
			SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL`;
		if ((pending?.n ?? 0) > 0) candidates.push(now + RESEND_AFTER_MS);
		if (candidates.length === 0) await this.ctx.storage.deleteAlarm();
		else await this.ctx.storage.setAlarm(Math.min(...candidates));
	}

	#broadcast(frame: ServerFrame): void {
		this.broadcast(JSON.stringify(frame));
	}

	#sideOf(row: ThreadRow, actor: Actor): Side | null {
		if (actor.tenantId === row.buyer_tenant_id) return "buyer";
		if (actor.tenantId === row.seller_tenant_id) return "seller";
		return null;
	}

	#thread(): ThreadRow | null {
		const [row] = query(this.ctx.storage.sql)<ThreadRow & Record<string, SqlStorageValue>>`
			SELECT offer_id, listing_id, buyer_tenant_id, seller_tenant_id, amount_cents, currency, status, version,
			       last_actor, on_hold, expires_at, created_at, updated_at
			FROM thread WHERE id = 1`;
		return row ?? null;
	}

	#state(row: ThreadRow): ThreadState {
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

	#viewOrThrow(withHistory: boolean): OfferView {
		if (!this.#thread()) throw new Error("thread not opened");
		return this.#view(withHistory);
	}

	#view(withHistory: boolean): OfferView {
		const row = this.#thread();
		if (!row) throw new Error("thread not opened");
		const view: OfferView = {
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
		};
		if (withHistory) {
			view.history = query(this.ctx.storage.sql)<{
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
		} else {
			view.online = [
				...new Set([...this.getConnections<SocketState>()].flatMap((c) => (c.state ? [c.state.tenantId] : []))),
			];
		}
		return view;
	}
}
