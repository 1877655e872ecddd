/** Consumers Worker entry: routes each batch to its queue's module; the cron resends the outbox. */
import { pruneSent, resendStale } from "../../shared/data/outbox.ts";
import { backofficeJobs } from "./backoffice-jobs.ts";
import { recordDeadLetters } from "./dead-letters.ts";
import { offerEvents } from "./offer-events.ts";
import { paymentEvents } from "./payment-events.ts";
import { runBatch } from "./run-batch.ts";
import { sweepAccountTokens } from "./token-sweep.ts";

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

	async scheduled(_controller, env) {
		const sent = await resendStale(
			env.DB,
			{
				"offer-events": env.OFFER_EVENTS,
				"payment-events": env.PAYMENT_EVENTS,
				"backoffice-jobs": env.BACKOFFICE_JOBS,
			},
			Date.now(),
		);
		if (sent > 0) console.warn("outbox resent stale messages", sent);
		await pruneSent(env.DB, Date.now());
		await sweepAccountTokens(env.DB, Date.now());
	},
} satisfies ExportedHandler<ConsumersEnv>;
