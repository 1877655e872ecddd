/** Consumers Worker entry: routes each batch to its queue's module; the crons run ./scheduled.ts. */
import { backofficeJobs } from "./backoffice-jobs.ts";
import { recordDeadLetters } from "./dead-letters.ts";
import { offerEvents } from "./offer-events.ts";
import { paymentEvents } from "./payment-events.ts";
import { runBatch } from "./run-batch.ts";
import { runScheduled } from "./scheduled.ts";

const now = () => new Date();

export default {
	async queue(batch, env) {
		switch (batch.queue) {
			case "offer-events":
				return runBatch(batch, offerEvents(env, now), env.OFFER_EVENTS_DLQ);
			case "payment-events":
				return runBatch(batch, paymentEvents(env, now), env.PAYMENT_EVENTS_DLQ);
			case "backoffice-jobs":
				return runBatch(batch, backofficeJobs(env, now), env.BACKOFFICE_JOBS_DLQ);
			case "offer-events-dlq":
			case "payment-events-dlq":
			case "backoffice-jobs-dlq":
				return recordDeadLetters(batch, env, now);
			default:
				// An unknown queue bound to this Worker is a deployment mistake; retrying lets the
				// messages reach their dead-letter queue instead of being acked into nothing.
				console.error("no consumer for queue", batch.queue);
				batch.retryAll({ delaySeconds: 60 });
		}
	},

	async scheduled(controller, env) {
		await runScheduled(controller.cron, env, now());
	},
} satisfies ExportedHandler<ConsumersEnv>;
