/**
 * The soak's side of Stripe: the local stand-in's JSON test API (stand-ins/stripe/test-api.ts),
 * reached over loopback like any other client of it. What a buyer, a bank or a seller does at
 * Stripe (onboard, pay, settle, fail, expire) and the webhook faults (hold and release in reverse,
 * redeliver) are calls here; the stand-in's own record of what it sent (`GET /_test/events`) is
 * what the payment reconciliation checks transfers and refunds against. Every call is tallied by
 * action and status apart from the platform's API, and any non-200 answer is recorded as a
 * problem: the soak only asks for what the stand-in can do at that point.
 */

/** An event as `GET /_test/events` lists it. */
export interface StandInEvent {
	id: string;
	type: string;
	state: "pending" | "held" | "delivered" | "failed" | "no_endpoint";
	deliveries: { kind: "send" | "retry" | "redeliver"; status: number | null; ok: boolean }[];
	event: { data: { object: Record<string, unknown> } };
}

export class StripeTestApi {
	/** `action status` → count. */
	readonly calls = new Map<string, number>();
	readonly problems: string[] = [];
	readonly #origin: string;

	constructor(port: number) {
		this.#origin = `http://127.0.0.1:${port}`;
	}

	/** POST `/_test<path>`; the answer's body, or null (recorded) when it was not 200. */
	async post(action: string, path: string, body: unknown = {}): Promise<Record<string, unknown> | null> {
		return this.#send(action, "POST", path, body);
	}

	/** Resolves once no webhook is being sent or waiting for a retry. */
	async idle(): Promise<void> {
		await this.#send("idle", "GET", "/webhooks/idle");
	}

	/** Every event the stand-in made so far, in the order it made them. */
	async events(): Promise<StandInEvent[]> {
		const answer = await this.#send("events", "GET", "/events");
		return (answer?.data as StandInEvent[] | undefined) ?? [];
	}

	async #send(action: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown> | null> {
		let status: number | "network" = "network";
		try {
			const res = await fetch(`${this.#origin}/_test${path}`, {
				method,
				...(method === "POST" ? { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) } : {}),
				signal: AbortSignal.timeout(15_000),
			});
			status = res.status;
			const json = (await res.json()) as Record<string, unknown>;
			if (res.status !== 200) this.problems.push(`stripe ${action} ${path}: ${res.status} ${JSON.stringify(json)}`);
			return res.status === 200 ? json : null;
		} catch (error) {
			this.problems.push(`stripe ${action} ${path}: ${(error as Error).message}`);
			return null;
		} finally {
			const key = `stripe.${action} ${status}`;
			this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
		}
	}
}

/** The payment an event of the stand-in is about (`transfer_group`, the session's metadata), if any. */
export function paymentOf(event: StandInEvent): string | null {
	const object = event.event.data.object;
	const metadata = (object.metadata ?? {}) as Record<string, unknown>;
	const id = object.transfer_group ?? metadata.payment_id ?? object.client_reference_id;
	return typeof id === "string" && id.startsWith("pay_") ? id : null;
}
