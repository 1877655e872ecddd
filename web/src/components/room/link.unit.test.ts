import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Connection, type Link, openLink } from "./link.ts";

/** A stand-in for the browser WebSocket: the test plays the network and the room. */
class FakeSocket extends EventTarget {
	static instances: FakeSocket[] = [];
	readyState = 0;
	binaryType = "blob";

	constructor(readonly url: string) {
		super();
		FakeSocket.instances.push(this);
	}

	send(): void {}

	close(code = 1000, reason = ""): void {
		if (this.readyState === 3) return;
		this.readyState = 3;
		this.dispatchEvent(Object.assign(new Event("close"), { code, reason }));
	}

	open(): void {
		this.readyState = 1;
		this.dispatchEvent(new Event("open"));
	}
}

const OFFER_ID = `off_${"a".repeat(32)}`;
let links: Link[] = [];

/** A link on fake sockets, and every status it reported. */
function opened() {
	const statuses: Connection[] = [];
	const link = openLink(
		OFFER_ID,
		{ state() {}, chat() {}, problem() {}, connection: (status) => statuses.push(status) },
		{ host: "localhost:8787", protocol: "ws", WebSocket: FakeSocket as unknown as typeof WebSocket },
	);
	links.push(link);
	return { link, statuses };
}

/** The `count`th socket, made once partysocket's backoff has passed (and before its 4 s connect timeout). */
async function nextSocket(count: number): Promise<FakeSocket> {
	for (let waited = 0; FakeSocket.instances.length < count && waited < 15_000; waited += 50) {
		await vi.advanceTimersByTimeAsync(50);
	}
	expect(FakeSocket.instances).toHaveLength(count);
	return FakeSocket.instances.at(-1) as FakeSocket;
}

beforeEach(() => {
	vi.useFakeTimers();
});

afterEach(() => {
	for (const link of links) link.close();
	links = [];
	FakeSocket.instances = [];
	vi.useRealTimers();
});

describe("the room's live link", () => {
	it("joins the thread's room on the page's origin without a token", async () => {
		opened();
		const socket = await nextSocket(1);
		const url = new URL(socket.url);
		expect(`${url.protocol}//${url.host}${url.pathname}`).toBe(
			`ws://localhost:8787/parties/negotiation-room/${OFFER_ID}`,
		);
		expect(url.searchParams.has("token")).toBe(false);
	});

	it("says it is reconnecting after a drop, and live again once it is back", async () => {
		const { link, statuses } = opened();
		(await nextSocket(1)).open();
		expect(link.status()).toBe("live");
		FakeSocket.instances[0]?.close(1006);
		expect(link.status()).toBe("reconnecting");
		(await nextSocket(2)).open();
		expect(statuses).toEqual(["live", "reconnecting", "live"]);
	});

	it("gives up after six failed attempts in a row, and starts again on retry", async () => {
		const { link, statuses } = opened();
		for (let attempt = 1; attempt <= 6; attempt++) (await nextSocket(attempt)).close(1006);
		expect(link.status()).toBe("gave_up");
		await vi.advanceTimersByTimeAsync(60_000);
		expect(FakeSocket.instances).toHaveLength(6);

		link.retry();
		expect(link.status()).toBe("connecting");
		(await nextSocket(7)).open();
		expect(statuses).toEqual(["reconnecting", "gave_up", "connecting", "live"]);
	});

	it("stops at once when the room refuses the caller or the session has ended", async () => {
		const refused = opened();
		(await nextSocket(1)).close(1008, "not a party to this offer");
		expect(refused.link.status()).toBe("gave_up");

		const ended = opened();
		const socket = await nextSocket(2);
		socket.open();
		socket.close(4001, "session ended");
		expect(ended.link.status()).toBe("ended");
		await vi.advanceTimersByTimeAsync(60_000);
		expect(FakeSocket.instances).toHaveLength(2);
	});
});
