/**
 * The soak's HTTP and WebSocket client. HTTP calls go through the typed client
 * (shared/contract/client.ts) over the loopback transport of test/support/loopback.ts: each
 * addresses `localhost:<port>` over 127.0.0.1 and poses as a fresh client IP, so per-IP sign-up
 * and anonymous limits never refuse it. Every call is tallied by operation and status; a status
 * outside the call's `allowed` list (or any 5xx, a network error, or an answer the contract does
 * not declare or whose body does not fit it) is recorded as unexpected and fails the run.
 *
 * A call marked with a user-Worker fault (soak/faults/) carries `X-Soak-Fault` and must be
 * answered with a 502 `application/problem+json`; it is tallied as `<op> 502 (<kind> fault)`, so
 * injected 502s never count as real 5xx, and anything else it gets is unexpected.
 */
import { WebSocket } from "undici";
import { type CallInput, type CallResult, ContractViolation, fillPath } from "../shared/contract/client.ts";
import type { ContractRoute } from "../shared/contract/policy.ts";
import { contract } from "../shared/contract/table.ts";
import type { OfferView } from "../shared/offers/protocol.ts";
import { freshIp } from "../test/support/fresh-ip.ts";
import { loopbackAgent, loopbackClient, loopbackFetch } from "../test/support/loopback.ts";
import { FAULT_HEADER, type UserFault, userFaultFor } from "./faults/plan.ts";

export type { OfferView };

export interface Unexpected {
	op: string;
	method: string;
	path: string;
	status: number | "network" | "timeout";
	detail: string;
}

/** The answers of `route` with one of the `S` statuses. */
export type Reply<R extends ContractRoute, S> = Extract<CallResult<R>, { status: S }>;

/** An answer that fits the contract, before it is narrowed to the route's types. */
interface Answer {
	status: number;
	body: unknown;
	headers: Headers;
}

const TIMEOUT_MS = 15_000;

export class SoakClient {
	readonly port: string;
	/** `op status` → count. */
	readonly statuses = new Map<string, number>();
	readonly unexpected: Unexpected[] = [];
	/** `op kind` → injected user-Worker faults answered with a 502 problem. */
	readonly injected = new Map<string, number>();
	readonly #faultable = new Map<string, number>();
	#agent = loopbackAgent();
	readonly #fetch = loopbackFetch(() => this.#agent, TIMEOUT_MS);

	constructor(port: string) {
		this.port = port;
	}

	/** Drops pooled connections (after the runtime restarted on the same port). */
	async resetConnections(): Promise<void> {
		const old = this.#agent;
		this.#agent = loopbackAgent();
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

	/** Whether the topology answers its health check (untallied: the restart fault polls it). */
	async healthy(): Promise<boolean> {
		try {
			return (await this.#client().call(contract.healthCheck, {})).status === 200;
		} catch {
			return false;
		}
	}

	/** Calls `route`; the answer, or null when it was unexpected (recorded). */
	async call<R extends ContractRoute, const S extends CallResult<R>["status"]>(
		op: string,
		route: R,
		input: CallInput<R>,
		allowed: readonly S[],
	): Promise<Reply<R, S> | null> {
		const result = await this.#send(op, route, input);
		if (!result) return null;
		const { status, body } = result;
		this.tally(op, status);
		if (status >= 500 || !(allowed as readonly number[]).includes(status)) {
			this.#unexpected(op, route, input, status, JSON.stringify(body));
			return null;
		}
		return result as unknown as Reply<R, S>;
	}

	/**
	 * Calls `route` with a user-Worker fault injected into it; whether it was answered with the
	 * edge's 502 problem for a failed user Worker (anything else is recorded as unexpected).
	 */
	async faulted<R extends ContractRoute>(
		op: string,
		route: R,
		input: CallInput<R>,
		fault: UserFault,
	): Promise<boolean> {
		const result = await this.#send(op, route, input, fault);
		if (!result) return false;
		const { status, body, headers } = result;
		this.tally(op, `${status} (${fault} fault)`);
		const contentType = headers.get("Content-Type") ?? "";
		const problemStatus = (body as { status?: unknown } | undefined)?.status;
		if (status !== 502 || !contentType.startsWith("application/problem+json") || problemStatus !== 502) {
			this.#unexpected(
				op,
				route,
				input,
				status,
				`${fault} fault: want a 502 problem, got ${contentType} ${JSON.stringify(body)}`,
			);
			return false;
		}
		const key = `${op} ${fault}`;
		this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
		return true;
	}

	/** The typed answer, or null when there was none or it broke the contract (tallied and recorded). */
	async #send<R extends ContractRoute>(
		op: string,
		route: R,
		input: CallInput<R>,
		fault?: UserFault,
	): Promise<Answer | null> {
		let answered: number | undefined;
		const api = this.#client(fault ? { [FAULT_HEADER]: fault } : {}, (status) => {
			answered = status;
		});
		try {
			return (await api.call(route, input)) as Answer;
		} catch (error) {
			const status = error instanceof ContractViolation && answered !== undefined ? answered : "network";
			this.tally(op, fault && status !== "network" ? `${status} (${fault} fault)` : status);
			this.#unexpected(op, route, input, status, (error as Error).message);
			return null;
		}
	}

	#unexpected<R extends ContractRoute>(
		op: string,
		route: R,
		input: CallInput<R>,
		status: Unexpected["status"],
		detail: string,
	): void {
		const path = fillPath(route.path, (input as { params?: Record<string, string> }).params);
		this.unexpected.push({ op, method: route.method.toUpperCase(), path, status, detail: detail.slice(0, 300) });
	}

	/** A typed client for one call, telling `seen` the status it was answered with (before the contract check). */
	#client(headers: Record<string, string> = {}, seen?: (status: number) => void) {
		return loopbackClient({
			origin: `http://localhost:${this.port}`,
			headers,
			fetch: async (url, init) => {
				const res = await this.#fetch(url, init);
				seen?.(res.status);
				return res;
			},
		});
	}

	close(): Promise<void> {
		return this.#agent.close();
	}
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
