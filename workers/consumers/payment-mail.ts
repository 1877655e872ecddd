/**
 * The notification e-mails payment changes cause (issue 15), queued by the `payment-events`
 * consumer (./payment-events.ts) for each `payment.event`: paid → "payment received", released,
 * refunded and disputed → "payment update", to both parties (each has something at stake). Job ids
 * derive from the event and the recipient (./notify-mail.ts), so a redelivered event never sends
 * twice; every job carries its `notification`, read when it is sent.
 */
import type { EmailJob } from "../../queues/backoffice-jobs.ts";
import type { PaymentChange } from "../../queues/payment-events.ts";
import { envelopeFor, type NotifyMailEnv, recipientsIn, siteOrigin } from "./notify-mail.ts";

const KINDS = {
	"payment.paid": { kind: "payment_paid", change: null },
	"payment.released": { kind: "payment_released", change: "released" },
	"payment.refunded": { kind: "payment_refunded", change: "refunded" },
	"payment.disputed": { kind: "payment_disputed", change: "disputed" },
} as const;

export async function paymentMailJobs(env: NotifyMailEnv, event: PaymentChange, now: Date): Promise<EmailJob[]> {
	const entry = KINDS[event.type as keyof typeof KINDS];
	if (!entry || event.amount_cents <= 0) return [];
	const origin = siteOrigin(env);
	const tenants = [event.seller_tenant_id, event.buyer_tenant_id];
	const jobs: EmailJob[] = [];
	for (const recipient of await recipientsIn(env.DB, event.listing_id, tenants)) {
		const { job, data: common } = await envelopeFor(event.id, recipient, now);
		// A refund shows what went back; the others the payment's amount.
		const cents =
			event.type === "payment.refunded" && event.refunded_cents > 0 ? event.refunded_cents : event.amount_cents;
		const data = {
			...common,
			amount_cents: cents,
			currency: event.currency,
			payment_url: `${origin}/payments/${event.payment_id}`,
		};
		const notification = { user_id: recipient.user_id, kind: entry.kind, origin };
		jobs.push(
			entry.change === null
				? { ...job, template: "payment-paid", data, notification }
				: { ...job, template: "payment-update", data: { ...data, change: entry.change }, notification },
		);
	}
	return jobs;
}
