/**
 * The soak's HTTP and WebSocket client. Every call is tallied by operation and status; a status
 * outside the call's `allowed` list (or any 5xx, or a network error) is recorded as unexpected and
 * fails the run. Like bench/api-client.ts, each call addresses `localhost:<port>` over 127.0.0.1
 * and poses as a fresh client IP, so per-IP sign-up and anonymous limits never refuse it.
 *
 * A call marked with a user-Worker fault (soak/faults/) carries `X-Soak-Fault` and must be
 * answered with a 502 `application/problem+json`; it is tallied as `<op> 502 (<kind> fault)`, so
 * injected 502s never count as real 5xx, and anything else it gets is unexpected.
 */
import { Agent, fetch, WebSocket } from "undici";
import { freshIp } from "../bench/api-client.ts";
import { FAULT_HEADER, type UserFault, userFaultFor } from "./faults/plan.ts";

export interface Reply<T> {
	status: number;
	body: T;
}

export interface Unexpected {
	op: string;
	method: string;
	path: string;
	status: number | "network" | "timeout";
	detail: string;
}

export class SoakClient {
	readonly port: string;
	/** `op status` → count. */
	readonly statuses = new Map<string, number>();
	readonly unexpected: Unexpected[] = [];
	/** `op kind` → injected user-Worker faults answered with a 502 problem. */
	readonly injected = new Map<string, number>();
	readonly #faultable = new Map<string, number>();
	#agent = SoakClient.#newAgent();

	constructor(port: string) {
		this.port = port;
	}

	static #newAgent(): Agent {
		return new Agent({
			connect: {
				lookup: (_hostname, options, callback) => {
					if (options?.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
					else callback(null, "127.0.0.1", 4);
				},
			},
		});
	}

	/** Drops pooled connections (after the runtime restarted on the same port). */
	async resetConnections(): Promise<void> {
		const old = this.#agent;
		this.#agent = SoakClient.#newAgent();
		await old.destroy().catch(() => undefined);
	}

	/** Whether the next call of `op` is one the user Worker is made to fail (the share of plan.ts). */
	nextFault(op: string): UserFault | null {
		const n = (this.#faultable.get(op) ?? 0) + 1;
		this.#faultable.set(op, n);
		return userFaultFor(n);
	}

	tally(op: string, status: number | string): void {
		const key = `${op} ${status}`;
		this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
	}

	async call<T>(
		op: string,
		method: string,
		path: string,
		allowed: readonly number[],
		options: { json?: unknown; token?: string; fault?: UserFault | null } = {},
	): Promise<Reply<T> | null> {
		const headers: Record<string, string> = { "CF-Connecting-IP": freshIp() };
		if (options.json !== undefined) headers["Content-Type"] = "application/json";
		if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
		if (options.fault) headers[FAULT_HEADER] = options.fault;
		let status: number;
		let text: string;
		let contentType: string;
		try {
			const res = await fetch(`http://localhost:${this.port}${path}`, {
				method,
				headers,
				...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
				dispatcher: this.#agent,
				signal: AbortSignal.timeout(15_000),
			});
			status = res.status;
			contentType = res.headers.get("Content-Type") ?? "";
			text = await res.text();
		} catch (error) {
			this.tally(op, "network");
			this.unexpected.push({ op, method, path, status: "network", detail: (error as Error).message });
			return null;
		}
		if (options.fault) return this.#injected(op, method, path, options.fault, status, contentType, text);
		this.tally(op, status);
		if (status >= 500 || !allowed.includes(status)) {
			this.unexpected.push({ op, method, path, status, detail: text.slice(0, 300) });
			return null;
		}
		return { status, body: (text === "" ? undefined : JSON.parse(text)) as T };
	}

	#injected<T>(
		op: string,
		method: string,
		path: string,
		fault: UserFault,
		status: number,
		contentType: string,
		text: string,
	): Reply<T> | null {
		this.tally(op, `${status} (${fault} fault)`);
		let problemStatus: unknown;
		try {
			problemStatus = (JSON.parse(text) as { status?: unknown }).status;
		} catch {
			problemStatus = undefined;
		}
		if (status !== 502 || !contentType.startsWith("application/problem+json") || problemStatus !== 502) {
			this.unexpected.push({
				op,
				method,
				path,
				status,
				detail: `${fault} fault: want a 502 problem, got ${contentType} ${text.slice(0, 200)}`,
			});
			return null;
		}
		const key = `${op} ${fault}`;
		this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
		return { status, body: JSON.parse(text) as T };
	}

	close(): Promise<void> {
		return this.#agent.close();
	}
}

export interface OfferView {
	id: string;
	listing_id: string;
	amount_cents: number;
	status: string;
	version: number;
	last_proposer: "buyer" | "seller";
	on_hold: boolean;
	history?: { version: number; action: string; amount_cents: number; actor_tenant_id: string | null }[];
}

export type FrameResult = { ok: true; offer: OfferView } | { ok: false; status: number; detail: string };

/**
 * One party's socket on a negotiation room, opened for one move: `act` sends a frame and resolves
 * with the first `state` frame at or past `expectVersion`, or with the `error` frame the room
 * answers the sender with.
 */
export class RoomSocket {
	readonly #socket: WebSocket;
	#latest: OfferView | null = null;
	#waiter: { expect: number; resolve: (result: FrameResult) => void } | null = null;
	#closed: Error | null = null;

	private constructor(socket: WebSocket) {
		this.#socket = socket;
		socket.addEventListener("message", (event) => {
			const frame = JSON.parse(String(event.data)) as {
				type: string;
				offer?: OfferView;
				status?: number;
				detail?: string;
			};
			if (frame.type === "state" && frame.offer) {
				this.#latest = frame.offer;
				if (this.#waiter && frame.offer.version >= this.#waiter.expect) {
					this.#waiter.resolve({ ok: true, offer: frame.offer });
					this.#waiter = null;
				}
			} else if (frame.type === "error" && this.#waiter) {
				this.#waiter.resolve({ ok: false, status: frame.status ?? 0, detail: frame.detail ?? "" });
				this.#waiter = null;
			}
		});
		socket.addEventListener("close", (event) => {
			this.#closed = new Error(`socket closed (${event.code} ${event.reason})`);
		});
	}

	/** Opens the socket and waits for the room's first state frame (≤ 10 s). */
	static async open(port: string, offerId: string, token: string): Promise<RoomSocket> {
		const url = `ws://127.0.0.1:${port}/parties/negotiation-room/${offerId}?token=${encodeURIComponent(token)}`;
		const room = new RoomSocket(new WebSocket(url, { headers: { "CF-Connecting-IP": freshIp() } }));
		for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
			if (room.#latest) return room;
			if (room.#closed) throw room.#closed;
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		room.close();
		throw new Error("no state frame within 10 s of opening");
	}

	get latest(): OfferView | null {
		return this.#latest;
	}

	act(frame: unknown, expectVersion: number): Promise<FrameResult> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#waiter = null;
				reject(new Error(`no answer to ${JSON.stringify(frame)} within 10 s`));
			}, 10_000);
			this.#waiter = {
				expect: expectVersion,
				resolve: (result) => {
					clearTimeout(timer);
					resolve(result);
				},
			};
			this.#socket.send(JSON.stringify(frame));
		});
	}

	close(): void {
		this.#socket.close();
	}
}
