import { afterEach, describe, expect, it, vi } from "vitest";
import { NegotiationClient, type NegotiationError } from "./client.ts";
import type { OfferView } from "./protocol.ts";

/** A stand-in for the browser WebSocket: records what is sent, and lets a test play the server. */
class FakeSocket extends EventTarget {
	static instances: FakeSocket[] = [];
	readyState = 0;
	binaryType = "blob";
	readonly sent: string[] = [];

	constructor(
		readonly url: string,
		readonly protocols?: string | string[],
	) {
		super();
		FakeSocket.instances.push(this);
	}

	send(data: string): void {
		this.sent.push(data);
	}

	close(code = 1000, reason = ""): void {
		this.readyState = 3;
		this.dispatchEvent(Object.assign(new Event("close"), { code, reason }));
	}

	open(): void {
		this.readyState = 1;
		this.dispatchEvent(new Event("open"));
	}

	receive(data: unknown): void {
		this.dispatchEvent(new MessageEvent("message", { data }));
	}
}

const OFFER_ID = `off_${"a".repeat(32)}`;

const offer = (version: number): OfferView => ({
	id: OFFER_ID,
	listing_id: `lst_${"b".repeat(32)}`,
	buyer_tenant_id: "buyer_1",
	seller_tenant_id: "seller_1",
	amount_cents: 1_000,
	currency: "USD",
	status: "pending",
	version,
	last_proposer: "buyer",
	on_hold: false,
	expires_at: null,
	created_at: "2026-01-01T00:00:00.000Z",
	updated_at: "2026-01-01T00:00:00.000Z",
	online: ["buyer_1"],
});

const clients: NegotiationClient[] = [];

/** A client on a fake socket that is open, and the socket. */
async function connected(options: { token?: string | (() => string) } = {}) {
	const client = new NegotiationClient({
		host: "127.0.0.1:8787",
		offerId: OFFER_ID,
		WebSocket: FakeSocket as unknown as typeof WebSocket,
		...options,
	});
	clients.push(client);
	const socket = await vi.waitFor(() => {
		const last = FakeSocket.instances.at(-1);
		if (!last) throw new Error("not connected yet");
		return last;
	});
	socket.open();
	return { client, socket };
}

afterEach(() => {
	for (const client of clients.splice(0)) client.close();
	FakeSocket.instances = [];
});

describe("NegotiationClient", () => {
	it("connects to the thread's room with the token in the query", async () => {
		const { socket } = await connected({ token: "tok.en" });
		const url = new URL(socket.url);
		expect(url.protocol).toBe("ws:");
		expect(url.host).toBe("127.0.0.1:8787");
		expect(url.pathname).toBe(`/parties/negotiation-room/${OFFER_ID}`);
		expect(url.searchParams.get("token")).toBe("tok.en");
	});

	it("asks a token function for the token when it connects", async () => {
		const token = vi.fn(() => "fresh");
		const { socket } = await connected({ token });
		expect(new URL(socket.url).searchParams.get("token")).toBe("fresh");
		expect(token).toHaveBeenCalledTimes(1);
	});

	it("delivers state, chat and error frames to their listeners and keeps the latest state", async () => {
		const { client, socket } = await connected();
		const states: OfferView[] = [];
		const chats: unknown[] = [];
		const errors: NegotiationError[] = [];
		client.onState((state) => states.push(state));
		client.onChat((chat) => chats.push(chat));
		client.onError((error) => errors.push(error));
		expect(client.latest).toBeNull();

		socket.receive(JSON.stringify({ type: "state", offer: offer(1) }));
		socket.receive(JSON.stringify({ type: "state", offer: offer(2) }));
		socket.receive(JSON.stringify({ type: "chat", from_tenant_id: "buyer_1", text: "hi", at: "2026-01-01T00:00:00Z" }));
		socket.receive(JSON.stringify({ type: "error", status: 409, detail: "stale" }));

		expect(states.map((state) => state.version)).toEqual([1, 2]);
		expect(client.latest?.version).toBe(2);
		expect(chats).toEqual([{ from_tenant_id: "buyer_1", text: "hi", at: "2026-01-01T00:00:00Z" }]);
		expect(errors).toEqual([{ kind: "server", status: 409, detail: "stale" }]);
	});

	it("reports a frame that does not fit the protocol instead of throwing", async () => {
		const { client, socket } = await connected();
		const errors: NegotiationError[] = [];
		const states: OfferView[] = [];
		client.onError((error) => errors.push(error));
		client.onState((state) => states.push(state));

		expect(() => {
			socket.receive("{not json");
			socket.receive(JSON.stringify({ type: "surprise" }));
			socket.receive(JSON.stringify({ type: "state", offer: { status: "accepted" } }));
			socket.receive(new ArrayBuffer(4));
		}).not.toThrow();

		expect(errors.map((error) => error.kind)).toEqual([
			"malformed_frame",
			"malformed_frame",
			"malformed_frame",
			"malformed_frame",
		]);
		expect(states).toEqual([]);
		expect(client.latest).toBeNull();
	});

	it("sends each move as a protocol frame", async () => {
		const { client, socket } = await connected();
		expect(client.counter(1_500, 1, "meet halfway")).toBe(true);
		expect(client.counter(1_400, 2)).toBe(true);
		expect(client.accept(3)).toBe(true);
		expect(client.reject(3)).toBe(true);
		expect(client.withdraw()).toBe(true);
		expect(client.withdraw(4)).toBe(true);
		expect(client.chat("hello")).toBe(true);
		expect(socket.sent.map((frame) => JSON.parse(frame))).toEqual([
			{ type: "counter", amount_cents: 1_500, version: 1, message: "meet halfway" },
			{ type: "counter", amount_cents: 1_400, version: 2 },
			{ type: "accept", version: 3 },
			{ type: "reject", version: 3 },
			{ type: "withdraw" },
			{ type: "withdraw", version: 4 },
			{ type: "chat", text: "hello" },
		]);
	});

	it("refuses to send an invalid move and reports it", async () => {
		const { client, socket } = await connected();
		const errors: NegotiationError[] = [];
		client.onError((error) => errors.push(error));
		expect(client.counter(0, 1)).toBe(false);
		expect(client.counter(10.5, 1)).toBe(false);
		expect(client.accept(0)).toBe(false);
		expect(client.chat("   ")).toBe(false);
		expect(client.chat("x".repeat(2001))).toBe(false);
		expect(socket.sent).toEqual([]);
		expect(errors).toHaveLength(5);
		expect(errors.every((error) => error.kind === "invalid_frame")).toBe(true);
	});

	it("stops listening once a listener unsubscribes", async () => {
		const { client, socket } = await connected();
		const states: OfferView[] = [];
		const unsubscribe = client.onState((state) => states.push(state));
		socket.receive(JSON.stringify({ type: "state", offer: offer(1) }));
		unsubscribe();
		socket.receive(JSON.stringify({ type: "state", offer: offer(2) }));
		expect(states.map((state) => state.version)).toEqual([1]);
		expect(client.latest?.version).toBe(2);
	});

	it("stops reconnecting when the room refuses the caller, and reconnects after other closes", async () => {
		const refused = await connected();
		const errors: NegotiationError[] = [];
		refused.client.onError((error) => errors.push(error));
		refused.socket.close(1008, "not a party to this offer");
		expect(errors).toEqual([{ kind: "connection", detail: "not a party to this offer", code: 1008, retrying: false }]);
		expect(refused.client.socket.shouldReconnect).toBe(false);

		const dropped = await connected();
		dropped.socket.close(1011, "internal error");
		expect(dropped.client.socket.shouldReconnect).toBe(true);
	});

	it("is silent after close", async () => {
		const { client, socket } = await connected();
		const heard: unknown[] = [];
		client.onState((state) => heard.push(state));
		client.onError((error) => heard.push(error));
		client.close();
		socket.receive(JSON.stringify({ type: "state", offer: offer(1) }));
		socket.receive("{not json");
		expect(heard).toEqual([]);
		expect(client.socket.shouldReconnect).toBe(false);
	});
});
