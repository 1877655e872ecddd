/**
 * `npm run soak`: a bounded soak of the local topology (test/topology: the three Workers in one
 * Miniflare on workerd, with the local Stripe stand-in, loopback only). Virtual users browse,
 * search, list, request access, approve, open offers and negotiate over REST and WebSocket for
 * SOAK_SECONDS (default 45) while faults are injected (./workload.ts); accepted threads are paid
 * with faulted webhooks (./payments.ts); afterwards every thread the clients drove is reconciled
 * against the room and the consolidated D1 records (./reconcile-threads.ts), and every payment
 * against the API, D1 and the stand-in (./payments-check.ts). Exit 1 on any real 5xx, unexpected
 * status, or reconciliation gap. The user and consumers Workers run behind the fault wrappers of
 * soak/faults/. This file orders the phases and the faults and writes the results. See
 * docs/resilience.md.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { contract } from "../shared/contract/table.ts";
import { verifyInDatabase } from "../test/support/verify-email.ts";
import { testSecrets } from "../test/topology/secrets.ts";
import { seededAdmin } from "../test/topology/seed.ts";
import { startTopology } from "../test/topology/topology.ts";
import { SoakClient } from "./client.ts";
import {
	checkActivityCounters,
	checkConsumerFault,
	consumerFaults,
	readEvents,
	reconcileEvents,
} from "./consumer-fault.ts";
import { CONSUMER_FAULT_PERCENT, TRANSIENT_ATTEMPTS, USER_FAULT_PERIOD } from "./faults/plan.ts";
import { type PayableThread, PaymentTraffic } from "./payments.ts";
import { checkPayments, paymentReport } from "./payments-check.ts";
import { checkQueueFault, injectQueueFault, planQueueFault } from "./queue-fault.ts";
import { reconcileThreads } from "./reconcile-threads.ts";
import { restartPhase } from "./restart-fault.ts";
import { printSummary } from "./summary.ts";
import { UserFaultChecks } from "./user-fault.ts";
import { workload } from "./workload.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SECONDS = Number(process.env.SOAK_SECONDS ?? 45);
const USERS = { sellers: 3, buyers: 6, anonymous: 2 };
/**
 * The consumer's backoff (workers/consumers/backoff.ts: 2, 4, 8, 16, 32 s) over max_retries = 5
 * keeps a message that always fails for about 62 s before the dead-letter queue takes it, plus a
 * 1 s batch timeout per delivery: the reconciliation waits up to this long for the last one.
 */
const DRAIN_MS = 120_000;
const log = (message: string) => console.log(`[soak] ${message}`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const secrets = testSecrets();
log("starting the topology");
// One admin, seeded as `npm run admin:create` makes one, to raise the run's own limits.
const admin = await seededAdmin(secrets.PASSWORD_PEPPER, "soak");
const topology = await startTopology({
	secrets,
	seedSql: admin.sql,
	entries: {
		"techflunky-user-worker": "soak/faults/user-worker.ts",
		"techflunky-consumers": "soak/faults/consumers.ts",
	},
	// The payments' Stripe: its test API pays, settles, fails and expires; bank debits settle only when told.
	localStripe: { achSettleDelayMs: null },
});
const client = new SoakClient(topology.url.port);
const faults: Record<string, unknown> = {};
const failures: string[] = [];
const userFaults = new UserFaultChecks(client, topology);
const work = workload(client, userFaults, failures, verifyInDatabase(topology.db));
const { changes, threads, pool, adoptedThreads, step, register, createListing, buyerStep, anonymousStep } = work;
let exitCode = 0;

const { getOffers, drain, restartFault } = restartPhase({ work, client, topology, faults, failures, log });

let result: Record<string, unknown> = {};
try {
	const signIn = { body: { email: admin.email, password: admin.password } };
	const adminToken = (await client.call("login", contract.login, signIn, [200]))?.body.token;
	if (!adminToken) throw new Error("admin login failed");
	const sellers = await Promise.all(Array.from({ length: USERS.sellers }, () => register("seller", adminToken)));
	const buyers = await Promise.all(Array.from({ length: USERS.buyers }, () => register("buyer", adminToken)));
	for (const seller of sellers) await createListing(seller);
	// All sellers but one onboard their payout account; the last one's buyers are refused checkout.
	const payments = new PaymentTraffic(client, topology, adminToken);
	await Promise.all(sellers.slice(0, -1).map((seller) => payments.onboard(seller)));
	const payable = (): PayableThread[] =>
		[...threads.values()]
			.filter((t) => t.seen.status === "accepted" && !t.seen.on_hold)
			.map((t) => ({
				id: t.id,
				listingId: t.listingId,
				buyer: t.buyer,
				seller: t.seller,
				amount_cents: t.seen.amount_cents,
			}));

	log(`workload: ${USERS.sellers} sellers, ${USERS.buyers} buyers, ${USERS.anonymous} anonymous for ${SECONDS} s`);
	const started = Date.now();
	const deadline = started + SECONDS * 1000;
	const running = () => Date.now() < deadline;
	const vus = [
		...sellers.map(async (seller) => {
			while (running()) {
				await step(async () => {
					if (pool.filter((l) => l.seller === seller).length < 6) await createListing(seller);
					const token = seller.token;
					await client.call("listing.mine", contract.listOwnListings, { query: { limit: 20 }, token }, [200]);
					const pendingOnly = { query: { status: "pending" as const }, token };
					await client.call("access.list", contract.listAccessRequests, pendingOnly, [200]);
				});
				await sleep(500);
			}
		}),
		...buyers.map(async (buyer) => {
			while (running()) await step(() => buyerStep(buyer));
		}),
		...Array.from({ length: USERS.anonymous }, async () => {
			while (running()) await step(anonymousStep);
		}),
	];
	// Listings that left `active` (accepted) drop out of the pool.
	const pruner = (async () => {
		while (running()) {
			await sleep(1_000);
			for (const thread of threads.values()) {
				if (thread.seen.status === "accepted") {
					const i = pool.findIndex((l) => l.id === thread.listingId);
					if (i >= 0) pool.splice(i, 1);
				}
			}
		}
	})();

	// User-Worker faults throughout; the queue fault at ~1/6 of the run, the restart at ~1/3, and the
	// consumer faults from then on (not across the restart: Miniflare's queues live in memory).
	await sleep((SECONDS * 1000) / 6);
	const plan = planQueueFault(40, 6);
	log(
		`fault: ${plan.events.length} synthetic offer events over ${plan.threads} threads, out of order, then duplicates`,
	);
	const sent = await injectQueueFault(topology, plan, 0.3);
	await sleep(Math.max(0, started + (SECONDS * 1000) / 3 - Date.now()));
	await restartFault();
	const consumerFaultsOn = await consumerFaults(topology, true);
	log(`fault: the offer-events consumer fails a share of messages from now on (${consumerFaultsOn.enabled_at})`);
	await payments.injectPoison(3);
	log("payments: checkouts paid, settled, failed and expired, webhooks held, reversed and redelivered from now on");
	const paying = payments.run(payable, running);
	await Promise.all([...vus, pruner, paying]);
	const runSeconds = (Date.now() - started) / 1000;
	log(`workload done after ${runSeconds.toFixed(1)} s; reconciling`);

	const queueFault = await checkQueueFault(topology, plan, sent, 30_000);
	faults.queue = {
		injected: `${queueFault.events} events for ${queueFault.threads} synthetic threads through the OFFER_EVENTS producer, ${queueFault.sent_out_of_order_threads} threads out of order (half strictly descending versions), then ${queueFault.duplicates_sent} re-sends of already-sent events`,
		checked:
			"one offer_events row per event id; each deals row's version, amount, status and events count equal to in-order delivery",
		...queueFault,
	};
	if (queueFault.lost || queueFault.duplicated || queueFault.deals_missing || queueFault.deals_mismatched)
		failures.push("queue fault check failed");

	// Reconcile every thread the clients drove.
	const ids = [...threads.keys()];
	const rooms = await getOffers(ids);
	log(`waiting up to ${DRAIN_MS / 1000} s for consumer retries and dead letters`);
	const drainS = await drain(rooms, DRAIN_MS);
	const expected = new Map([...rooms].map(([id, room]) => [id, room.version]));
	const eventRows = await readEvents(topology, ids);
	const events = reconcileEvents(expected, eventRows.delivered, eventRows.dead);
	const activity = await checkActivityCounters(topology);
	const { problems, roomMissing, dealsPartial } = await reconcileThreads(topology, { ids, rooms, changes, events });
	problems.unshift(...events.examples, ...activity.examples);
	const reconciliation = {
		threads: ids.length,
		client_changes: changes.length,
		by_action: Object.fromEntries(
			["created", "countered", "accepted"].map((a) => [a, changes.filter((c) => c.action === a).length]),
		),
		by_channel: {
			rest: changes.filter((c) => c.via === "rest").length,
			ws: changes.filter((c) => c.via === "ws").length,
		},
		changes_read_back_after_fault: changes.filter((c) => c.fault).length,
		threads_held: [...rooms.values()].filter((r) => r.on_hold).length,
		expected_events: events.expected,
		consolidated_events: events.consolidated,
		dead_lettered_events: events.dead_lettered,
		lost_events: events.lost,
		duplicated_events: events.duplicated,
		deals_short_of_dead_letters: dealsPartial,
		activity_tenants_checked: activity.tenants,
		activity_tenants_mismatched: activity.mismatched,
		client_changes_missing_in_room: roomMissing,
		drain_s: Math.round(drainS * 100) / 100,
		problems: problems.length,
		examples: problems.slice(0, 10),
	};
	if (problems.length || events.lost || events.duplicated)
		failures.push(`reconciliation: ${problems.length} problems, ${events.lost} lost, ${events.duplicated} duplicated`);

	const userFaultInjected = [...client.injected.values()].reduce((s, n) => s + n, 0);
	const adopted = [...adoptedThreads].map((id) => events.byOffer.get(id));
	faults.user_worker = {
		injected: `soak/faults/user-worker.ts in place of the user Worker; of every ${USER_FAULT_PERIOD} calls of access.request, offer.create and REST offer.counter/accept, the 5th carries X-Soak-Fault: before and the 15th X-Soak-Fault: after: the wrapper throws before the real handler runs, or after it ran to the end (writes committed, answer lost)`,
		checked:
			"every faulted call answered 502 application/problem+json by the dispatch Worker (counted apart from real 5xx); then, from D1 and the room: a before fault changed nothing; an after fault's write is whole (access request pending on the NDA version; thread registered with its opening proposal, whose events are reconciled like every other; the move at the next version with the terms sent) or the real handler refused it for a reason the state shows",
		injected_502: userFaultInjected,
		by_call: Object.fromEntries([...client.injected].sort(([a], [b]) => a.localeCompare(b))),
		outcomes: Object.fromEntries([...userFaults.outcomes].sort(([a], [b]) => a.localeCompare(b))),
		unchanged: userFaults.total("unchanged"),
		whole: userFaults.total("whole"),
		refused: userFaults.total("refused"),
		threads_adopted_after_fault: adoptedThreads.size,
		adopted_thread_events_consolidated: adopted.reduce((s, seen) => s + (seen?.delivered.length ?? 0), 0),
		problems: userFaults.problems.length,
		examples: userFaults.problems.slice(0, 10),
	};
	if (userFaults.problems.length || userFaultInjected === 0)
		failures.push(`user-Worker fault: ${userFaults.problems.length} problems, ${userFaultInjected} injected`);

	const paymentCheck = await checkPayments(payments, client, topology, 30_000);
	const paid = paymentReport(payments, paymentCheck);
	faults.webhooks = {
		injected: paid.injected,
		checked: paid.checked,
		held_rounds: paid.held_rounds,
		events_released_reversed: paid.events_released_reversed,
		events_delivered_while_held: paid.events_delivered_while_held,
		events_redelivered: paid.events_redelivered,
		redeliveries: paid.redeliveries,
		poison_injected: paid.poison_injected,
	};
	if (paid.problems || paid.payments === 0 || paid.held_rounds === 0 || paid.redeliveries === 0)
		failures.push(`payments: ${paid.problems} problems, ${paid.payments} payments, ${paid.held_rounds} held rounds`);

	const consumerStats = await consumerFaults(topology);
	const consumerCheck = await checkConsumerFault(topology, consumerStats);
	faults.consumer = {
		injected: `soak/faults/consumers.ts in place of the consumers Worker, switched on after the restart fault (${consumerStats.enabled_at}): by a hash of the event id, ${CONSUMER_FAULT_PERCENT.transient} % of offer-events messages see an unavailable D1 on their first ${TRANSIENT_ATTEMPTS} deliveries, ${CONSUMER_FAULT_PERCENT.permanent} % on every delivery (max_retries with the consumer's backoff, then the dead-letter queue), and ${CONSUMER_FAULT_PERCENT.redeliver} % make the first batch they are in (with no message redelivered already) lose its acks and throw after the real handler wrote everything, so the whole batch comes again`,
		checked:
			"every version of every client thread is in offer_events or dead_letters exactly once; only messages failed for good are dead-lettered, all of them are, none is consolidated; every retried message is consolidated; deals of threads with a dead-lettered event stand at the highest version that arrived",
		batches_seen: consumerStats.batches,
		deliveries_seen: consumerStats.messages,
		database_failures: consumerStats.database_failures,
		retried_then_consolidated: consumerStats.transient,
		failed_for_good: consumerStats.permanent,
		dead_lettered: eventRows.dead.length,
		redelivered_batches: consumerStats.redelivered_batches,
		redelivered_messages: consumerStats.redelivered_messages,
		acks_lost: consumerStats.acks_lost,
		real_handler_threw: consumerStats.real_handler_threw,
		...consumerCheck,
		wait_s: Math.round(drainS * 100) / 100,
	};
	if (
		consumerCheck.unexpected_dead_letters ||
		consumerCheck.permanent_not_dead_lettered ||
		consumerCheck.permanent_consolidated ||
		consumerCheck.transient_not_consolidated ||
		consumerStats.database_failures === 0
	)
		failures.push("consumer fault check failed");

	const statuses = Object.fromEntries([...client.statuses].sort(([a], [b]) => a.localeCompare(b)));
	// Injected 502s are tallied as `<op> 502 (<kind> fault)`, so this counts real 5xx only.
	const fiveXx = [...client.statuses].filter(([key]) => /\s5\d\d$/.test(key)).reduce((s, [, n]) => s + n, 0);
	if (client.unexpected.length || fiveXx)
		failures.push(`${client.unexpected.length} unexpected statuses (${fiveXx} 5xx)`);
	exitCode = failures.length ? 1 : 0;
	result = {
		generated_at: new Date().toISOString(),
		command: "npm run soak",
		soak_seconds: SECONDS,
		run_seconds: Math.round(runSeconds * 10) / 10,
		users: USERS,
		listings_published: pool.length + [...threads.values()].filter((t) => t.seen.status === "accepted").length,
		requests: [...client.statuses.values()].reduce((s, n) => s + n, 0),
		statuses,
		five_xx: fiveXx,
		injected_502: userFaultInjected,
		unexpected: client.unexpected.length,
		unexpected_examples: client.unexpected.slice(0, 10),
		faults,
		payments: paid,
		reconciliation,
		failures,
		passed: exitCode === 0,
	};
	writeFileSync(resolve(ROOT, "soak/results.json"), `${JSON.stringify({ ...result, changes }, null, "\t")}\n`);
	printSummary({
		statuses,
		result,
		fiveXx,
		client,
		userFaultInjected,
		ids,
		changes,
		reconciliation,
		events,
		activity,
		problems,
		queueFault,
		faults,
		userFaults,
		consumerStats,
		eventRows,
		consumerCheck,
		paid,
		exitCode,
		failures,
	});
	log("wrote soak/results.json");
} catch (error) {
	console.error(error);
	exitCode = 1;
} finally {
	await client.close().catch(() => undefined);
	await topology.dispose();
}
process.exit(exitCode);
