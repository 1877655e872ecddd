/**
 * The room island's live link: shared/offers/client.ts's reconnecting socket on the page's own
 * origin, authenticated by the `__Host-session` cookie the browser sends on a same-origin
 * handshake (no token in the page or the URL; the edge requires the page's `Origin` for that).
 * What it adds is a connection status a person can read — connecting, live, reconnecting, gave
 * up, session ended — and a bound on retries: after `GIVE_UP_AFTER` failed attempts in a row
 * (about half a minute of partysocket's backoff) it stops and waits for the visitor's "Reconnect",
 * so a page left open on a dead network does not retry forever. The room's own refusal (close
 * 1008) stops at once; a session that ended (close 4001) too, since a retry could only be refused.
 */
import { type ChatMessage, NegotiationClient, type NegotiationError } from "../../../../shared/offers/client.ts";
import type { OfferView } from "../../../../shared/offers/protocol.ts";

export type Connection = "connecting" | "live" | "reconnecting" | "gave_up" | "ended";

export interface LinkListeners {
	state(offer: OfferView): void;
	chat(message: ChatMessage): void;
	/** A refusal or malformed frame; connection failures arrive as `connection` instead. */
	problem(error: Exclude<NegotiationError, { kind: "connection" }>): void;
	connection(status: Connection): void;
}

export interface Link {
	readonly client: NegotiationClient;
	status(): Connection;
	retry(): void;
	close(): void;
}

const GIVE_UP_AFTER = 6;
/** The room's close code for a session that ended while the socket was open. */
const SESSION_ENDED = 4001;

/** Where the socket goes: the page's own origin in the browser; a fake in the unit tests. */
export interface Transport {
	host: string;
	protocol: "ws" | "wss";
	WebSocket?: typeof WebSocket;
}

function pageOrigin(): Transport {
	// partysocket guesses the scheme from the host name, which is wrong for http://seller.localhost.
	return { host: window.location.host, protocol: window.location.protocol === "https:" ? "wss" : "ws" };
}

export function openLink(offerId: string, on: LinkListeners, transport: Transport = pageOrigin()): Link {
	const client = new NegotiationClient({ offerId, ...transport });
	const socket = client.socket;
	let status: Connection = "connecting";
	let failures = 0;
	const set = (next: Connection) => {
		if (next === status) return;
		status = next;
		on.connection(next);
	};

	socket.addEventListener("open", () => {
		failures = 0;
		set("live");
	});
	socket.addEventListener("close", (event) => {
		if (status === "gave_up" || status === "ended") return;
		if (event.code === SESSION_ENDED) {
			set("ended");
			socket.close();
			return;
		}
		failures += 1;
		if (!socket.shouldReconnect || failures >= GIVE_UP_AFTER) {
			set("gave_up");
			socket.close();
			return;
		}
		set("reconnecting");
	});
	client.onState(on.state);
	client.onChat(on.chat);
	client.onError((error) => {
		if (error.kind !== "connection") on.problem(error);
	});

	return {
		client,
		status: () => status,
		retry() {
			failures = 0;
			set("connecting");
			socket.reconnect();
		},
		close() {
			client.close();
		},
	};
}
