/**
 * The negotiation client, for the browser app and the e2e tests: one reconnecting socket
 * (partysocket) to `/parties/negotiation-room/:offerId`, speaking the frames of ./protocol.ts.
 * Outgoing frames are checked with `clientFrameSchema` before they are sent, incoming ones with
 * `serverFrameSchema`; anything that fails either check is reported through `onError`, never
 * thrown, so a UI has one place to show what went wrong.
 *
 * Trade-offs:
 * - The token rides in the query string (`?token=`), because a browser cannot set headers on a
 *   WebSocket handshake. It can land in access logs; the edge accepts a query token on this one
 *   path only. Pass a function to fetch a fresh token on every reconnect.
 * - partysocket reconnects with backoff and buffers frames sent while disconnected. A buffered
 *   move carries the version it was made against, so if the thread moved on meanwhile the room
 *   answers 409 instead of applying a stale move. A refused handshake (401, 404) cannot be told
 *   from a network failure in a WebSocket API, so it is retried like one; only the room's own
 *   refusal (close code 1008, "not a party") stops the retries. Bound them with `maxRetries`.
 * - Server frames are parsed field by field with the protocol's own schemas (`state.offer` is the
 *   offer view the REST routes answer); a field this client does not know yet is dropped, not an
 *   error, so a newer room does not break an older page.
 */
import { PartySocket } from "partysocket";
import {
	type ClientFrame,
	clientFrameSchema,
	type OfferView,
	type ServerFrame,
	serverFrameSchema,
} from "./protocol.ts";

/** The room's close code for a caller that is not a party to the thread. */
const POLICY_VIOLATION = 1008;

export interface NegotiationClientOptions {
	/** `host[:port]`, e.g. `techflunky.com` or `127.0.0.1:8787`; a scheme prefix is ignored. */
	host: string;
	offerId: string;
	/** A session token, or a function that returns the current one (called on every (re)connect). */
	token?: string | (() => string | Promise<string>);
	/** Defaults to `ws` for localhost and private addresses, `wss` otherwise. */
	protocol?: "ws" | "wss";
	/** A WebSocket implementation, where the runtime has no global one or a test needs its own. */
	WebSocket?: typeof WebSocket;
	/** How many times to reconnect before giving up; unbounded by default. */
	maxRetries?: number;
}

export type ChatMessage = Omit<Extract<ServerFrame, { type: "chat" }>, "type">;

export type NegotiationError =
	/** An `error` frame from the room: a refused move or a bad frame, with the status and detail REST would answer. */
	| { kind: "server"; status: number; detail: string }
	/** A frame this client would not send because it does not fit the protocol; nothing was sent. */
	| { kind: "invalid_frame"; detail: string }
	/** A frame from the server that does not fit the protocol; it was dropped. */
	| { kind: "malformed_frame"; detail: string }
	/** The socket failed or was closed by the room; `retrying` says whether it will reconnect. */
	| { kind: "connection"; detail: string; code?: number; retrying: boolean };

type Listener<T> = (value: T) => void;

export class NegotiationClient {
	/** The underlying reconnecting socket: its events, `readyState`, and raw `send` for what the typed methods refuse. */
	readonly socket: PartySocket;
	/** The thread as of the last `state` frame, or `null` before the first one. */
	latest: OfferView | null = null;

	readonly #state = new Set<Listener<OfferView>>();
	readonly #chat = new Set<Listener<ChatMessage>>();
	readonly #error = new Set<Listener<NegotiationError>>();
	#closed = false;

	constructor(options: NegotiationClientOptions) {
		const { token } = options;
		this.socket = new PartySocket({
			host: options.host,
			party: "negotiation-room",
			room: options.offerId,
			...(options.protocol === undefined ? {} : { protocol: options.protocol }),
			...(options.WebSocket === undefined ? {} : { WebSocket: options.WebSocket }),
			...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
			query: typeof token === "function" ? async () => ({ token: await token() }) : { token },
			shouldReconnectOnClose: (event) => event.code !== POLICY_VIOLATION,
		});
		this.socket.addEventListener("message", (event) => this.#receive(event.data));
		this.socket.addEventListener("error", (event) => {
			if (this.#closed) return;
			this.#emit(this.#error, {
				kind: "connection",
				detail: event.message || "The connection failed.",
				retrying: this.socket.shouldReconnect,
			});
		});
		this.socket.addEventListener("close", (event) => {
			if (this.#closed || event.code !== POLICY_VIOLATION) return;
			this.#emit(this.#error, {
				kind: "connection",
				detail: event.reason || "The room refused this connection.",
				code: event.code,
				retrying: false,
			});
		});
	}

	/** Every `state` frame: on connect, after every change, and when a party comes or goes. */
	onState(listener: Listener<OfferView>): () => void {
		return this.#subscribe(this.#state, listener);
	}

	onChat(listener: Listener<ChatMessage>): () => void {
		return this.#subscribe(this.#chat, listener);
	}

	onError(listener: Listener<NegotiationError>): () => void {
		return this.#subscribe(this.#error, listener);
	}

	/** Each move returns whether the frame was valid and handed to the socket (sent or buffered). */
	counter(amount_cents: number, version: number, message?: string): boolean {
		return this.#send(
			message === undefined
				? { type: "counter", amount_cents, version }
				: { type: "counter", amount_cents, version, message },
		);
	}

	accept(version: number): boolean {
		return this.#send({ type: "accept", version });
	}

	reject(version: number): boolean {
		return this.#send({ type: "reject", version });
	}

	/** The buyer leaves the thread; without `version` it applies to whatever the thread is at. */
	withdraw(version?: number): boolean {
		return this.#send(version === undefined ? { type: "withdraw" } : { type: "withdraw", version });
	}

	chat(text: string): boolean {
		return this.#send({ type: "chat", text });
	}

	/** Closes the socket for good; listeners hear nothing more. */
	close(): void {
		this.#closed = true;
		this.socket.close();
		this.#state.clear();
		this.#chat.clear();
		this.#error.clear();
	}

	#send(frame: ClientFrame): boolean {
		const parsed = clientFrameSchema.safeParse(frame);
		if (!parsed.success) {
			this.#emit(this.#error, { kind: "invalid_frame", detail: describe(parsed.error.issues) });
			return false;
		}
		this.socket.send(JSON.stringify(parsed.data));
		return true;
	}

	#receive(data: unknown): void {
		if (this.#closed) return;
		if (typeof data !== "string") {
			this.#emit(this.#error, { kind: "malformed_frame", detail: "The server sent a binary frame." });
			return;
		}
		let json: unknown;
		try {
			json = JSON.parse(data);
		} catch {
			this.#emit(this.#error, { kind: "malformed_frame", detail: "The server sent a frame that is not JSON." });
			return;
		}
		const parsed = serverFrameSchema.safeParse(json);
		if (!parsed.success) {
			this.#emit(this.#error, { kind: "malformed_frame", detail: describe(parsed.error.issues) });
			return;
		}
		const frame = parsed.data;
		switch (frame.type) {
			case "state":
				this.latest = frame.offer;
				this.#emit(this.#state, frame.offer);
				return;
			case "chat": {
				const { type: _type, ...message } = frame;
				this.#emit(this.#chat, message);
				return;
			}
			case "error":
				this.#emit(this.#error, { kind: "server", status: frame.status, detail: frame.detail });
				return;
		}
	}

	#subscribe<T>(listeners: Set<Listener<T>>, listener: Listener<T>): () => void {
		listeners.add(listener);
		return () => listeners.delete(listener);
	}

	#emit<T>(listeners: Set<Listener<T>>, value: T): void {
		for (const listener of [...listeners]) listener(value);
	}
}

function describe(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
	const issue = issues[0];
	if (!issue) return "The frame does not fit the protocol.";
	return `${issue.path.map(String).join(".") || "(frame)"}: ${issue.message}`;
}
