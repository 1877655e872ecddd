/**
 * The notification e-mails of access requests (issue 15), from the `access_request.event` job the
 * user Worker writes to its outbox with the change (workers/user/access-requests/routes.ts): a new
 * request → "access request" (received) to the seller, kind `access_request_received`; approved,
 * declined or revoked → to the buyer, kind `access_request_decided`. The outbox may deliver a job
 * twice; the e-mail job ids derive from the job id and the recipient (./notify-mail.ts), so each
 * e-mail is sent once.
 */
import { type AccessRequestEventJob, type EmailJob, sendBackofficeJobs } from "../../queues/backoffice-jobs.ts";
import { envelopeFor, type NotifyMailEnv, recipientsIn, siteOrigin } from "./notify-mail.ts";

export async function accessMailJobs(env: NotifyMailEnv, job: AccessRequestEventJob, now: Date): Promise<EmailJob[]> {
	const origin = siteOrigin(env);
	const received = job.status === "pending";
	const tenant = received ? job.seller_tenant_id : job.buyer_tenant_id;
	const change = job.status === "pending" ? "received" : job.status;
	const request_url = received ? `${origin}/seller/listings/${job.listing_id}` : `${origin}/buyer/access`;
	const kind = received ? ("access_request_received" as const) : ("access_request_decided" as const);
	const jobs: EmailJob[] = [];
	for (const recipient of await recipientsIn(env.DB, job.listing_id, [tenant])) {
		const { job: envelope, data } = await envelopeFor(job.id, recipient, now);
		jobs.push({
			...envelope,
			template: "access-request",
			data: { ...data, change, request_url },
			notification: { user_id: recipient.user_id, kind, origin },
		});
	}
	return jobs;
}

export async function accessMail(env: ConsumersEnv, job: AccessRequestEventJob, now: () => Date): Promise<void> {
	const mail = await accessMailJobs(env, job, now());
	if (mail.length > 0) await sendBackofficeJobs(env.BACKOFFICE_JOBS, mail);
}
