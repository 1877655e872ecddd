/**
 * Consumer of the dead-letter queues: records every message that exhausted its retries or was
 * poison into `dead_letters`, so an operator can see and replay it. Idempotent on the message id.
 */
import type { PoisonEnvelope } from "./run-batch.ts";

function isPoison(body: unknown): body is PoisonEnvelope {
	return typeof body === "object" && body !== null && "poison" in body;
}

export async function recordDeadLetters(
	batch: MessageBatch<unknown>,
	env: ConsumersEnv,
	now: () => Date,
): Promise<void> {
	const sourceQueue = batch.queue.replace(/-dlq$/, "");
	for (const message of batch.messages) {
		const poison = isPoison(message.body) ? message.body.poison : null;
		try {
			await env.DB.prepare(
				`INSERT INTO dead_letters (message_id, queue, body, attempts, reason, recorded_at)
				 VALUES (?, ?, ?, ?, ?, ?)
				 ON CONFLICT (message_id) DO NOTHING`,
			)
				.bind(
					message.id,
					poison?.queue ?? sourceQueue,
					JSON.stringify(poison ? poison.body : message.body) ?? "null",
					message.attempts,
					poison ? `${poison.permanent ? "failed" : "invalid"}: ${poison.reason}` : "retries exhausted",
					now().toISOString(),
				)
				.run();
			message.ack();
		} catch (cause) {
			console.error("could not record dead letter", batch.queue, message.id, cause);
			message.retry({ delaySeconds: 30 });
		}
	}
}
