/**
 * The message loop every queue shares: parse each body with the queue's schema, handle the valid
 * ones, then ack or retry each message on its own. A body that fails its schema is poison:
 * retrying cannot fix it, so it goes straight to the queue's dead-letter queue (wrapped with the
 * reason) and is acked. A handler error is taken as transient and retried with exponential
 * backoff (or the delay a `RetryLater` names); after `max_retries` the platform moves the message
 * to the dead-letter queue. A `DeadLetter` error is a permanent failure: dead-lettered at once.
 *
 * A module may also handle all of a batch's valid messages at once (`handleBatch`, all or nothing,
 * e.g. one D1 transaction). When that fails, every message is handled again on its own, so one bad
 * message retries only itself; handlers are idempotent on the message's own id, so nothing of the
 * failed attempt can be recorded twice.
 */
import type { z } from "zod";
import { backoffSeconds } from "./backoff.ts";
import { DeadLetter, RetryLater } from "./failures.ts";

export interface QueueModule<S extends z.ZodType> {
	schema: S;
	handle(body: z.output<S>, meta: { messageId: string }): Promise<void>;
	/** All or nothing: after a throw, none of `items` may have taken effect. */
	handleBatch?(items: { body: z.output<S>; messageId: string }[]): Promise<void>;
}

export interface PoisonEnvelope {
	/** `permanent`: a valid message its handler refused for good (`DeadLetter`); else schema-invalid. */
	poison: { queue: string; reason: string; body: unknown; permanent?: true };
}

export async function runBatch<S extends z.ZodType>(
	batch: MessageBatch<unknown>,
	module: QueueModule<S>,
	deadLetters: Queue<PoisonEnvelope>,
): Promise<void> {
	const valid: { message: Message<unknown>; body: z.output<S> }[] = [];
	for (const message of batch.messages) {
		const parsed = module.schema.safeParse(message.body);
		if (parsed.success) {
			valid.push({ message, body: parsed.data });
			continue;
		}
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
	}
	if (module.handleBatch && valid.length > 1) {
		try {
			await module.handleBatch(valid.map(({ message, body }) => ({ body, messageId: message.id })));
			for (const { message } of valid) message.ack();
			return;
		} catch (cause) {
			console.warn("batch failed, handling its messages one by one", batch.queue, valid.length, cause);
		}
	}
	for (const { message, body } of valid) {
		try {
			await module.handle(body, { messageId: message.id });
			message.ack();
		} catch (cause) {
			if (cause instanceof DeadLetter) {
				console.error("permanent failure, dead-lettering", batch.queue, message.id, cause.message);
				try {
					const reason = cause.message.slice(0, 1000);
					await deadLetters.send({ poison: { queue: batch.queue, reason, body: message.body, permanent: true } });
					message.ack();
				} catch (sendCause) {
					console.error("could not dead-letter", batch.queue, message.id, sendCause);
					message.retry({ delaySeconds: backoffSeconds(message.attempts) });
				}
				continue;
			}
			const delaySeconds = cause instanceof RetryLater ? cause.delaySeconds : backoffSeconds(message.attempts);
			console.warn("retrying message", batch.queue, message.id, message.attempts, delaySeconds, cause);
			message.retry({ delaySeconds });
		}
	}
}
