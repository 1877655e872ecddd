/**
 * What every queue message carries: its own id (the idempotency key consumers dedupe on), its
 * type and when it happened. Producers and consumers import the same schemas, so a message that
 * one side can send the other side can read.
 */
import { z } from "zod";

export const eventId = z.string().regex(/^evt_[0-9a-f]{32}$/, "must be an event id (evt_…)");
export const tenantId = z.string().regex(/^(seller|buyer|investor|admin)_[0-9a-z]{1,40}$/, "must be a tenant id");
export const isoTime = z.iso.datetime({ offset: true });
export const cents = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * The part of a Queues producer binding we use, stated structurally so these schemas also load in
 * Node (scripts, tests) where the Workers runtime types are absent.
 */
export interface QueueProducer {
	sendBatch(messages: Iterable<{ body: unknown; contentType?: "json" }>): Promise<unknown>;
}

/** Sends a batch of already-validated bodies; `sendBatch` caps at 100 messages. */
export async function sendAll<T>(queue: QueueProducer, bodies: T[]): Promise<void> {
	for (let i = 0; i < bodies.length; i += 100) {
		await queue.sendBatch(bodies.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
	}
}
