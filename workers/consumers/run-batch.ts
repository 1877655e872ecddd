/**
 * The per-message loop every queue shares: parse the body with the queue's schema, handle it,
 * then ack or retry that one message. A body that fails its schema is poison: retrying cannot
 * fix it, so it goes straight to the queue's dead-letter queue (wrapped with the reason) and is
 * acked. A handler error is taken as transient and retried with exponential backoff; after
 * `max_retries` the platform moves the message to the dead-letter queue.
 */
import type { z } from "zod";
import { backoffSeconds } from "./backoff.ts";

export interface QueueModule<S extends z.ZodType> {
	schema: S;
	handle(body: z.output<S>, meta: { messageId: string }): Promise<void>;
}

export interface PoisonEnvelope {
	poison: { queue: string; reason: string; body: unknown };
}

export async function runBatch<S extends z.ZodType>(
	batch: MessageBatch<unknown>,
	module: QueueModule<S>,
	deadLetters: Queue<PoisonEnvelope>,
): Promise<void> {
	for (const message of batch.messages) {
		const parsed = module.schema.safeParse(message.body);
		if (!parsed.success) {
			const reason = parsed.error.issues
				.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`)
				.join("; ")
				.slice(0, 1000);
			console.error("poison message", batch.queue, message.id, reason);
			try {
				await deadLetters.send({ poison: { queue: batch.queue, reason, body: message.body } });
				message.ack();
			} catch (cause) {
				console.error("could not dead-letter", batch.queue, message.id, cause);
				message.retry({ delaySeconds: backoffSeconds(message.attempts) });
			}
			continue;
		}
		try {
			await module.handle(parsed.data, { messageId: message.id });
			message.ack();
		} catch (cause) {
			console.warn("retrying message", batch.queue, message.id, message.attempts, cause);
			message.retry({ delaySeconds: backoffSeconds(message.attempts) });
		}
	}
}
