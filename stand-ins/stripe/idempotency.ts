/**
 * `Idempotency-Key` as Stripe implements it: the first POST with a key that reaches the endpoint
 * saves its response (status and body, errors included); a repeat with the same method, path and
 * parameters gets that response again with `Idempotent-Replayed: true` and changes nothing; the
 * same key with anything else is a 400 `idempotency_error`. Requests refused before the endpoint
 * runs (authentication, parameter validation) save nothing, and keys are forgotten after 24 hours.
 * Keys are scoped by API key, as Stripe scopes them by account. Time is passed in, so it is tested
 * without waiting a day.
 */
import type { FormTree } from "./form.ts";

export const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const MAX_KEY_LENGTH = 255;

export interface SavedResponse {
	status: number;
	body: string;
	requestId: string;
}

interface Entry {
	request: string;
	response: SavedResponse;
	savedAt: number;
}

export type Lookup = { kind: "miss" } | { kind: "replay"; response: SavedResponse } | { kind: "mismatch" };

/** The identity of a request: method, path and its parameters in a canonical order. */
export function requestFingerprint(method: string, path: string, params: FormTree): string {
	const canonical = (value: unknown): unknown =>
		typeof value === "object" && value !== null
			? Object.fromEntries(
					Object.keys(value)
						.sort()
						.map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
				)
			: value;
	return JSON.stringify([method, path, canonical(params)]);
}

export class IdempotencyCache {
	readonly #entries = new Map<string, Entry>();
	readonly #lifetimeMs: number;

	constructor(lifetimeMs = KEY_LIFETIME_MS) {
		this.#lifetimeMs = lifetimeMs;
	}

	lookup(scope: string, key: string, fingerprint: string, now: number): Lookup {
		this.#prune(now);
		const entry = this.#entries.get(`${scope}\n${key}`);
		if (!entry) return { kind: "miss" };
		return entry.request === fingerprint ? { kind: "replay", response: entry.response } : { kind: "mismatch" };
	}

	save(scope: string, key: string, fingerprint: string, response: SavedResponse, now: number): void {
		this.#entries.set(`${scope}\n${key}`, { request: fingerprint, response, savedAt: now });
	}

	get size(): number {
		return this.#entries.size;
	}

	#prune(now: number): void {
		for (const [id, entry] of this.#entries) {
			if (now - entry.savedAt >= this.#lifetimeMs) this.#entries.delete(id);
		}
	}
}
