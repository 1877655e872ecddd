/**
 * Webhook events and their delivery. Each event is signed the way Stripe signs it —
 * `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, which the SDK's
 * `constructEventAsync` verifies — and POSTed to the endpoint. First attempts go out one at a time
 * in the order the events happened (Stripe does not promise order; the stand-in does, so a test
 * that wants disorder asks for it); a non-2xx answer or a network error is retried with backoff
 * a few times, then given up on and logged. For the platform's tests the dispatcher can also
 * hold events and release them in any order, redeliver one (the same event, freshly signed), or
 * deliver a chosen list in a chosen order — duplicates and reordering on demand.
 */
import { createHmac } from "node:crypto";
import { newId } from "./ids.ts";
import type { StripeEvent } from "./objects.ts";
import type { EventDraft } from "./store.ts";

export function signatureHeader(secret: string, payload: string, timestamp: number): string {
	const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
	return `t=${timestamp},v1=${signature}`;
}

export interface EventRequest {
	id: string | null;
	idempotency_key: string | null;
}

export function buildEvent(
	draft: EventDraft,
	options: { apiVersion: string; created: number; request: EventRequest },
): StripeEvent {
	return {
		id: newId("evt"),
		object: "event",
		...(draft.account === undefined ? {} : { account: draft.account }),
		api_version: options.apiVersion,
		created: options.created,
		data: {
			object: draft.object as unknown as Record<string, unknown>,
			...(draft.previous_attributes === undefined ? {} : { previous_attributes: draft.previous_attributes }),
		},
		livemode: false,
		pending_webhooks: 1,
		request: options.request,
		type: draft.type,
	};
}

export type DeliveryKind = "send" | "retry" | "redeliver";

export interface Delivery {
	kind: DeliveryKind;
	attempt: number;
	at: number;
	status: number | null;
	error: string | null;
	ok: boolean;
}

export type EventState = "pending" | "held" | "delivered" | "failed" | "no_endpoint";

export interface EventRecord {
	event: StripeEvent;
	/** The exact body every delivery of this event sends. */
	payload: string;
	state: EventState;
	deliveries: Delivery[];
}

export interface DispatcherOptions {
	url: string | undefined;
	secret: string;
	/** Waits before each retry of a failed first attempt; its length is the number of retries. */
	retryDelaysMs: readonly number[];
	timeoutMs: number;
	/** Milliseconds since the epoch. */
	clock: () => number;
	log: (message: string) => void;
}

export type ReleaseOrder = "sent" | "reverse" | readonly string[];

export class WebhookDispatcher {
	readonly #records: EventRecord[] = [];
	readonly #byId = new Map<string, EventRecord>();
	readonly #timers = new Set<ReturnType<typeof setTimeout>>();
	readonly #options: DispatcherOptions;
	#url: string | undefined;
	#holding = false;
	#chain: Promise<void> = Promise.resolve();
	#busy = 0;
	#idle: (() => void)[] = [];

	constructor(options: DispatcherOptions) {
		this.#options = options;
		this.#url = options.url;
	}

	get url(): string | undefined {
		return this.#url;
	}

	setUrl(url: string | undefined): void {
		this.#url = url;
	}

	/** Records a new event and sends it after the ones before it (or holds it). */
	record(event: StripeEvent): EventRecord {
		const record: EventRecord = { event, payload: JSON.stringify(event, null, 2), state: "pending", deliveries: [] };
		this.#records.push(record);
		this.#byId.set(event.id, record);
		if (this.#holding) {
			record.state = "held";
			return record;
		}
		// After the current turn, so the API call that caused the event answers first.
		this.#busy += 1;
		setImmediate(() => {
			void this.#enqueue(record, "send");
			this.#busy -= 1;
		});
		return record;
	}

	list(): EventRecord[] {
		return [...this.#records];
	}

	get(id: string): EventRecord | undefined {
		return this.#byId.get(id);
	}

	/** From now on, events are recorded but not sent until `release`. */
	hold(): void {
		this.#holding = true;
	}

	/** Sends the held events in `order` (ids first, in that order; any others after), then stops holding. */
	async release(order: ReleaseOrder = "sent"): Promise<EventRecord[]> {
		this.#holding = false;
		const held = this.#records.filter((record) => record.state === "held");
		let sequence = held;
		if (order === "reverse") sequence = [...held].reverse();
		else if (Array.isArray(order)) {
			const named = order.map((id) => held.find((record) => record.event.id === id)).filter((r) => r !== undefined);
			sequence = [...named, ...held.filter((record) => !named.includes(record))];
		}
		for (const record of sequence) record.state = "pending";
		await Promise.all(sequence.map((record) => this.#enqueue(record, "send")));
		return sequence;
	}

	/** Sends an event again, `times` times, each freshly signed; no retries. */
	async redeliver(id: string, times = 1): Promise<Delivery[]> {
		const record = this.#require(id);
		const deliveries: Delivery[] = [];
		for (let i = 0; i < times; i++) deliveries.push(await this.#enqueue(record, "redeliver"));
		return deliveries;
	}

	/** Sends the named events once each, in exactly this order (a test's chosen disorder). */
	async deliver(ids: readonly string[]): Promise<Delivery[]> {
		const records = ids.map((id) => this.#require(id));
		const deliveries: Delivery[] = [];
		for (const record of records) {
			if (record.state === "held") record.state = "pending";
			deliveries.push(await this.#enqueue(record, "redeliver"));
		}
		return deliveries;
	}

	/** Resolves once nothing is being sent and no retry is waiting. */
	idle(): Promise<void> {
		if (this.#busy === 0 && this.#timers.size === 0) return Promise.resolve();
		return new Promise((resolve) => this.#idle.push(resolve));
	}

	close(): void {
		for (const timer of this.#timers) clearTimeout(timer);
		this.#timers.clear();
		this.#settle();
	}

	#require(id: string): EventRecord {
		const record = this.#byId.get(id);
		if (!record) throw new Error(`no event ${id}`);
		return record;
	}

	#enqueue(record: EventRecord, kind: DeliveryKind): Promise<Delivery> {
		this.#busy += 1;
		const result = this.#chain.then(() => this.#attempt(record, kind));
		this.#chain = result.then(
			() => undefined,
			() => undefined,
		);
		return result.finally(() => {
			this.#busy -= 1;
			this.#settle();
		});
	}

	async #attempt(record: EventRecord, kind: DeliveryKind): Promise<Delivery> {
		const url = this.#url;
		const at = Math.floor(this.#options.clock() / 1000);
		const attempt = record.deliveries.length + 1;
		let delivery: Delivery;
		if (!url) {
			delivery = { kind, attempt, at, status: null, error: "no webhook endpoint configured", ok: false };
			record.deliveries.push(delivery);
			if (record.state !== "delivered") record.state = "no_endpoint";
			return delivery;
		}
		try {
			const response = await fetch(url, {
				method: "POST",
				headers: {
					"Content-Type": "application/json; charset=utf-8",
					"User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
					"Stripe-Signature": signatureHeader(this.#options.secret, record.payload, at),
				},
				body: record.payload,
				signal: AbortSignal.timeout(this.#options.timeoutMs),
			});
			await response.arrayBuffer().catch(() => undefined);
			delivery = { kind, attempt, at, status: response.status, error: null, ok: response.ok };
		} catch (error) {
			delivery = {
				kind,
				attempt,
				at,
				status: null,
				error: error instanceof Error ? error.message : String(error),
				ok: false,
			};
		}
		record.deliveries.push(delivery);
		if (delivery.ok) record.state = "delivered";
		else if (kind !== "redeliver") this.#retryOrGiveUp(record, delivery);
		return delivery;
	}

	#retryOrGiveUp(record: EventRecord, delivery: Delivery): void {
		const retries = record.deliveries.filter((d) => d.kind === "retry").length;
		const delay = this.#options.retryDelaysMs[retries];
		if (delay === undefined) {
			if (record.state !== "delivered") record.state = "failed";
			const reason = delivery.error ?? `HTTP ${delivery.status}`;
			this.#options.log(
				`local stripe: gave up on ${record.event.id} (${record.event.type}) after ${retries + 1} attempts to ${this.#url}: ${reason}`,
			);
			return;
		}
		const timer = setTimeout(() => {
			this.#timers.delete(timer);
			if (record.state === "delivered") return this.#settle();
			void this.#enqueue(record, "retry");
		}, delay);
		timer.unref?.();
		this.#timers.add(timer);
	}

	#settle(): void {
		if (this.#busy > 0 || this.#timers.size > 0) return;
		const waiting = this.#idle;
		this.#idle = [];
		for (const resolve of waiting) resolve();
	}
}
