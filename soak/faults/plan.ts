/**
 * Which requests and queue messages the soak's fault wrappers fail. Pure functions of what both
 * sides can see — a per-operation call count on the client, an event's own id on the consumer —
 * so the wrappers (bundled into workerd) and the soak's checks (in Node) agree on every decision
 * without talking to each other, and the share is the same in every run.
 */

/** Test-only request header the user-Worker wrapper honours; the product never reads it. */
export const FAULT_HEADER = "X-Soak-Fault";

/** The consumers wrapper's control and statistics endpoint (reached through Miniflare, never routed). */
export const FAULT_CONTROL_URL = "http://soak.internal/__soak/faults";

/** `before`: the user Worker throws before its handler runs; `after`: once it ran, losing the response. */
export type UserFault = "before" | "after";

export function parseUserFault(value: string | null): UserFault | null {
	return value === "before" || value === "after" ? value : null;
}

/** Of every USER_FAULT_PERIOD calls of one faultable operation, the 5th fails before and the 15th after. */
export const USER_FAULT_PERIOD = 20;

/** The fault for the `n`th (1-based) call of one faultable operation. */
export function userFaultFor(n: number): UserFault | null {
	const slot = n % USER_FAULT_PERIOD;
	if (slot === 5) return "before";
	if (slot === 15) return "after";
	return null;
}

/**
 * `transient`: the consumer's database is unavailable on the first TRANSIENT_ATTEMPTS deliveries,
 * then it succeeds (a retry with the consumer's own backoff); `permanent`: unavailable on every
 * delivery, so the message exhausts `max_retries` and reaches the dead-letter queue; `redeliver`:
 * the whole batch is handled, its acks are lost and the invocation throws, so the platform
 * delivers every message of the batch again (once per message: soak/faults/consumers.ts).
 */
export type ConsumerFault = "transient" | "permanent" | "redeliver";

export const TRANSIENT_ATTEMPTS = 2;

/** Percent of events given each fault; the rest are left alone. */
export const CONSUMER_FAULT_PERCENT: Readonly<Record<ConsumerFault, number>> = {
	permanent: 2,
	transient: 10,
	redeliver: 1,
};

export function consumerFaultFor(eventId: string): ConsumerFault | null {
	let bucket = fnv1a(eventId) % 100;
	for (const fault of ["permanent", "transient", "redeliver"] as const) {
		if (bucket < CONSUMER_FAULT_PERCENT[fault]) return fault;
		bucket -= CONSUMER_FAULT_PERCENT[fault];
	}
	return null;
}

/** Whether delivery number `attempts` (1-based) of a message with `fault` finds the database unavailable. */
export function databaseFails(fault: ConsumerFault | null, attempts: number): boolean {
	return fault === "permanent" || (fault === "transient" && attempts <= TRANSIENT_ATTEMPTS);
}

/** 32-bit FNV-1a: a stable, well-spread hash of an id (event ids are random hex). */
export function fnv1a(text: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193);
	}
	return hash >>> 0;
}
