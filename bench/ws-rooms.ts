/**
 * `ws_counter_latency`: many negotiation rooms at once, each with a buyer and a seller socket
 * that take turns countering at a fixed pace (an open loop: the load offered does not depend on
 * how fast the topology answers, unless it falls behind). A sample is the time from `send` of a counter on one party's
 * socket to the arrival, on the OTHER party's socket, of the `state` frame carrying the new
 * version: the full path dispatch → NegotiationRoom (session and rate-limit check in the
 * sender's TenantObject, state machine, SQLite commit, outbox) → broadcast.
 *
 * Accounts are made through the API like any client (each registration from its own client IP,
 * since sign-up is limited per IP), and rooms are spread over enough tenants that no tenant's
 * token bucket runs dry: every frame, the handshake included, spends one of the sender's tokens.
 * Raw sockets (undici's WebSocket) rather than the partysocket client: no reconnect logic and no
 * frame validation in the measured path.
 */
import { WebSocket } from "undici";
import { type Account, ApiClient, freshIp, verifyInDatabase } from "./api-client.ts";
import { round, sleep, summarize } from "./stats.ts";

export interface WsRoomsOptions {
	port: string;
	/** The topology's D1, where the rooms' accounts get their addresses verified. */
	db: Parameters<typeof verifyInDatabase>[0];
	rooms: number;
	sellers: number;
	/** Counters per room, alternating seller, buyer, seller, … */
	rounds: number;
	/**
	 * Each room sends a counter every `paceMs` (rooms staggered evenly over one interval), or as
	 * soon as the previous one has arrived if that is later: a fixed offered load of
	 * `rooms × 1000 / paceMs` counters/s, so the latency is the path's, not a queue's.
	 */
	paceMs: number;
}

export interface WsRoomsResult {
	p50_ms: number;
	p95_ms: number;
	p99_ms: number;
	samples: number;
	rooms: number;
	rounds_per_room: number;
	/** Counters applied and delivered per second over all rooms. */
	counters_per_s: number;
	/** The load offered: rooms × 1000 / paceMs. */
	offered_per_s: number;
	/** Error frames, refused handshakes and waits that timed out; a room stops at its first. */
	errors: number;
	duration_s: number;
	/** Offer ids of the rooms, for checking what the consumer made of their events. */
	offerIds: string[];
	/** The rooms' threads and parties, for the scenarios that reuse them. */
	threads: { offerId: string; seller: Account; buyer: Account }[];
}

const FRAME_TIMEOUT_MS = 10_000;

export async function wsRooms(options: WsRoomsOptions): Promise<WsRoomsResult> {
	const client = new ApiClient(options.port, verifyInDatabase(options.db));
	try {
		const sellers = await limited(options.sellers, 6, () => client.register("seller"));
		const listingIds = await limited(options.sellers, 6, async (i) => client.createListing(at(sellers, i)));
		const buyers = await limited(options.rooms, 6, () => client.register("buyer"));
		const rooms = await limited(options.rooms, 6, async (i) => {
			const seller = at(sellers, i % sellers.length);
			const buyer = at(buyers, i);
			const offer = await client.openOffer(buyer, at(listingIds, i % listingIds.length), 20_000_000);
			return { offer, seller, buyer };
		});

		const sockets = await Promise.all(
			rooms.map(async ({ offer, seller, buyer }) => {
				const [sellerSocket, buyerSocket] = await Promise.all([
					RoomSocket.open(options.port, offer.id, seller),
					RoomSocket.open(options.port, offer.id, buyer),
				]);
				return { offer, sellerSocket, buyerSocket };
			}),
		);

		const samples: number[] = [];
		let errors = 0;
		const started = performance.now();
		await Promise.all(
			sockets.map(async ({ offer, sellerSocket, buyerSocket }, room) => {
				let version = 1;
				const offset = (room * options.paceMs) / sockets.length;
				for (let turn = 0; turn < options.rounds; turn++) {
					const wait = started + offset + turn * options.paceMs - performance.now();
					if (wait > 0) await sleep(wait);
					const sellerTurn = turn % 2 === 0;
					const [from, to] = sellerTurn ? [sellerSocket, buyerSocket] : [buyerSocket, sellerSocket];
					const amount = sellerTurn ? 24_000_000 - turn * 1_000 : offer.amount_cents + turn * 1_000;
					const arrived = to.version(version + 1);
					const sent = performance.now();
					from.send({ type: "counter", amount_cents: amount, version });
					try {
						samples.push((await arrived) - sent);
					} catch (error) {
						errors += 1;
						console.warn(`room ${offer.id} stopped at version ${version}: ${(error as Error).message}`);
						return;
					}
					version += 1;
				}
			}),
		);
		const seconds = (performance.now() - started) / 1000;
		errors += sockets.reduce((sum, { sellerSocket, buyerSocket }) => sum + sellerSocket.errors + buyerSocket.errors, 0);
		for (const { sellerSocket, buyerSocket } of sockets) {
			sellerSocket.close();
			buyerSocket.close();
		}
		return {
			...summarize(samples),
			samples: samples.length,
			rooms: rooms.length,
			rounds_per_room: options.rounds,
			counters_per_s: round(samples.length / seconds, 0),
			offered_per_s: round((sockets.length * 1000) / options.paceMs, 0),
			errors,
			duration_s: round(seconds, 2),
			offerIds: rooms.map((room) => room.offer.id),
			threads: rooms.map((room) => ({ offerId: room.offer.id, seller: room.seller, buyer: room.buyer })),
		};
	} finally {
		await client.close();
	}
}

/** One party's socket: remembers when each thread version first arrived, and lets a caller wait for one. */
export class RoomSocket {
	errors = 0;
	readonly socket: WebSocket;
	readonly #arrivals = new Map<number, number>();
	readonly #waiters = new Map<number, { resolve: (at: number) => void; reject: (error: Error) => void }>();

	private constructor(socket: WebSocket) {
		this.socket = socket;
		socket.addEventListener("message", (event) => {
			const at = performance.now();
			const frame = JSON.parse(String(event.data)) as { type: string; offer?: { version: number }; detail?: string };
			if (frame.type === "state" && frame.offer) {
				const { version } = frame.offer;
				if (!this.#arrivals.has(version)) this.#arrivals.set(version, at);
				this.#waiters.get(version)?.resolve(at);
				this.#waiters.delete(version);
			} else if (frame.type === "error") {
				this.errors += 1;
				console.warn(`error frame: ${frame.detail}`);
			}
		});
		// A refused handshake or a dropped socket fails every wait at once instead of by timeout.
		socket.addEventListener("close", (event) => {
			const error = new Error(`socket closed (${event.code} ${event.reason})`);
			for (const waiter of this.#waiters.values()) waiter.reject(error);
			this.#waiters.clear();
		});
	}

	static open(port: string, offerId: string, account: Account): Promise<RoomSocket> {
		const url = `ws://127.0.0.1:${port}/parties/negotiation-room/${offerId}?token=${encodeURIComponent(account.token)}`;
		const socket = new WebSocket(url, { headers: { "CF-Connecting-IP": freshIp() } });
		const room = new RoomSocket(socket);
		// Open means upgraded; the first state frame means the room has the connection registered.
		return room.version(1).then(() => room);
	}

	/** When the state frame with `version` arrived (performance.now()), now or once it does. */
	version(version: number): Promise<number> {
		const seen = this.#arrivals.get(version);
		if (seen !== undefined) return Promise.resolve(seen);
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#waiters.delete(version);
				reject(new Error(`no state frame with version ${version} within ${FRAME_TIMEOUT_MS} ms`));
			}, FRAME_TIMEOUT_MS);
			this.#waiters.set(version, {
				resolve: (at) => {
					clearTimeout(timer);
					resolve(at);
				},
				reject: (error) => {
					clearTimeout(timer);
					reject(error);
				},
			});
		});
	}

	send(frame: unknown): void {
		this.socket.send(JSON.stringify(frame));
	}

	close(): void {
		this.socket.close();
	}
}

/** `count` calls of `task`, at most `parallel` at a time, results in index order. */
async function limited<T>(count: number, parallel: number, task: (index: number) => Promise<T>): Promise<T[]> {
	const results: T[] = new Array(count);
	let next = 0;
	const worker = async () => {
		while (next < count) {
			const index = next++;
			results[index] = await task(index);
		}
	};
	await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
	return results;
}

function at<T>(items: readonly T[], index: number): T {
	const item = items[index];
	if (item === undefined) throw new Error(`no item ${index}`);
	return item;
}
