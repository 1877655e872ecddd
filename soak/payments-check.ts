/**
 * The payment reconciliation (docs/resilience.md, Payments), after the workload: every payment
 * ./payments.ts drove is read back from the API and from the consolidated D1 `payments` row, and
 * checked against what the soak drove it to and against what the local Stripe itself recorded
 * (`GET /_test/events`): status, amount, the 8% fee (shared/payments/fee.ts) and the seller's
 * payout of what the buyer keeps paying, the refund, the platform's net of Stripe's fee; each paid
 * listing `sold`; at most one transfer per payment, of amount − fee, and only for a released one;
 * refunds never above the amount; every event Stripe sent in `stripe_events` once and handled;
 * no payment event dead-lettered but the injected poison.
 */

import { contract } from "../shared/contract/table.ts";
import { platformFee, split } from "../shared/payments/fee.ts";
import type { Topology } from "../test/topology/topology.ts";
import type { SoakClient } from "./client.ts";
import { type DrivenPayment, type PaymentTraffic, REDELIVER_SHARE } from "./payments.ts";
import { paymentOf, type StandInEvent } from "./stripe-test.ts";

interface PaymentRow {
	id: string;
	status: string;
	processing: number;
	amount_cents: number;
	fee_cents: number;
	seller_payout_cents: number;
	refunded_cents: number;
	stripe_fee_cents: number | null;
	platform_net_cents: number | null;
}

/** Whether the payment was charged (its Stripe fee is then known). */
const paidAtStripe = (payment: DrivenPayment) => ["paid", "released", "refunded"].includes(payment.target);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function inChunks<T>(
	ids: readonly string[],
	read: (chunk: string[], marks: string) => Promise<T[]>,
): Promise<T[]> {
	const out: T[] = [];
	for (let i = 0; i < ids.length; i += 50) {
		const chunk = ids.slice(i, i + 50);
		out.push(...(await read(chunk, chunk.map(() => "?").join(","))));
	}
	return out;
}

export async function checkPayments(
	traffic: PaymentTraffic,
	client: SoakClient,
	topology: Topology,
	timeoutMs: number,
) {
	const db = await topology.db();
	const payments = traffic.payments;
	const ids = payments.map((p) => p.id);
	const problems: string[] = [...traffic.problems, ...traffic.stripe.problems];
	const readRows = async () =>
		new Map(
			(
				await inChunks(
					ids,
					async (chunk, marks) =>
						(
							await db
								.prepare(
									`SELECT id, status, processing, amount_cents, fee_cents, seller_payout_cents, refunded_cents, stripe_fee_cents,
								   platform_net_cents FROM payments WHERE id IN (${marks})`,
								)
								.bind(...chunk)
								.all<PaymentRow>()
						).results,
				)
			).map((row) => [row.id, row]),
		);
	const readLog = async () =>
		new Map(
			(
				await db.prepare("SELECT id, outcome, handled_at FROM stripe_events").all<{
					id: string;
					outcome: string | null;
					handled_at: string | null;
				}>()
			).results.map((row) => [row.id, row]),
		);
	const readDead = async () =>
		(
			await db
				.prepare(
					"SELECT message_id, json_extract(body, '$.id') AS event_id, reason FROM dead_letters WHERE queue = 'payment-events'",
				)
				.all<{ message_id: string; event_id: string | null; reason: string }>()
		).results;
	// The consolidation is seconds behind the objects: wait until every row and every event has caught up.
	const started = Date.now();
	let rows = await readRows();
	let log = await readLog();
	let events: StandInEvent[] = await traffic.stripe.events();
	let dead = await readDead();
	const settled = () =>
		payments.every((p) => rows.get(p.id)?.status === p.target) &&
		payments.every((p) => !paidAtStripe(p) || rows.get(p.id)?.stripe_fee_cents != null) &&
		events.every((e) => e.state !== "delivered" || log.get(e.id)?.handled_at) &&
		traffic.poison.every((id) => dead.some((row) => row.event_id === id));
	while (!settled() && Date.now() - started < timeoutMs) {
		await sleep(500);
		[rows, log, events, dead] = await Promise.all([readRows(), readLog(), traffic.stripe.events(), readDead()]);
	}
	const listings = new Map(
		(
			await inChunks(
				[...new Set(payments.map((p) => p.thread.listingId))],
				async (chunk, marks) =>
					(
						await db
							.prepare(`SELECT id, status FROM listings WHERE id IN (${marks})`)
							.bind(...chunk)
							.all<{ id: string; status: string }>()
					).results,
			)
		).map((row) => [row.id, row.status]),
	);
	const byPayment = new Map<string, StandInEvent[]>();
	for (const event of events) {
		const id = paymentOf(event);
		if (id) byPayment.set(id, [...(byPayment.get(id) ?? []), event]);
	}
	const paidThreads = new Set(payments.filter(paidAtStripe).map((p) => p.thread.id));
	let stripeFeeKnown = 0;
	let transfers = 0;
	for (const payment of payments) {
		const note = (what: string) =>
			problems.push(`${payment.id} (${payment.plan}, attempt ${payment.attempt}): ${what}`);
		const amount = payment.thread.amount_cents;
		const refunded = payment.target === "refunded" ? amount : 0;
		const want = {
			status: payment.target,
			amount_cents: amount,
			refunded_cents: refunded,
			...split(amount - refunded),
		};
		const input = { params: { id: payment.id }, token: payment.thread.buyer.token };
		const view = (await client.call("payment.get", contract.getPayment, input, [200]))?.body;
		const row = rows.get(payment.id);
		if (!view) note("GET failed");
		else if (
			view.status !== want.status ||
			view.processing ||
			view.amount_cents !== amount ||
			view.fee_cents !== want.fee_cents ||
			view.seller_payout_cents !== want.payout_cents ||
			view.refunded_cents !== refunded
		)
			note(
				`API ${view.status}/${view.amount_cents}/${view.fee_cents}/${view.seller_payout_cents}/${view.refunded_cents}, want ${JSON.stringify(want)}`,
			);
		if (!row) note("no payments row");
		else {
			if (
				row.status !== want.status ||
				row.processing !== 0 ||
				row.amount_cents !== amount ||
				row.fee_cents !== want.fee_cents ||
				row.seller_payout_cents !== want.payout_cents ||
				row.refunded_cents !== refunded
			)
				note(`row ${JSON.stringify(row)}, want ${JSON.stringify(want)}`);
			if (row.stripe_fee_cents !== null) stripeFeeKnown += 1;
			else if (paidAtStripe(payment)) note("Stripe's fee never recorded");
			const net = row.stripe_fee_cents === null ? null : row.fee_cents - row.stripe_fee_cents;
			if (row.platform_net_cents !== net) note(`platform_net_cents ${row.platform_net_cents}, want ${net}`);
		}
		const listing = listings.get(payment.thread.listingId);
		const sold = paidThreads.has(payment.thread.id);
		if (listing !== (sold ? "sold" : "under_offer")) note(`listing ${payment.thread.listingId} is ${listing}`);
		const mine = byPayment.get(payment.id) ?? [];
		const made = mine.filter((e) => e.type === "transfer.created").map((e) => e.event.data.object.amount as number);
		transfers += made.length;
		const wantTransfer = payment.target === "released" ? [amount - platformFee(amount)] : [];
		if (made.join() !== wantTransfer.join())
			note(`transfers ${JSON.stringify(made)}, want ${JSON.stringify(wantTransfer)}`);
		const refunds = mine
			.filter((e) => e.type === "charge.refunded")
			.map((e) => e.event.data.object.amount_refunded as number);
		const top = Math.max(0, ...refunds);
		if (top > amount || top !== refunded) note(`refunded at Stripe ${top} of ${amount}, want ${refunded}`);
	}
	const outcomes = new Map<string, number>();
	let undelivered = 0;
	let unhandled = 0;
	for (const event of events) {
		if (event.state !== "delivered") {
			undelivered += 1;
			problems.push(`${event.id} (${event.type}) ${event.state} at the stand-in`);
			continue;
		}
		const logged = log.get(event.id);
		if (!logged?.handled_at) {
			unhandled += 1;
			problems.push(`${event.id} (${event.type}) not handled: ${JSON.stringify(logged)}`);
			continue;
		}
		const outcome = logged.outcome ?? "applied";
		outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
		// A late checkout.session.completed for an attempt that already failed (its events reversed) is refused as closed.
		const late = outcome === "refused:closed" && event.type === "checkout.session.completed";
		if (outcome === "mismatch" || (outcome.startsWith("refused:") && !late))
			problems.push(`${event.id} (${event.type}) recorded as ${outcome}`);
	}
	// Nothing but what Stripe sent is recorded, and no money moved for a payment the soak did not make.
	const sent = new Set(events.map((e) => e.id));
	for (const id of log.keys())
		if (!sent.has(id)) problems.push(`stripe_events has ${id}, which the stand-in never sent`);
	const ours = new Set(ids);
	for (const event of events) {
		const id = paymentOf(event);
		if (event.type.startsWith("transfer.") || event.type.startsWith("charge."))
			if (id === null || !ours.has(id))
				problems.push(`${event.id} (${event.type}) for a payment the soak did not make: ${id}`);
	}
	const poison = new Set(traffic.poison);
	const unexpectedDead = dead.filter((row) => !poison.has(row.event_id ?? ""));
	for (const row of unexpectedDead)
		problems.push(`payment event ${row.event_id ?? row.message_id} dead-lettered: ${row.reason}`);
	const poisonMissing = traffic.poison.filter((id) => !dead.some((row) => row.event_id === id));
	for (const id of poisonMissing) problems.push(`poison ${id} not dead-lettered`);
	const deliveries = events.flatMap((e) => e.deliveries);
	return {
		payments,
		problems,
		stripeFeeKnown,
		transfers,
		outcomes,
		undelivered,
		unhandled,
		events,
		deliveries,
		log,
		unexpectedDead,
		poisonMissing,
		waitS: (Date.now() - started) / 1000,
	};
}

/** What results.json and the summary say of the payments. */
export function paymentReport(traffic: PaymentTraffic, check: Awaited<ReturnType<typeof checkPayments>>) {
	const count = (pick: (p: DrivenPayment) => string) =>
		Object.fromEntries(
			[...Map.groupBy(check.payments, pick)].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.length]),
		);
	const redeliveredAtAll = check.events.filter((e) => e.deliveries.some((d) => d.kind === "redeliver")).length;
	return {
		injected: `payments from the restart fault on, in rounds of a few; every other round holds Stripe's webhooks, redelivers one while the rest wait and releases them in reverse order; after each step ${REDELIVER_SHARE * 100} % of its events are redelivered 1–3 times; ${traffic.poison.length} schema-invalid payment-events messages straight onto the queue`,
		checked:
			"each payment's API status equals what the soak drove it to; the D1 payments row agrees (status, amount, fee = 8% half up of what the buyer keeps paying, payout, refunded, platform_net = fee − stripe_fee); paid listings sold; one transfer of amount − fee per released payment and none otherwise; refunds ≤ amount; every Stripe event in stripe_events once and handled; only the poison dead-lettered",
		sellers_onboarded: traffic.onboarded.size,
		checkouts_refused_not_onboarded: traffic.refusedCheckouts,
		payments: check.payments.length,
		by_plan: count((p) => p.plan),
		by_status: count((p) => p.target),
		second_attempts: check.payments.filter((p) => p.attempt > 1).length,
		double_clicks: check.payments.filter((p) => p.double_click).length,
		held_rounds: traffic.heldRounds,
		payments_held: check.payments.filter((p) => p.held).length,
		held_by_plan: count((p) => (p.held ? p.plan : "not held")),
		events_released_reversed: traffic.releasedReversed,
		events_delivered_while_held: traffic.deliveredWhileHeld,
		events_redelivered: traffic.redeliveredEvents,
		redeliveries: traffic.redeliveries,
		stripe_events: check.events.length,
		stripe_events_redelivered: redeliveredAtAll,
		webhook_deliveries: check.deliveries.length,
		webhook_deliveries_not_ok: check.deliveries.filter((d) => !d.ok).length,
		stripe_events_rows: check.log.size,
		stripe_event_outcomes: Object.fromEntries([...check.outcomes].sort(([a], [b]) => a.localeCompare(b))),
		events_undelivered: check.undelivered,
		events_unhandled: check.unhandled,
		transfers: check.transfers,
		stripe_fee_known: check.stripeFeeKnown,
		poison_injected: traffic.poison.length,
		poison_missing: check.poisonMissing.length,
		unexpected_dead_letters: check.unexpectedDead.length,
		stripe_test_calls: Object.fromEntries([...traffic.stripe.calls].sort(([a], [b]) => a.localeCompare(b))),
		wait_s: Math.round(check.waitS * 100) / 100,
		problems: check.problems.length,
		examples: check.problems.slice(0, 10),
	};
}
