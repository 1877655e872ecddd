/** Consumer of `backoffice-jobs`: one handler per job kind. */
import { type BackofficeJob, backofficeJobSchema } from "../../queues/backoffice-jobs.ts";
import type { QueueModule } from "./run-batch.ts";

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
				default: {
					const unreachable: never = job.kind;
					throw new Error(`unhandled job kind ${unreachable}`);
				}
			}
		},
	};
}
