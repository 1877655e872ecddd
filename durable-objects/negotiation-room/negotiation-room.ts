/**
 * NegotiationRoom: one Durable Object per offer thread (partyserver `Server`), the single owner
 * of the thread's state. REST handlers (through RPC) and WebSocket frames both call `act`, which
 * runs the pure state machine (./machine.ts), so the two can never disagree. A refused move is a
 * typed `Refusal` (../../shared/contract/outcomes.ts), never a status: the REST handler and the
 * socket turn it into the same problem through the same function.
 *
 * Every change is one `transactionSync`: the thread row, its history entry (./thread-store.ts)
 * and the outbox row of the `offer-events` message that announces it (./outbox.ts). The message
 * is sent right after; the alarm resends whatever is still unsent, and also expires a proposal 72
 * hours after it was made. Hibernation is on: idle sockets cost no memory or duration; a socket's
 * identity (tenant, user, session) lives in its connection state, which survives hibernation, and
 * every frame is admitted like a REST request — session still live, tenant not suspended, bucket
 * not empty — by the caller's TenantObject (./admission.ts), so signing out or a suspension stops
 * an open socket at once. Who a socket is and how a frame reaches `chat` or `act`: ./sockets.ts.
 *
 * Accepting also claims the listing in D1 (`active → under_offer`, the listing lifecycle's `claim`
 * with its `listing.under_offer` event: ./listing-claim.ts) before the acceptance is committed,
 * inside `blockConcurrencyWhile`, so of N simultaneous accepts — of this thread or of competing
 * threads on the same listing — exactly one succeeds; the listing's other open threads are then
 * put on hold.
 */
import { type Connection, type ConnectionContext, Server } from "partyserver";
import { type OfferEvent, offerEventSchema } from "../../queues/offer-events.ts";
import type { Refusal, Refused } from "../../shared/contract/outcomes.ts";
import { newId } from "../../shared/encoding.ts";
import {
	amountCents,
	type ClientFrame,
	clientFrameSchema,
	type HistoryEntry,
	type OfferView,
	type ServerFrame,
} from "../../shared/offers/protocol.ts";
import type { PaymentStatus } from "../../shared/payments/types.ts";
import { migrate } from "../sqlite.ts";
import { announce, claimListing } from "./listing-claim.ts";
import { apply, isOpen, type Refusal as MachineRefusal, type Move, start, type Transition } from "./machine.ts";
import { migrations } from "./migrations.ts";
import { enqueue, flush, hasUnsent, RESEND_AFTER_MS } from "./outbox.ts";
import { ACTOR_HEADER, answerFrame, type SocketState, socketStateOf } from "./sockets.ts";
import {
	historyOf,
	insertThread,
	type OpenInput,
	readThread,
	recentChat,
	recordChat,
	recordHistory,
	sideOf,
	stateOf,
	type ThreadRow,
	updateSettlement,
	updateThread,
	viewOf,
} from "./thread-store.ts";

export { ACTOR_HEADER, ROLE_HEADER, SESSION_HEADER, USER_HEADER } from "./sockets.ts";
export type { OpenInput } from "./thread-store.ts";

/** What a move, a hold, a release or a cancellation comes to: the thread as it now is, or why not. */
export type ActResult = { ok: true; offer: OfferView } | Refused;

/** Who is calling, as established by the edge: a party's tenant, or an admin (who may watch, not negotiate). */
export interface Actor {
	tenantId: string;
	admin: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();
const refuse = (kind: Refusal["kind"], detail: string): Refused => ({ ok: false, refusal: { kind, detail } });
const noSuchOffer = () => refuse("not_found", "No such offer.");

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
			const event = offerEventSchema.parse({
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
			} satisfies OfferEvent);
			this.ctx.storage.transactionSync(() => {
				insertThread(this.#sql, input, state);
				this.#record(event, "created", input.message, input.now);
			});
			await this.#afterChange(input.now);
		}
		const view = this.view(true);
		if (!view) throw new Error("thread not opened");
		return view;
	}

	/** The thread as REST shows it (with history), or `null` before it is opened. */
	view(withHistory = true): OfferView | null {
		const row = this.#thread();
		return row ? this.#view(row, withHistory) : null;
	}

	/** A party's move, from REST or a WebSocket frame; both end here. */
	async act(actor: Actor, frame: Exclude<ClientFrame, { type: "chat" }>, now: number): Promise<ActResult> {
		// RPC callers are parsed like socket frames: the same schema, the same bounds.
		const checked = clientFrameSchema.safeParse(frame);
		if (!checked.success || checked.data.type === "chat") return refuse("invalid_move", "The move is not valid.");
		const valid = checked.data;
		const row = this.#thread();
		if (!row) return noSuchOffer();
		const side = sideOf(row, actor.tenantId);
		if (side === null) {
			return actor.admin
				? refuse("admin_read_only", "Admins can follow a negotiation but not take part in it.")
				: noSuchOffer();
		}
		const move: Move =
			valid.type === "counter"
				? { type: "counter", by: side, amount_cents: valid.amount_cents, version: valid.version }
				: valid.type === "withdraw"
					? { type: "withdraw", by: side, version: valid.version }
					: { type: valid.type, by: side, version: valid.version };
		if (move.type === "accept") return this.#accept(row, actor, move, now);
		const message = valid.type === "counter" ? (valid.message ?? null) : null;
		return this.#commitMove(row, move, actor.tenantId, message, now);
	}

	/** Puts an open thread on hold: another thread's accepted offer holds the listing. */
	async hold(now: number): Promise<ActResult> {
		const row = this.#thread();
		if (!row) return noSuchOffer();
		return this.#commitMove(row, { type: "hold" }, null, null, now);
	}

	/** Takes a held thread off hold: the listing is open again. */
	async release(now: number): Promise<ActResult> {
		const row = this.#thread();
		if (!row) return noSuchOffer();
		return this.#commitMove(row, { type: "release" }, null, null, now);
	}

	/** The seller re-opens the listing after an acceptance fell through: the accepted thread is cancelled. */
	async cancel(actor: Actor, now: number): Promise<ActResult> {
		const row = this.#thread();
		if (!row) return noSuchOffer();
		const side = sideOf(row, actor.tenantId);
		if (side === null) return noSuchOffer();
		return this.#commitMove(row, { type: "cancel", by: side }, actor.tenantId, null, now);
	}

	/** A chat line from a party: stored, then relayed to every socket in the room. */
	chat(actor: Actor, text: string, now: number): ActResult {
		const row = this.#thread();
		if (!row) return noSuchOffer();
		if (sideOf(row, actor.tenantId) === null) {
			return refuse(actor.admin ? "admin_read_only" : "not_found", "Only the parties can chat.");
		}
		recordChat(this.#sql, actor.tenantId, text, now);
		this.#broadcast({ type: "chat", from_tenant_id: actor.tenantId, text, at: iso(now) });
		return { ok: true, offer: this.#view(row, false) };
	}

	/** The thread's payment changed (its PaymentObject): paid closes the thread for good; everyone hears it. */
	settle(input: { payment_id: string; status: PaymentStatus; now: number }): OfferView | null {
		if (!this.#thread()) return null;
		updateSettlement(this.#sql, input.payment_id, input.status, input.now);
		const row = this.#viewOrThrow(false);
		this.#broadcast({ type: "state", offer: row });
		return this.#viewOrThrow(true);
	}

	// --- WebSocket -------------------------------------------------------------------------

	override getConnectionTags(_connection: Connection, ctx: ConnectionContext): string[] {
		const tenantId = ctx.request.headers.get(ACTOR_HEADER);
		return tenantId ? [tenantId] : [];
	}

	override onConnect(connection: Connection<SocketState>, ctx: ConnectionContext): void {
		const row = this.#thread();
		const state = socketStateOf(ctx.request.headers, row);
		if (!state || !row) {
			connection.close(1008, "not a party to this offer");
			return;
		}
		connection.setState(state);
		// Everyone hears that someone came online; the newcomer gets the state like everyone else,
		// then the conversation so far (the newest CHAT_REPLAY lines), as the chat frames it was.
		this.#broadcast({ type: "state", offer: this.#view(row, false) });
		for (const line of recentChat(this.#sql)) {
			const frame: ServerFrame = {
				type: "chat",
				from_tenant_id: line.from_tenant_id,
				text: line.text,
				at: iso(line.at),
			};
			connection.send(JSON.stringify(frame));
		}
	}

	override onClose(): void {
		const row = this.#thread();
		if (row) this.#broadcast({ type: "state", offer: this.#view(row, false) });
	}

	override onMessage(connection: Connection<SocketState>, message: string | ArrayBuffer): Promise<void> {
		return answerFrame(connection, message, this.env.TenantObject, this);
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

	get #sql(): SqlStorage {
		return this.ctx.storage.sql;
	}

	async #accept(row: ThreadRow, actor: Actor, move: Move, now: number): Promise<ActResult> {
		return this.ctx.blockConcurrencyWhile(async () => {
			const current = this.#thread() ?? row;
			const check = apply(stateOf(current), move, now);
			if (!check.ok) return this.#refused(current, check, now);
			// Claim the listing first: of competing acceptances only one can move it out of `active`.
			const claim = await claimListing(this.env, current, actor.tenantId, now);
			if (claim === null) return refuse("listing_unavailable", "The listing is no longer available.");
			const result = await this.#commitMove(current, move, actor.tenantId, null, now);
			await announce(this.env, claim, now);
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
		return { ok: true, offer: this.#viewOrThrow(true) };
	}

	/** Applies `move` and records it with its outbox message, all in one transaction. */
	#commit(
		row: ThreadRow,
		move: Move,
		actorTenantId: string | null,
		message: string | null,
		now: number,
	): Transition | MachineRefusal {
		if (row.settled_at !== null)
			return { ok: false, reason: "closed", detail: "The offer is paid for; the thread is closed." };
		const outcome = apply(stateOf(row), move, now);
		if (!outcome.ok) return outcome;
		const next = outcome.state;
		const event = offerEventSchema.parse({
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
		} satisfies OfferEvent);
		this.ctx.storage.transactionSync(() => {
			updateThread(this.#sql, next);
			this.#record(event, outcome.action, message, now);
		});
		return outcome;
	}

	/** The machine's refusal as the room answers it; a proposal found past its expiry is expired on the spot. */
	async #refused(row: ThreadRow, refusal: MachineRefusal, now: number): Promise<Refused> {
		if (refusal.reason === "expired") {
			const expired = this.#commit(row, { type: "expire" }, null, null, now);
			if (expired.ok) await this.#afterChange(now);
		}
		return refuse(refusal.reason, refusal.detail);
	}

	/** A change's history entry and its outbox message; inside the change's transaction. */
	#record(event: OfferEvent, action: HistoryEntry["action"], message: string | null, now: number): void {
		recordHistory(this.#sql, event, action, message, now);
		enqueue(this.#sql, event, now);
	}

	/** After a committed change: tell every socket, send the outbox, and set the one alarm. */
	async #afterChange(now: number): Promise<void> {
		const row = this.#thread();
		if (row) this.#broadcast({ type: "state", offer: this.#view(row, false) });
		await flush(this.#sql, this.env.OFFER_EVENTS, now);
		await this.#schedule(now);
	}

	/** One alarm: the proposal's expiry, or sooner if a message is still waiting to be sent. */
	async #schedule(now: number): Promise<void> {
		const row = this.#thread();
		const candidates: number[] = [];
		if (row && isOpen(row.status) && !row.on_hold && row.expires_at !== null) candidates.push(row.expires_at);
		if (hasUnsent(this.#sql)) candidates.push(now + RESEND_AFTER_MS);
		if (candidates.length === 0) await this.ctx.storage.deleteAlarm();
		else await this.ctx.storage.setAlarm(Math.min(...candidates));
	}

	#broadcast(frame: ServerFrame): void {
		this.broadcast(JSON.stringify(frame));
	}

	#thread(): ThreadRow | null {
		return readThread(this.#sql);
	}

	#viewOrThrow(withHistory: boolean): OfferView {
		const row = this.#thread();
		if (!row) throw new Error("thread not opened");
		return this.#view(row, withHistory);
	}

	#view(row: ThreadRow, withHistory: boolean): OfferView {
		if (withHistory) return viewOf(row, { history: historyOf(this.#sql) });
		const online = new Set([...this.getConnections<SocketState>()].flatMap((c) => (c.state ? [c.state.tenantId] : [])));
		return viewOf(row, { online: [...online] });
	}
}
