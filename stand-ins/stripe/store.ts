/**
 * The stand-in's memory: every Stripe object by id, the state Stripe keeps out of sight (an
 * account's latest onboarding link, how a session was paid), a clock, and the sink events go to.
 * Reads hand out deep copies with `expand[]` applied, so nothing a caller holds can change stored
 * state. Everything is lost on restart, like a fresh Stripe test account.
 */
import { invalidRequest, noSuchObject, noSuchReference } from "./errors.ts";
import type { StripeObject } from "./objects.ts";
import type { Subset } from "./subset.ts";

export type ObjectName = StripeObject["object"];
type Of<N extends ObjectName> = Extract<StripeObject, { object: N }>;

export interface EventDraft {
	type: string;
	object: StripeObject;
	account?: string;
	previous_attributes?: Record<string, unknown>;
}

/** Where a Connect onboarding link sends the seller back. */
export interface LinkTarget {
	returnUrl: string;
	refreshUrl: string;
	expiresAt: number;
	/** Stripe's links are single-use: once onboarding is submitted, the link sends to `refreshUrl`. */
	used: boolean;
}

export type PayMethod = "card" | "us_bank_account";

/** `payment_intent_data` of a checkout session, kept until the PaymentIntent is made at payment. */
export interface IntentData {
	description?: string;
	metadata: Record<string, string>;
	transfer_group?: string;
}

export interface StoreOptions {
	/** Milliseconds since the epoch; `Date.now` unless a test drives time. */
	clock: () => number;
	subset: Subset;
	onEvent: (draft: EventDraft) => void;
}

export class Store {
	readonly links = new Map<string, LinkTarget>();
	/** How each completed checkout session was paid (a session's own fields do not say). */
	readonly sessionMethods = new Map<string, PayMethod>();
	readonly intentData = new Map<string, IntentData>();
	/** What a checkout session sells, for its page. */
	readonly lineItems = new Map<string, { name: string; quantity: number; unitAmount: number }[]>();
	/** The origin pages and links point at; set once the server listens. */
	baseUrl = "http://127.0.0.1:12111";
	readonly #objects = new Map<string, StripeObject>();
	readonly #options: StoreOptions;

	constructor(options: StoreOptions) {
		this.#options = options;
	}

	/** Unix seconds, as every `created` field. */
	now(): number {
		return Math.floor(this.#options.clock() / 1000);
	}

	put<T extends StripeObject>(object: T): T {
		this.#objects.set(object.id, object);
		return object;
	}

	find(id: string): StripeObject | undefined {
		return this.#objects.get(id);
	}

	all<N extends ObjectName>(name: N): Of<N>[] {
		return [...this.#objects.values()].filter((object): object is Of<N> => object.object === name);
	}

	/** The object a path names, or Stripe's 404 for it. */
	get<N extends ObjectName>(id: string, name: N, param: string): Of<N> {
		const object = this.#objects.get(id);
		if (object?.object !== name) throw noSuchObject(name, id, param);
		return object as Of<N>;
	}

	/** The object a body parameter names, or Stripe's 400 for it. */
	reference<N extends ObjectName>(id: string, name: N, param: string, kind: string = name): Of<N> {
		const object = this.#objects.get(id);
		if (object?.object !== name) throw noSuchReference(kind, id, param);
		return object as Of<N>;
	}

	emit(type: string, object: StripeObject, extra: Omit<EventDraft, "type" | "object"> = {}): void {
		this.#options.onEvent({ type, object: structuredClone(object), ...extra });
	}

	/** A deep copy of `object` with each `expand[]` path (`latest_charge.balance_transaction`) expanded. */
	render(object: StripeObject, expand: readonly string[] = []): Record<string, unknown> {
		const copy = structuredClone(object) as unknown as Record<string, unknown>;
		for (const path of expand) this.#expand(copy, path.split("."), path);
		return copy;
	}

	#expand(target: Record<string, unknown>, segments: string[], path: string): void {
		const [field, ...rest] = segments;
		if (field === undefined) return;
		const name = target.object;
		const schema = typeof name === "string" ? this.#options.subset.objects[name]?.fields[field] : undefined;
		if (!schema?.expandable) {
			throw invalidRequest(`This property cannot be expanded (${field}).`, { param: "expand" });
		}
		const value = target[field];
		if (typeof value === "string") {
			const found = this.#objects.get(value);
			if (!found) return;
			target[field] = structuredClone(found);
		}
		const next = target[field];
		if (rest.length > 0 && typeof next === "object" && next !== null) {
			this.#expand(next as Record<string, unknown>, rest, path);
		}
	}
}
