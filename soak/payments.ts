/**
 * Payment traffic for the soak (docs/resilience.md, Payments): sellers onboard their payout
 * account at the local Stripe, and accepted threads are paid through the platform's checkout and
 * the stand-in's test API — by card (then held, released on the buyer's handover, or disputed by
 * the buyer and refunded by an admin), by a bank debit that settles or fails, or left to expire
 * (a failed or expired attempt is followed by a new checkout paid by card). Webhook delivery is
 * faulted: every other round holds Stripe's events and releases them in reverse order (one of them
 * redelivered while the rest wait, so it arrives first), and after every step a share of its
 * events is redelivered 1–3 times. Rounds run one after another, a few payments each, because the
 * stand-in's hold is global; what each payment was driven to is kept for ./payments-check.ts.
 *
 * Trade-off: the traffic starts after the restart fault (Miniflare's queues live in memory, so a
 * workerd crash would lose payment events in flight, which production would not) and only ever
 * waits on the platform's own answers, polling `GET /api/v1/payments/:id`.
 */

import type { PaymentStatus } from "../shared/contract/routes/payments.ts";
import { contract } from "../shared/contract/table.ts";
import type { Topology } from "../test/topology/topology.ts";
import type { SoakClient } from "./client.ts";
import { StripeTestApi } from "./stripe-test.ts";

export interface Party {
	token: string;
	tenant: { id: string };
}

/** An accepted thread, as the workload leaves it. */
export interface PayableThread {
	id: string;
	listingId: string;
	buyer: Party;
	seller: Party;
	amount_cents: number;
}

/** How a payment is driven: its Stripe side, then what the parties do. */
export type Plan = "card" | "card_release" | "card_refund" | "bank_settle" | "bank_fail" | "expire";

const TARGET: Readonly<Record<Plan, PaymentStatus>> = {
	card: "paid",
	card_release: "released",
	card_refund: "refunded",
	bank_settle: "paid",
	bank_fail: "failed",
	expire: "expired",
};
/** The plans in turn, so every run has each in about these shares. */
const PLANS: readonly Plan[] = [
	"card_release",
	"card_refund",
	"bank_settle",
	"card",
	"bank_fail",
	"card_release",
	"expire",
	"card_refund",
];
const ROUND_SIZE = 5;
const MAX_PAYMENTS = 45;
/** Share of a step's events redelivered (1–3 times each). */
export const REDELIVER_SHARE = 0.35;

export interface DrivenPayment {
	id: string;
	thread: PayableThread;
	plan: Plan;
	attempt: number;
	/** The status the soak drove it to. */
	target: PaymentStatus;
	/** Its webhooks were held and released in reverse order. */
	held: boolean;
	/** The first checkout was a double click (two concurrent requests, one session). */
	double_click: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const sessionOf = (url: string) => new URL(url).pathname.split("/").pop() ?? "";

export class PaymentTraffic {
	readonly stripe: StripeTestApi;
	readonly payments: DrivenPayment[] = [];
	readonly problems: string[] = [];
	readonly onboarded = new Set<string>();
	/** Checkouts refused (409) because the seller had not onboarded. */
	refusedCheckouts = 0;
	heldRounds = 0;
	releasedReversed = 0;
	redeliveredEvents = 0;
	redeliveries = 0;
	deliveredWhileHeld = 0;
	poison: string[] = [];
	readonly #client: SoakClient;
	readonly #topology: Topology;
	readonly #adminToken: string;
	readonly #taken = new Set<string>();
	#seen = 0;
	/** First attempts planned so far: the plans go round PLANS in this order. */
	#planned = 0;

	constructor(client: SoakClient, topology: Topology, adminToken: string) {
		if (!topology.stripe) throw new Error("the soak's payments need the topology's local Stripe");
		this.#client = client;
		this.#topology = topology;
		this.#adminToken = adminToken;
		this.stripe = new StripeTestApi(topology.stripe.port);
	}

	/** A seller's Connect account, made through the API and completed at the stand-in, until checkout is open to them. */
	async onboard(seller: Party): Promise<void> {
		const link = await this.#client.call(
			"seller.connect",
			contract.startSellerOnboarding,
			{ token: seller.token },
			[200],
		);
		const account = link?.body.account.account_id;
		if (!account) return void this.problems.push(`${seller.tenant.id}: no onboarding link`);
		await this.stripe.post("onboard", `/accounts/${account}/onboard`, { outcome: "complete" });
		const ready = await this.#until(async () => {
			const state = await this.#client.call(
				"seller.account",
				contract.getSellerAccount,
				{ token: seller.token },
				[200],
			);
			return state?.body.can_receive_transfers === true;
		}, 15_000);
		if (ready) this.onboarded.add(seller.tenant.id);
		else this.problems.push(`${seller.tenant.id}: account ${account} never could receive transfers`);
	}

	/** Schema-invalid `payment-events` messages, straight onto the queue: the only dead letters allowed. */
	async injectPoison(count: number): Promise<void> {
		const queue = await this.#topology.mf.getQueueProducer<unknown>("PAYMENT_EVENTS", "techflunky-dispatch");
		const stamp = Date.now().toString(16);
		this.poison = Array.from({ length: count }, (_, i) => `soak_poison_${stamp}_${i}`);
		await queue.sendBatch(
			this.poison.map((id) => ({
				body: { kind: "payment.event", id, type: "payment.paid" },
				contentType: "json" as const,
			})),
		);
	}

	/** Rounds of payments over the threads `accepted()` offers, while `running()`. */
	async run(accepted: () => PayableThread[], running: () => boolean): Promise<void> {
		this.#seen = (await this.stripe.events()).length;
		let round = 0;
		while (running() && this.payments.length < MAX_PAYMENTS) {
			const fresh = accepted().filter((thread) => !this.#taken.has(thread.id));
			const refused = fresh.filter((thread) => !this.onboarded.has(thread.seller.tenant.id));
			// The sellers who did not onboard: a few of their buyers try, and are refused; the rest never pay.
			for (const thread of refused) this.#taken.add(thread.id);
			for (const thread of refused.slice(0, Math.max(0, 3 - this.refusedCheckouts))) await this.#refused(thread);
			const payable = fresh.filter((thread) => this.onboarded.has(thread.seller.tenant.id)).slice(0, ROUND_SIZE);
			for (const thread of payable) this.#taken.add(thread.id);
			if (payable.length === 0) {
				await sleep(500);
				continue;
			}
			await this.#round(payable, round++ % 2 === 1);
		}
	}

	async #refused(thread: PayableThread): Promise<void> {
		const input = { params: { id: thread.id }, token: thread.buyer.token };
		const reply = await this.#client.call("payment.checkout", contract.createCheckout, input, [409]);
		this.refusedCheckouts += 1;
		if (reply && !/cannot receive payouts/.test(reply.body.detail ?? ""))
			this.problems.push(`${thread.id}: checkout refused for another reason: ${reply.body.detail}`);
	}

	/** One round: checkout, Stripe's side, the parties' moves, new attempts after failures; `held` faults its webhooks. */
	async #round(threads: PayableThread[], held: boolean): Promise<void> {
		if (held) this.heldRounds += 1;
		const made = await Promise.all(
			threads.map((thread) => this.#checkout(thread, PLANS[this.#planned++ % PLANS.length] ?? "card", held)),
		);
		const round = made.filter((entry) => entry !== null);
		await this.#faulted(held, () => Promise.all(round.map((entry) => this.#pay(entry.payment, entry.session))));
		await Promise.all(
			round.map((entry) =>
				this.#reach(
					entry.payment,
					entry.payment.plan.startsWith("card") || entry.payment.plan === "bank_settle" ? "paid" : entry.payment.target,
				),
			),
		);
		const moving = round.filter((entry) => entry.payment.target === "released" || entry.payment.target === "refunded");
		await this.#faulted(held, () => Promise.all(moving.map((entry) => this.#settle(entry.payment))), moving.length);
		await Promise.all(moving.map((entry) => this.#reach(entry.payment, entry.payment.target)));
		// A failed or expired attempt: the buyer checks out again, by card.
		const again = round.filter((entry) => entry.payment.target === "failed" || entry.payment.target === "expired");
		const retried = await Promise.all(again.map((entry) => this.#checkout(entry.payment.thread, "card", false, 2)));
		await this.#faulted(false, () =>
			Promise.all(retried.filter((entry) => entry !== null).map((entry) => this.#pay(entry.payment, entry.session))),
		);
		await Promise.all(retried.map((entry) => entry && this.#reach(entry.payment, "paid")));
	}

	async #checkout(
		thread: PayableThread,
		plan: Plan,
		held: boolean,
		attempt = 1,
	): Promise<{ payment: DrivenPayment; session: string } | null> {
		const input = { params: { id: thread.id }, token: thread.buyer.token };
		const doubleClick = attempt === 1 && this.#planned % 4 === 0;
		const call = () => this.#client.call("payment.checkout", contract.createCheckout, input, [200, 201]);
		// Until the registry has caught up with a failed or expired attempt, a new one is refused (409, "closing").
		const again = () => this.#client.call("payment.checkout_again", contract.createCheckout, input, [201, 409]);
		let replies: ({
			status: number;
			body: { payment_id: string; checkout_url: string; amount_cents: number };
		} | null)[];
		if (attempt > 1) {
			let reply = await again();
			for (let tries = 0; reply?.status === 409 && tries < 40; tries++) {
				await sleep(250);
				reply = await again();
			}
			if (reply?.status !== 201) {
				this.problems.push(`${thread.id}: no new checkout after attempt ${attempt - 1} closed`);
				return null;
			}
			replies = [reply];
		} else replies = doubleClick ? await Promise.all([call(), call()]) : [await call()];
		const [first, second] = replies;
		if (!first || second === null) return null;
		if (
			second &&
			(second.body.payment_id !== first.body.payment_id || [first.status, second.status].sort().join() !== "200,201")
		)
			this.problems.push(
				`${thread.id}: double click made ${first.status} ${first.body.payment_id} and ${second.status} ${second.body.payment_id}`,
			);
		if (attempt > 1 && first.status !== 201)
			this.problems.push(`${thread.id}: attempt ${attempt} answered ${first.status}`);
		if (first.body.amount_cents !== thread.amount_cents)
			this.problems.push(`${thread.id}: checkout for ${first.body.amount_cents}, accepted ${thread.amount_cents}`);
		const payment: DrivenPayment = {
			id: first.body.payment_id,
			thread,
			plan,
			attempt,
			target: TARGET[plan],
			held,
			double_click: doubleClick,
		};
		this.payments.push(payment);
		return { payment, session: sessionOf(first.body.checkout_url) };
	}

	/** The buyer's (and the bank's) side at Stripe. */
	async #pay(payment: DrivenPayment, session: string): Promise<void> {
		const at = `/checkout/sessions/${session}`;
		if (payment.plan === "expire") return void (await this.stripe.post("expire", `${at}/expire`));
		const bank = payment.plan === "bank_settle" || payment.plan === "bank_fail";
		await this.stripe.post(`pay_${bank ? "bank" : "card"}`, `${at}/pay`, { method: bank ? "bank" : "card" });
		if (payment.plan === "bank_settle") await this.stripe.post("settle", `${at}/settle`);
		if (payment.plan === "bank_fail") await this.stripe.post("fail", `${at}/fail`);
	}

	/** The parties' move on a paid payment: the buyer confirms the handover, or disputes and an admin refunds. */
	async #settle(payment: DrivenPayment): Promise<void> {
		const input = { params: { id: payment.id }, token: payment.thread.buyer.token };
		if (payment.target === "released") {
			await this.#client.call("payment.confirm", contract.confirmHandover, input, [200]);
			return;
		}
		const reason = "The soak's buyer says the handover did not happen.";
		const disputed = await this.#client.call(
			"payment.dispute",
			contract.openDispute,
			{ ...input, body: { reason } },
			[200],
		);
		if (disputed && disputed.body.status !== "disputed")
			this.problems.push(`${payment.id}: dispute answered ${disputed.body.status}`);
		const refund = { params: { id: payment.id }, token: this.#adminToken, body: { reason: "Soak: handover failed." } };
		await this.#client.call("payment.refund", contract.refundPayment, refund, [200]);
	}

	/**
	 * Runs `step` (which makes Stripe send `expected` events or more) with its webhooks faulted:
	 * when `held`, they wait, one is redelivered first, and the rest go in reverse order; either
	 * way a share of them is then redelivered 1–3 times.
	 */
	async #faulted(held: boolean, step: () => Promise<unknown>, expected = 0): Promise<void> {
		if (held) await this.stripe.post("hold", "/webhooks/hold");
		let holding = held;
		try {
			await step();
			if (held) {
				// The parties' moves make Stripe calls from the payment's object, after the answer: wait for their events.
				await this.#until(async () => (await this.#fresh()).length >= expected, 15_000);
				const waiting = (await this.#fresh()).filter((event) => event.state === "held");
				const early = waiting[Math.floor(Math.random() * waiting.length)];
				if (early) {
					await this.stripe.post("redeliver", `/events/${early.id}/redeliver`, { times: 1 });
					this.deliveredWhileHeld += 1;
				}
				const released = await this.stripe.post("release", "/webhooks/release", { order: "reverse" });
				holding = released === null;
				this.releasedReversed += ((released?.released as unknown[] | undefined) ?? []).length;
			}
		} finally {
			// Never leave the stand-in holding: every later webhook would wait for good.
			if (holding) await this.stripe.post("release", "/webhooks/release", { order: "sent" });
		}
		await this.stripe.idle();
		const fresh = await this.#fresh();
		this.#seen += fresh.length;
		for (const event of fresh) {
			if (Math.random() >= REDELIVER_SHARE) continue;
			const times = 1 + Math.floor(Math.random() * 3);
			await this.stripe.post("redeliver", `/events/${event.id}/redeliver`, { times });
			this.redeliveredEvents += 1;
			this.redeliveries += times;
		}
	}

	/** The stand-in's events since the last step. */
	async #fresh() {
		return (await this.stripe.events()).slice(this.#seen);
	}

	/** Polls the payment as its buyer until it is `status` (≤ 20 s); a problem when it never is. */
	async #reach(payment: DrivenPayment, status: PaymentStatus): Promise<void> {
		let last: string | undefined;
		const input = { params: { id: payment.id }, token: payment.thread.buyer.token };
		const reached = await this.#until(async () => {
			const reply = await this.#client.call("payment.poll", contract.getPayment, input, [200]);
			last = reply?.body.status;
			return last === status;
		}, 20_000);
		if (!reached) this.problems.push(`${payment.id} (${payment.plan}): never ${status}, last ${last}`);
	}

	async #until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
		for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
			if (await check()) return true;
		}
		return false;
	}
}
