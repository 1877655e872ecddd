/**
 * Escrowed payments end to end, as a client and Stripe see them: the whole local topology with
 * the local Stripe stand-in (`startTopology({ localStripe })`), which the Workers reach through
 * the official SDK and which signs its webhooks to the topology's `/webhooks/stripe`. A seller
 * onboards (its onboarding page's button), a buyer negotiates and pays on the stand-in (its test
 * API, as its Checkout page's buttons would), and every status change arrives the way
 * production's does: a verified webhook → payment-events → the payment's object → the room and
 * the consolidated records. Every REST answer is checked against the contract (./client.ts).
 *
 * The automatic release 14 days after payment is not waited for here (neither the stand-in nor
 * the object can be made to wait honestly); the object's alarm is driven in its workerd tests.
 */
import { describe, expect, it } from "vitest";
import { NegotiationClient } from "../../shared/offers/client.ts";
import type { OfferView } from "../../shared/offers/protocol.ts";
import { type Checkout, sessionOf, stripeTestApi } from "../support/stripe-test-api.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import {
	type Account,
	answerOf,
	type E2eClient,
	type SignedInAdmin,
	topologyForFile,
	waitFor,
	webSocketAs,
} from "./client.ts";

let topology: Topology;
let client: E2eClient;
let admin: SignedInAdmin;
const sockets: NegotiationClient[] = [];

topologyForFile(
	{ secrets: testSecrets(), admin: "payments", localStripe: { achSettleDelayMs: null }, sockets },
	(file) => ({ topology, client, admin } = file),
);

interface Payment {
	id: string;
	status: string;
	processing: boolean;
	amount_cents: number;
	fee_cents: number;
	seller_payout_cents: number;
	refunded_cents: number;
	dispute: { reason: string; opened_by: string } | null;
	checkout_url: string | null;
}

/** A payment as the thread's consolidated timeline shows it. */
interface TimelinePayment {
	id: string;
	attempt: number;
	status: string;
	amount_cents: number;
	fee_cents: number;
	seller_payout_cents: number;
	refunded_cents: number;
	paid_at: string | null;
	released_at: string | null;
}

interface Timeline {
	events: { type: string }[];
	deal: { status: string } | null;
	payments: TimelinePayment[];
}

const api = <T = unknown>(account: { token: string } | null, path: string, json?: unknown, method?: string) =>
	answerOf<T>(client, account, path, json, method);

/** Stripe's side, through the stand-in's test API. */
const stripeTest = (path: string, body?: unknown) => stripeTestApi(topology.stripe?.url, path, body);

/** A seller who has onboarded at Stripe, its account confirmed by `account.updated`. */
async function onboardedSeller(): Promise<Account> {
	const seller = await client.register("seller");
	const link = await api<{ url: string; account: { account_id: string } }>(seller, "/api/v1/sellers/connect", {});
	expect(link.status).toBe(200);
	expect(link.body.url).toContain(link.body.account.account_id);
	// The seller opens the onboarding page and presses its button, as in a browser.
	const page = await fetch(link.body.url);
	expect(await page.text()).toContain('value="complete"');
	const pressed = await fetch(link.body.url, {
		method: "POST",
		headers: { "Content-Type": "application/x-www-form-urlencoded" },
		body: "action=complete",
		redirect: "manual",
	});
	expect(pressed.status).toBe(303);
	await waitFor(async () => {
		const state = await api<{ can_receive_transfers: boolean }>(seller, "/api/v1/sellers/connect");
		return state.body.can_receive_transfers ? state.body : undefined;
	});
	return seller;
}

/** An accepted thread between an onboarded seller and a buyer. */
async function acceptedDeal(amount_cents = 2_500_000) {
	const [seller, buyer] = await Promise.all([onboardedSeller(), client.register("buyer")]);
	const listing = await client.listing(seller);
	const offer = await api<OfferView>(buyer, `/api/v1/listings/${listing.id}/offers`, { amount_cents });
	expect(offer.status).toBe(201);
	const accepted = await api<OfferView>(seller, `/api/v1/offers/${offer.body.id}/accept`, {
		version: offer.body.version,
	});
	expect(accepted.status).toBe(200);
	return { seller, buyer, listingId: listing.id, offerId: offer.body.id };
}

async function checkout(buyer: Account, offerId: string, status = 201): Promise<Checkout> {
	const res = await api<Checkout>(buyer, `/api/v1/offers/${offerId}/checkout`, {});
	expect(res.status, JSON.stringify(res.body)).toBe(status);
	return res.body;
}

function paymentIn(account: Account, id: string, status: string, timeoutMs = 15_000): Promise<Payment> {
	return waitFor(async () => {
		const res = await api<Payment>(account, `/api/v1/payments/${id}`);
		return res.body.status === status ? res.body : undefined;
	}, timeoutMs);
}

/** The thread's timeline, once the consolidated record (seconds behind) shows the payment in `status`. */
function timelineWith(account: Account, offerId: string, paymentId: string, status: string): Promise<Timeline> {
	return waitFor(async () => {
		const res = await api<Timeline>(account, `/api/v1/offers/${offerId}/timeline`);
		expect(res.status).toBe(200);
		return res.body.payments.some((payment) => payment.id === paymentId && payment.status === status)
			? res.body
			: undefined;
	}, 15_000);
}

/** A party's socket in the thread's room, with every state frame recorded. */
function watch(account: Account, offerId: string) {
	const room = new NegotiationClient({
		host: `127.0.0.1:${topology.url.port}`,
		offerId,
		token: account.token,
		WebSocket: webSocketAs(),
	});
	sockets.push(room);
	const states: OfferView[] = [];
	room.onState((state) => states.push(state));
	return {
		states,
		until: (match: (state: OfferView) => boolean) => waitFor(async () => states.find(match), 15_000),
	};
}

describe("an escrowed payment", () => {
	it("is paid once, held, and released to the seller when the buyer confirms the handover", async () => {
		const deal = await acceptedDeal(2_500_000);
		const buyerRoom = watch(deal.buyer, deal.offerId);
		const sellerRoom = watch(deal.seller, deal.offerId);
		await Promise.all([buyerRoom.until(() => true), sellerRoom.until(() => true)]);

		// A double click makes one session.
		const [a, b] = await Promise.all([
			api<Checkout>(deal.buyer, `/api/v1/offers/${deal.offerId}/checkout`, {}),
			api<Checkout>(deal.buyer, `/api/v1/offers/${deal.offerId}/checkout`, {}),
		]);
		expect([a.status, b.status].sort()).toEqual([200, 201]);
		expect(b.body.payment_id).toBe(a.body.payment_id);
		expect(b.body.checkout_url).toBe(a.body.checkout_url);
		expect(a.body).toMatchObject({ amount_cents: 2_500_000, fee_cents: 200_000, seller_payout_cents: 2_300_000 });
		const paymentId = a.body.payment_id;

		await stripeTest(`/checkout/sessions/${sessionOf(a.body)}/pay`, { method: "card" });
		const paid = await paymentIn(deal.buyer, paymentId, "paid");
		expect(paid.checkout_url).toBeNull();
		// The thread's timeline shows it paid, to both parties, beside the thread's own record.
		const paidTimeline = await timelineWith(deal.buyer, deal.offerId, paymentId, "paid");
		expect(paidTimeline.payments).toEqual([
			expect.objectContaining({
				id: paymentId,
				attempt: 1,
				amount_cents: 2_500_000,
				fee_cents: 200_000,
				seller_payout_cents: 2_300_000,
				refunded_cents: 0,
				paid_at: expect.any(String),
				released_at: null,
			}),
		]);
		expect(paidTimeline.deal?.status).toBe("accepted");
		await timelineWith(deal.seller, deal.offerId, paymentId, "paid");

		// Both parties are told in the room; the listing is sold.
		for (const room of [buyerRoom, sellerRoom]) {
			await room.until((state) => state.payment?.id === paymentId && state.payment.status === "paid");
		}
		const thread = await api<OfferView>(deal.seller, `/api/v1/offers/${deal.offerId}`);
		expect(thread.body.payment).toEqual({ id: paymentId, status: "paid" });
		const listing = await api<{ status: string }>(deal.seller, `/api/v1/listings/${deal.listingId}`);
		expect(listing.body.status).toBe("sold");
		// A paid thread is closed for good: checkout again is refused.
		expect((await api(deal.buyer, `/api/v1/offers/${deal.offerId}/checkout`, {})).status).toBe(409);

		// Only the buyer releases the money.
		expect((await api(deal.seller, `/api/v1/payments/${paymentId}/confirm-handover`, {})).status).toBe(403);
		const confirmed = await api<Payment>(deal.buyer, `/api/v1/payments/${paymentId}/confirm-handover`, {});
		expect(confirmed.status).toBe(200);
		await paymentIn(deal.seller, paymentId, "released");
		const releasedTimeline = await timelineWith(deal.seller, deal.offerId, paymentId, "released");
		expect(releasedTimeline.payments).toEqual([
			expect.objectContaining({ id: paymentId, paid_at: expect.any(String), released_at: expect.any(String) }),
		]);
		const transfers = (topology.stripe?.events() ?? []).filter(
			(event) =>
				event.event.type === "transfer.created" &&
				(event.event.data.object as { transfer_group?: string }).transfer_group === paymentId,
		);
		// One transfer, of amount − fee.
		expect(transfers.map((record) => (record.event.data.object as { amount: number }).amount)).toEqual([2_300_000]);
		// The session names its payment in `client_reference_id` as well as in its metadata.
		const completed = (topology.stripe?.events() ?? []).find(
			(record) =>
				record.event.type === "checkout.session.completed" &&
				(record.event.data.object as { metadata?: { payment_id?: string } }).metadata?.payment_id === paymentId,
		);
		expect(completed?.event.data.object).toMatchObject({ client_reference_id: paymentId });

		// The consolidated record.
		const db = await topology.db();
		const record = await waitFor(async () => {
			const row = await db
				.prepare(
					"SELECT status, amount_cents, fee_cents, seller_payout_cents, stripe_fee_cents, platform_net_cents FROM payments WHERE id = ?",
				)
				.bind(paymentId)
				.first<Record<string, number | string | null>>();
			return row?.status === "released" && row.stripe_fee_cents !== null ? row : undefined;
		}, 15_000);
		expect(record).toMatchObject({ amount_cents: 2_500_000, fee_cents: 200_000, seller_payout_cents: 2_300_000 });
		expect(record.platform_net_cents).toBe(200_000 - Number(record.stripe_fee_cents));
	});

	it("is refused while the seller cannot receive payouts, saying so", async () => {
		const [seller, buyer] = await Promise.all([client.register("seller"), client.register("buyer")]);
		const listing = await client.listing(seller);
		const offer = await api<OfferView>(buyer, `/api/v1/listings/${listing.id}/offers`, { amount_cents: 900_000 });
		await api(seller, `/api/v1/offers/${offer.body.id}/accept`, { version: offer.body.version });
		const refused = await api<{ detail: string }>(buyer, `/api/v1/offers/${offer.body.id}/checkout`, {});
		expect(refused.status).toBe(409);
		expect(refused.body.detail).toBe("The seller cannot receive payouts yet.");
	});

	it("freezes release under the buyer's dispute, and an admin refunds it", async () => {
		const deal = await acceptedDeal(1_000_000);
		const made = await checkout(deal.buyer, deal.offerId);
		await stripeTest(`/checkout/sessions/${sessionOf(made)}/pay`, { method: "card" });
		await paymentIn(deal.buyer, made.payment_id, "paid");
		const disputed = await api<Payment>(deal.buyer, `/api/v1/payments/${made.payment_id}/dispute`, {
			reason: "The source code was not handed over.",
		});
		expect(disputed.status).toBe(200);
		expect(disputed.body).toMatchObject({ status: "disputed", dispute: { opened_by: "buyer" } });
		expect((await api(deal.buyer, `/api/v1/payments/${made.payment_id}/confirm-handover`, {})).status).toBe(409);
		// Admins see it, and refund it.
		const seen = await api<{ items: Payment[] }>(admin, "/api/v1/payments?limit=100");
		expect(seen.body.items.find((item) => item.id === made.payment_id)?.status).toBe("disputed");
		const refunded = await api(admin, `/api/v1/payments/${made.payment_id}/refund`, { reason: "Handover failed." });
		expect(refunded.status).toBe(200);
		const done = await paymentIn(deal.buyer, made.payment_id, "refunded");
		expect(done.refunded_cents).toBe(1_000_000);
		const db = await topology.db();
		const audit = await waitFor(async () =>
			db
				.prepare("SELECT action, actor_tenant_id FROM audit_log WHERE action = 'payment.refund' AND detail LIKE ?")
				.bind(`%${made.payment_id}%`)
				.first<{ action: string; actor_tenant_id: string }>()
				.then((row) => row ?? undefined),
		);
		expect(audit.actor_tenant_id).toBe(admin.tenantId);
	});

	it("is refunded after release by reversing the seller's transfer first", async () => {
		const deal = await acceptedDeal(800_000);
		const made = await checkout(deal.buyer, deal.offerId);
		await stripeTest(`/checkout/sessions/${sessionOf(made)}/pay`, { method: "card" });
		await paymentIn(deal.buyer, made.payment_id, "paid");
		expect((await api(deal.buyer, `/api/v1/payments/${made.payment_id}/confirm-handover`, {})).status).toBe(200);
		await paymentIn(deal.buyer, made.payment_id, "released");
		const refund = await api(admin, `/api/v1/payments/${made.payment_id}/refund`, { reason: "Fraudulent listing." });
		expect(refund.status).toBe(200);
		const done = await paymentIn(deal.buyer, made.payment_id, "refunded");
		expect(done.refunded_cents).toBe(800_000);
		const types = (topology.stripe?.events() ?? [])
			.map((record) => record.event)
			.filter((event) => JSON.stringify(event.data.object).includes(made.payment_id))
			.map((event) => event.type);
		expect(types).toContain("transfer.reversed");
		expect(types.indexOf("transfer.reversed")).toBeLessThan(types.lastIndexOf("charge.refunded"));
	});

	it("freezes release under a card dispute opened at Stripe", async () => {
		const deal = await acceptedDeal(600_000);
		const made = await checkout(deal.buyer, deal.offerId);
		await stripeTest(`/checkout/sessions/${sessionOf(made)}/pay`, { method: "card" });
		await paymentIn(deal.buyer, made.payment_id, "paid");
		const db = await topology.db();
		const intent = await waitFor(async () =>
			db
				.prepare("SELECT payment_intent_id FROM payments WHERE id = ?")
				.bind(made.payment_id)
				.first<string | null>("payment_intent_id")
				.then((value) => value ?? undefined),
		);
		await stripeTest(`/payment_intents/${intent}/dispute`);
		const disputed = await paymentIn(deal.buyer, made.payment_id, "disputed");
		expect(disputed.dispute?.opened_by).toBe("card_network");
		expect((await api(deal.buyer, `/api/v1/payments/${made.payment_id}/confirm-handover`, {})).status).toBe(409);
	});

	it("fails when an asynchronous bank payment fails, and a new checkout can follow", async () => {
		const deal = await acceptedDeal(1_500_000);
		const first = await checkout(deal.buyer, deal.offerId);
		await stripeTest(`/checkout/sessions/${sessionOf(first)}/pay`, { method: "bank" });
		await waitFor(async () => {
			const res = await api<Payment>(deal.buyer, `/api/v1/payments/${first.payment_id}`);
			return res.body.processing ? res.body : undefined;
		});
		await stripeTest(`/checkout/sessions/${sessionOf(first)}/fail`);
		await paymentIn(deal.buyer, first.payment_id, "failed");
		const second = await waitFor(async () => {
			const res = await api<Checkout>(deal.buyer, `/api/v1/offers/${deal.offerId}/checkout`, {});
			return res.status === 201 ? res.body : undefined;
		});
		expect(second.payment_id).not.toBe(first.payment_id);
	});
});
