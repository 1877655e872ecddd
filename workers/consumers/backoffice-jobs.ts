/** Consumer of `backoffice-jobs`: one handler per job kind. */
import { type BackofficeJob, backofficeJobSchema } from "../../queues/backoffice-jobs.ts";
import { accessMail } from "./access-mail.ts";
import { sendEmail } from "./email.ts";
import { recordMetricsFlush } from "./metrics-flush.ts";
import type { QueueModule } from "./run-batch.ts";
import { watchMail } from "./watch-mail.ts";

export function backofficeJobs(env: ConsumersEnv, now: () => Date): QueueModule<typeof backofficeJobSchema> {
	return {
		schema: backofficeJobSchema,
		async handle(job: BackofficeJob) {
			switch (job.kind) {
				case "audit.record": {
					const inserted = await env.DB.prepare(
						`INSERT INTO audit_log (event_id, action, actor_user_id, actor_tenant_id,
						   subject_tenant_id, detail, occurred_at, recorded_at)
						 VALUES (?, ?, ?, ?, ?, ?, ?, ?)
						 ON CONFLICT (event_id) DO NOTHING`,
					)
						.bind(
							job.id,
							job.action,
							job.actor_user_id,
							job.actor_tenant_id,
							job.subject_tenant_id,
							JSON.stringify(job.detail),
							job.occurred_at,
							now().toISOString(),
						)
						.run();
					if (inserted.meta.changes > 0) {
						env.ANALYTICS.writeDataPoint({
							indexes: [job.subject_tenant_id ?? "platform"],
							blobs: [job.kind, job.action, job.actor_tenant_id ?? ""],
							doubles: [1],
						});
					}
					return;
				}
				case "listing.event": {
					const inserted = await env.DB.prepare(
						`INSERT INTO listing_events (event_id, type, listing_id, seller_tenant_id, actor_tenant_id,
						   offer_id, payment_id, occurred_at, recorded_at)
						 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
						 ON CONFLICT (event_id) DO NOTHING`,
					)
						.bind(
							job.id,
							job.type,
							job.listing_id,
							job.seller_tenant_id,
							job.actor_tenant_id,
							job.offer_id ?? null,
							job.payment_id ?? null,
							job.occurred_at,
							now().toISOString(),
						)
						.run();
					// The outbox may send an event twice (flush and cron racing): count the first write only.
					if (inserted.meta.changes > 0) {
						env.ANALYTICS.writeDataPoint({
							indexes: [job.seller_tenant_id],
							blobs: [job.kind, job.type, job.listing_id, job.actor_tenant_id ?? ""],
							doubles: [1],
						});
					}
					// Every delivery, not only the first: the e-mails' job ids are deterministic.
					await watchMail(env, job, now);
					return;
				}
				case "email.send":
					return sendEmail(env, job, now);
				case "access_request.event":
					return accessMail(env, job, now);
				case "metrics.flush": {
					await recordMetricsFlush(env.DB, job, now());
					return;
				}
				default: {
					const unreachable: never = job;
					throw new Error(`unhandled job kind ${(unreachable as { kind: string }).kind}`);
				}
			}
		},
	};
}
