/**
 * The notification e-mails the `offer-events` and `payment-events` consumers queue
 * (./offer-mail.ts, ./payment-mail.ts), and the access-request job's (./access-mail.ts), with the
 * `backoffice-jobs` producer captured: who hears of which event (the party who did not move; both
 * for an expiry), with which template and kind, and that a redelivered event queues the same job
 * ids, which the e-mail consumer then sends once (against the mail stand-in).
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AccessRequestEventJob, EmailJob } from "../../queues/backoffice-jobs.ts";
import type { OfferEvent } from "../../queues/offer-events.ts";
import type { PaymentChange } from "../../queues/payment-events.ts";
import consumers from "./index.ts";

const bindings = env as unknown as ConsumersEnv & { MAILERSEND_API_BASE: string };
const hex = () => crypto.randomUUID().replaceAll("-", "");

async function party(kind: "seller" | "buyer") {
	const at = new Date().toISOString();
	const tenant = `${kind}_${hex().slice(0, 20)}`;
	const user = { id: `usr_${hex()}`, email: `${kind}-${hex().slice(0, 8)}@example.test`, tenant };
	await bindings.DB.batch([
		bindings.DB.prepare("INSERT INTO tenants (id, kind, name, created_at, updated_at) VALUES (?, ?, 'T', ?, ?)").bind(
			tenant,
			kind,
			at,
			at,
		),
		bindings.DB.prepare(
			"INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'Pat', ?, 'x', ?, ?)",
		).bind(user.id, tenant, user.email, kind, at, at),
	]);
	return user;
}

async function thread() {
	const [seller, buyer] = await Promise.all([party("seller"), party("buyer")]);
	const listing = `lst_${hex()}`;
	const at = new Date().toISOString();
	await bindings.DB.prepare(
		`INSERT INTO listings (id, seller_tenant_id, title, category, asking_price_cents, status, created_at, updated_at)
		 VALUES (?, ?, 'Mailed SaaS', 'saas', 100, 'active', ?, ?)`,
	)
		.bind(listing, seller.tenant, at, at)
		.run();
	const offer = `off_${hex()}`;
	const event = (type: OfferEvent["type"], actor: string | null, version: number): OfferEvent => ({
		id: `evt_${hex()}`,
		type,
		occurred_at: new Date().toISOString(),
		offer_id: offer,
		listing_id: listing,
		buyer_tenant_id: buyer.tenant,
		seller_tenant_id: seller.tenant,
		actor_tenant_id: actor,
		version,
		amount_cents: 1_000_000,
		currency: "USD",
	});
	const payment = (type: PaymentChange["type"]): PaymentChange => ({
		kind: "payment.event",
		id: `evt_${hex()}`,
		type,
		occurred_at: new Date().toISOString(),
		payment_id: `pay_${hex()}`,
		offer_id: offer,
		listing_id: listing,
		buyer_tenant_id: buyer.tenant,
		seller_tenant_id: seller.tenant,
		status: type === "payment.refunded" ? "refunded" : "paid",
		processing: false,
		version: 2,
		amount_cents: 1_000_000,
		fee_cents: 50_000,
		payout_cents: 950_000,
		refunded_cents: type === "payment.refunded" ? 400_000 : 0,
		transfer_cents: 0,
		currency: "USD",
		payment_intent_id: null,
		charge_id: null,
		transfer_id: null,
		stripe_fee_cents: null,
		paid_at: new Date().toISOString(),
		release_at: null,
		released_at: null,
	});
	return { seller, buyer, event, payment };
}

/** Delivers offer events; answers the e-mail jobs the consumer queued. */
async function deliverEvents(
	events: (OfferEvent | PaymentChange | AccessRequestEventJob)[],
	queue = "offer-events",
): Promise<EmailJob[]> {
	const sent: EmailJob[] = [];
	const capture = {
		send: async (body: unknown) => void sent.push(body as EmailJob),
		sendBatch: async (messages: Iterable<{ body: unknown }>) => {
			for (const message of messages) sent.push(message.body as EmailJob);
		},
	} as unknown as Queue;
	const batch = createMessageBatch(
		queue,
		events.map((body, i) => ({ id: `msg-om-${hex()}-${i}`, timestamp: new Date(), attempts: 1, body })),
	);
	const ctx = createExecutionContext();
	const on = { ...bindings, BACKOFFICE_JOBS: capture } as ConsumersEnv;
	await (consumers.queue as ExportedHandlerQueueHandler<ConsumersEnv>)(batch, on, ctx);
	const result = await getQueueResult(batch, ctx);
	expect(result.retryMessages).toEqual([]);
	return sent;
}

async function deliverJobs(jobs: EmailJob[]) {
	const batch = createMessageBatch(
		"backoffice-jobs",
		jobs.map((body, i) => ({ id: `msg-omj-${hex()}-${i}`, timestamp: new Date(), attempts: 1, body })),
	);
	const ctx = createExecutionContext();
	await (consumers.queue as ExportedHandlerQueueHandler<ConsumersEnv>)(batch, bindings, ctx);
	await getQueueResult(batch, ctx);
}

async function inboxOf(email: string): Promise<{ subject: string }[]> {
	const all = (await (await fetch(`${bindings.MAILERSEND_API_BASE}/api/messages`)).json()) as {
		subject: string;
		to: { email: string }[];
	}[];
	return all.filter((m) => m.to.some((to) => to.email === email));
}

describe("offer notification e-mails", () => {
	it("tells the seller of a new offer, once however often the event is delivered", async () => {
		const { seller, buyer, event } = await thread();
		const created = event("offer.created", buyer.tenant, 1);
		const first = await deliverEvents([created]);
		const again = await deliverEvents([created]);
		expect(first).toHaveLength(1);
		expect(first[0]).toMatchObject({
			template: "offer-received",
			to: { email: seller.email, name: "Pat" },
			notification: { user_id: seller.id, kind: "offer_received", origin: "https://techflunky.com" },
		});
		expect(again.map((job) => job.id)).toEqual(first.map((job) => job.id));
		await deliverJobs([...first, ...again]);
		expect(await inboxOf(seller.email)).toEqual([
			expect.objectContaining({ subject: "New offer on Mailed SaaS: $10,000.00" }),
		]);
		expect(await inboxOf(buyer.email)).toEqual([]);
	});

	it("tells the party who did not move of a counter, an acceptance and a rejection, and both of an expiry", async () => {
		const { seller, buyer, event } = await thread();
		const jobs = await deliverEvents([
			event("offer.countered", seller.tenant, 2),
			event("offer.accepted", buyer.tenant, 3),
			event("offer.rejected", seller.tenant, 4),
			event("offer.expired", null, 5),
			event("offer.held", seller.tenant, 6),
		]);
		const summary = jobs.map((job) => [job.to.email, job.notification?.kind]);
		expect(summary).toEqual(
			expect.arrayContaining([
				[buyer.email, "offer_countered"],
				[seller.email, "offer_accepted"],
				[buyer.email, "offer_rejected"],
				[seller.email, "offer_expired"],
				[buyer.email, "offer_expired"],
			]),
		);
		expect(jobs).toHaveLength(5);
		expect(jobs.every((job) => job.template === "offer-update")).toBe(true);
	});

	it("tells both parties of a payment made and refunded, once however often the event is delivered", async () => {
		const { seller, buyer, payment } = await thread();
		const paid = payment("payment.paid");
		const refunded = payment("payment.refunded");
		const jobs = await deliverEvents([paid, refunded, paid], "payment-events");
		const kinds = jobs.map((job) => [job.to.email, job.template, job.notification?.kind]);
		expect(new Set(kinds.map((k) => k.join()))).toEqual(
			new Set(
				[
					[seller.email, "payment-paid", "payment_paid"],
					[buyer.email, "payment-paid", "payment_paid"],
					[seller.email, "payment-update", "payment_refunded"],
					[buyer.email, "payment-update", "payment_refunded"],
				].map((k) => k.join()),
			),
		);
		const refund = jobs.find((job) => job.template === "payment-update");
		expect(refund?.data).toMatchObject({ change: "refunded", amount_cents: 400_000 });
		await deliverJobs(jobs);
		expect((await inboxOf(buyer.email)).map((m) => m.subject).sort()).toEqual([
			"Payment received for Mailed SaaS",
			"Payment refunded for Mailed SaaS",
		]);
	});

	it("tells the seller of an access request and the buyer of its decision", async () => {
		const { seller, buyer, event } = await thread();
		const listing = event("offer.created", null, 1).listing_id;
		const job = (status: AccessRequestEventJob["status"]): AccessRequestEventJob => ({
			id: `evt_${hex()}`,
			kind: "access_request.event",
			occurred_at: new Date().toISOString(),
			access_request_id: `acr_${hex()}`,
			listing_id: listing,
			buyer_tenant_id: buyer.tenant,
			seller_tenant_id: seller.tenant,
			status,
		});
		const asked = await deliverEvents([job("pending")], "backoffice-jobs");
		expect(asked).toEqual([
			expect.objectContaining({
				to: { email: seller.email, name: "Pat" },
				template: "access-request",
				data: expect.objectContaining({ change: "received" }),
				notification: { user_id: seller.id, kind: "access_request_received", origin: "https://techflunky.com" },
			}),
		]);
		const decided = await deliverEvents([job("approved")], "backoffice-jobs");
		expect(decided.map((m) => [m.to.email, m.notification?.kind, (m.data as { change: string }).change])).toEqual([
			[buyer.email, "access_request_decided", "approved"],
		]);
	});
});
