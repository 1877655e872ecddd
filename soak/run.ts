/**
 * `npm run soak`: a bounded soak of the local topology (test/topology: the three Workers in one
 * Miniflare on workerd, loopback only). Virtual users browse, search, list, request access,
 * approve, open offers and negotiate over REST and WebSocket for SOAK_SECONDS (default 45) while
 * faults are injected; afterwards every thread the clients drove is reconciled against the room
 * and the consolidated D1 records. Exit 1 on any real 5xx, unexpected status, or reconciliation
 * gap. The user and consumers Workers run behind the fault wrappers of soak/faults/. See
 * docs/resilience.md.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { workerdPids } from "../bench/processes.ts";
import { contract } from "../shared/contract/table.ts";
import { newAccount } from "../test/support/marketplace.ts";
import { testSecrets } from "../test/topology/secrets.ts";
import { seededAdmin } from "../test/topology/seed.ts";
import { startTopology } from "../test/topology/topology.ts";
import { type OfferView, RoomSocket, SoakClient } from "./client.ts";
import {
	checkActivityCounters,
	checkConsumerFault,
	consumerFaults,
	readEvents,
	reconcileEvents,
} from "./consumer-fault.ts";
import { CONSUMER_FAULT_PERCENT, TRANSIENT_ATTEMPTS, USER_FAULT_PERIOD } from "./faults/plan.ts";
import { checkQueueFault, injectQueueFault, planQueueFault } from "./queue-fault.ts";
import { UserFaultChecks } from "./user-fault.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SECONDS = Number(process.env.SOAK_SECONDS ?? 45);
const USERS = { sellers: 3, buyers: 6, anonymous: 2 };
const RATE_LIMIT = { limit: 1_000_000, window_seconds: 3600, burst: 100_000 };
/**
 * The consumer's backoff (workers/consumers/backoff.ts: 2, 4, 8, 16, 32 s) over max_retries = 5
 * keeps a message that always fails for about 62 s before the dead-letter queue takes it, plus a
 * 1 s batch timeout per delivery: the reconciliation waits up to this long for the last one.
 */
const DRAIN_MS = 120_000;
const log = (message: string) => console.log(`[soak] ${message}`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

interface Account {
	token: string;
	tenant: { id: string };
}
interface Change {
	offer_id: string;
	action: "created" | "countered" | "accepted";
	by: "buyer" | "seller";
	via: "rest" | "ws";
	version: number;
	amount_cents: number;
	status: string;
	/** Made by a request whose answer the user-Worker fault lost: read back from the room instead. */
	fault?: "after";
}
interface Thread {
	id: string;
	listingId: string;
	buyer: Account;
	seller: Account;
	/** The last state a client was answered with. */
	seen: OfferView;
}

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
});
const client = new SoakClient(topology.url.port);
const changes: Change[] = [];
const threads = new Map<string, Thread>();
const pool: { id: string; seller: Account }[] = [];
const faults: Record<string, unknown> = {};
const failures: string[] = [];
const userFaults = new UserFaultChecks(client, topology);
/** Threads the clients only learned of by reading back after an `after` fault. */
const adoptedThreads = new Set<string>();
let paused = false;
let busy = 0;
let exitCode = 0;

/** Runs one VU step unless paused (the restart fault pauses the workload between steps). */
async function step(task: () => Promise<void>): Promise<void> {
	while (paused) await sleep(50);
	busy += 1;
	try {
		await task();
	} catch (error) {
		failures.push((error as Error).message);
	} finally {
		busy -= 1;
	}
}

async function register(role: "seller" | "buyer", adminToken: string): Promise<Account> {
	const reply = await client.call("register", contract.register, { body: newAccount(role, "soak") }, [201]);
	if (!reply) throw new Error("registration failed");
	const raise = { params: { id: reply.body.tenant.id }, body: { rate_limit: RATE_LIMIT }, token: adminToken };
	await client.call("admin.raise_limit", contract.updateTenant, raise, [200]);
	return reply.body;
}

const WORDS = ["invoicing", "analytics", "scheduler", "marketplace", "newsletter", "monitoring"];

async function createListing(seller: Account): Promise<void> {
	const word = pick(WORDS) ?? "saas";
	const made = await client.call(
		"listing.create",
		contract.createListing,
		{
			token: seller.token,
			body: {
				title: `Soak ${word} SaaS`,
				summary: `A ${word} business made by the soak`,
				description: "Steady revenue, small team, documented stack.",
				category: "saas",
				asking_price_cents: 25_000_000,
				tech_stack: ["typescript", word],
				confidential: { legal_name: "Soak Ltd", notes: "numbers on request" },
				nda_text: "Keep it to yourself.",
			},
		},
		[201],
	);
	if (!made) return;
	const publish = { params: { id: made.body.id }, token: seller.token };
	const published = await client.call("listing.publish", contract.publishListing, publish, [200]);
	if (published) pool.push({ id: made.body.id, seller });
}

function record(
	thread: Thread,
	offer: OfferView,
	action: Change["action"],
	by: Change["by"],
	via: Change["via"],
): void {
	thread.seen = offer;
	changes.push({
		offer_id: thread.id,
		action,
		by,
		via,
		version: offer.version,
		amount_cents: offer.amount_cents,
		status: offer.status,
	});
}

/** One move by `by` on `thread`, over REST or a socket; false when the thread cannot go on (held, closed). */
async function move(thread: Thread, by: "buyer" | "seller", kind: "counter" | "accept"): Promise<boolean> {
	const account = by === "buyer" ? thread.buyer : thread.seller;
	const version = thread.seen.version;
	const amount =
		by === "seller" ? thread.seen.amount_cents + 500_000 - version * 10_000 : thread.seen.amount_cents + 100_000;
	const body = kind === "counter" ? { amount_cents: amount, version } : { version };
	if (Math.random() < 0.5) {
		const op = `offer.${kind}`;
		const fault = client.nextFault(op);
		const input = { params: { id: thread.id }, token: account.token };
		const counter = { ...input, body: { amount_cents: amount, version } };
		const accept = { ...input, body: { version } };
		if (fault) {
			const injected =
				kind === "counter"
					? await client.faulted(op, contract.counterOffer, counter, fault)
					: await client.faulted(op, contract.acceptOffer, accept, fault);
			const outcome = injected && (await userFaults.afterMove(kind, fault, thread.id, account, version, amount));
			if (!outcome) return false;
			thread.seen = outcome.view;
			const { view, made } = outcome;
			if (made) {
				const action = kind === "counter" ? "countered" : "accepted";
				changes.push({
					offer_id: thread.id,
					action,
					by,
					via: "rest",
					version: made.version,
					amount_cents: made.amount_cents ?? view.amount_cents,
					status: action,
					fault: "after",
				});
			}
			// After a `before` fault the turn has not changed hands: the same side tries again, as a client retries a 502.
			return kind === "counter" && !view.on_hold && (view.status === "pending" || view.status === "countered");
		}
		const reply =
			kind === "counter"
				? await client.call(op, contract.counterOffer, counter, [200, 409])
				: await client.call(op, contract.acceptOffer, accept, [200, 409]);
		if (reply?.status !== 200) return false;
		record(thread, reply.body, kind === "counter" ? "countered" : "accepted", by, "rest");
		return kind === "counter";
	}
	let socket: RoomSocket;
	try {
		socket = await RoomSocket.open(client.port, thread.id, account.token);
		client.tally("ws.open", "ok");
	} catch (error) {
		client.tally("ws.open", "failed");
		client.unexpected.push({
			op: "ws.open",
			method: "GET",
			path: thread.id,
			status: "network",
			detail: (error as Error).message,
		});
		return false;
	}
	try {
		const result = await socket.act({ type: kind, ...body }, version + 1);
		client.tally(`ws.${kind}`, result.ok ? "state" : `error ${result.status}`);
		if (!result.ok) {
			if (result.status !== 409)
				client.unexpected.push({
					op: `ws.${kind}`,
					method: "WS",
					path: thread.id,
					status: result.status,
					detail: result.detail,
				});
			return false;
		}
		record(thread, result.offer, kind === "counter" ? "countered" : "accepted", by, "ws");
		return kind === "counter";
	} catch (error) {
		client.tally(`ws.${kind}`, "timeout");
		client.unexpected.push({
			op: `ws.${kind}`,
			method: "WS",
			path: thread.id,
			status: "timeout",
			detail: (error as Error).message,
		});
		return false;
	} finally {
		socket.close();
	}
}

async function buyerStep(buyer: Account): Promise<void> {
	const listing = pick(pool);
	if (!listing) return sleep(100);
	const params = { id: listing.id };
	const view = await client.call("listing.get_auth", contract.getListing, { params, token: buyer.token }, [200]);
	if (view?.body.status !== "active") return;
	const ndaVersion = "nda" in view.body ? view.body.nda.version : 1;
	const requestFault = client.nextFault("access.request");
	const priorRequests = requestFault ? await userFaults.accessRows(listing.id, buyer.tenant.id) : [];
	const ask = { params, token: buyer.token, body: { accept_nda: true as const, nda_version: ndaVersion } };
	/** The buyer's pending request, for the seller to approve. */
	let pending: string | null = null;
	if (requestFault) {
		if (await client.faulted("access.request", contract.createAccessRequest, ask, requestFault)) {
			const found = await userFaults.afterAccessRequest(
				requestFault,
				{ id: listing.id, sellerTenantId: listing.seller.tenant.id },
				buyer,
				priorRequests,
				ndaVersion,
			);
			if (found?.status === "pending") pending = found.id;
		}
	} else {
		const request = await client.call("access.request", contract.createAccessRequest, ask, [200, 201, 409]);
		if (request && request.status !== 409 && request.body.status === "pending") pending = request.body.id;
	}
	if (pending) {
		const approve = { params: { id: pending }, token: listing.seller.token };
		await client.call("access.approve", contract.approveAccessRequest, approve, [200]);
	}
	const amount = 18_000_000 + Math.floor(Math.random() * 1_000) * 1_000;
	const offerFault = client.nextFault("offer.create");
	const priorOffers = offerFault ? await userFaults.offerRows(listing.id, buyer.tenant.id) : [];
	const offer = { params, token: buyer.token, body: { amount_cents: amount } };
	let seen: OfferView | null = null;
	/** The open thread a 409 names: a buyer has one per listing. */
	let named: string | undefined;
	if (offerFault) {
		if (await client.faulted("offer.create", contract.createOffer, offer, offerFault))
			seen = await userFaults.afterOfferCreate(offerFault, listing.id, buyer, priorOffers, amount);
	} else {
		const opened = await client.call("offer.create", contract.createOffer, offer, [201, 409]);
		if (opened?.status === 201) seen = opened.body;
		else if (opened?.status === 409) named = opened.body.offer_id;
	}
	if (!seen) {
		// The buyer goes back to the open thread the 409 named.
		const open = named === undefined ? undefined : threads.get(named);
		if (open) await resume(open);
		return;
	}
	const thread: Thread = { id: seen.id, listingId: listing.id, buyer, seller: listing.seller, seen };
	threads.set(thread.id, thread);
	if (offerFault) {
		adoptedThreads.add(thread.id);
		changes.push({
			offer_id: thread.id,
			action: "created",
			by: "buyer",
			via: "rest",
			version: 1,
			amount_cents: amount,
			status: "pending",
			fault: "after",
		});
	} else {
		record(thread, seen, "created", "buyer", "rest");
	}
	await negotiate(thread);
}

/** Picks up a thread the buyer left open (its latest state from the room), unless it is on hold or closed. */
async function resume(thread: Thread): Promise<void> {
	const read = { params: { id: thread.id }, token: thread.buyer.token };
	const now = (await client.call("offer.get", contract.getOffer, read, [200]))?.body;
	if (!now || now.on_hold || (now.status !== "pending" && now.status !== "countered")) return;
	thread.seen = now;
	await negotiate(thread);
}

/** A few turns on `thread`, the sides taking turns, the last one sometimes an acceptance. */
async function negotiate(thread: Thread): Promise<void> {
	const rounds = 2 + Math.floor(Math.random() * 5);
	for (let round = 0; round < rounds; round++) {
		// A pause (the restart fault) leaves the thread open mid-negotiation; it continues afterwards.
		if (paused) break;
		const by = thread.seen.last_proposer === "buyer" ? "seller" : "buyer";
		const accept = round === rounds - 1 && Math.random() < 0.25;
		if (!(await move(thread, by, accept ? "accept" : "counter"))) break;
	}
}

async function anonymousStep(): Promise<void> {
	await client.call("browse", contract.browseListings, { query: { limit: 20 } }, [200]);
	const q = (pick(WORDS) ?? "saas").slice(0, 5);
	await client.call("search", contract.browseListings, { query: { q } }, [200]);
	const listing = pick(pool);
	if (listing) await client.call("listing.get_anon", contract.getListing, { params: { id: listing.id } }, [200]);
}

async function getOffers(ids: readonly string[]): Promise<Map<string, OfferView>> {
	const out = new Map<string, OfferView>();
	for (const id of ids) {
		const thread = threads.get(id);
		if (!thread) continue;
		const reply = await client.call(
			"offer.get",
			contract.getOffer,
			{ params: { id }, token: thread.buyer.token },
			[200],
		);
		if (reply) out.set(id, reply.body);
	}
	return out;
}

/**
 * Waits until every version of every thread is in `offer_events` or, having exhausted its
 * retries, in `dead_letters` (≤ timeoutMs); returns the seconds taken.
 */
async function drain(rooms: Map<string, OfferView>, timeoutMs: number): Promise<number> {
	const started = Date.now();
	const expected = new Map([...rooms].map(([id, offer]) => [id, offer.version]));
	while (Date.now() - started < timeoutMs) {
		const { delivered, dead } = await readEvents(topology, [...expected.keys()]);
		if (reconcileEvents(expected, delivered, dead).lost === 0) break;
		await sleep(500);
	}
	return (Date.now() - started) / 1000;
}

/** Fault 2: kill workerd mid-negotiation; Miniflare restarts it on the same ports with the same on-disk storage. */
async function restartFault(): Promise<void> {
	paused = true;
	while (busy > 0) await sleep(20);
	// Let queued moves settle so that in-flight queue messages are not what the check measures.
	const open = [...threads.values()]
		.filter((t) => t.seen.status === "pending" || t.seen.status === "countered")
		.map((t) => t.id);
	const before = await getOffers(open);
	const drained = await drain(before, 10_000);
	const pids = workerdPids();
	log(`fault: SIGKILL workerd (pids ${pids.join(", ")}) with ${before.size} open threads`);
	const killedAt = Date.now();
	for (const pid of pids) process.kill(pid, "SIGKILL");
	await sleep(200);
	let healthy = false;
	for (const deadline = Date.now() + 30_000; !healthy && Date.now() < deadline; await sleep(200)) {
		await client.resetConnections();
		healthy = await client.healthy();
	}
	const restartS = (Date.now() - killedAt) / 1000;
	const after = await getOffers(open);
	const changed: string[] = [];
	for (const [id, was] of before) {
		const now = after.get(id);
		if (
			!now ||
			now.version !== was.version ||
			now.amount_cents !== was.amount_cents ||
			now.status !== was.status ||
			(now.history?.length ?? 0) !== (was.history?.length ?? 0)
		) {
			changed.push(
				`${id}: before v${was.version}/${was.amount_cents}/${was.status}, after ${now ? `v${now.version}/${now.amount_cents}/${now.status}` : "missing"}`,
			);
		}
	}
	const newPids = workerdPids();
	faults.do_eviction = {
		injected: `SIGKILL of the workerd process (Miniflare restarts it with the same config, ports and on-disk Durable Object/D1 storage), workload paused around it`,
		checked:
			"GET /api/v1/offers/:id of every open thread before and after: version, amount, status, history length unchanged; negotiation then continues on the same threads (REST and WS)",
		open_threads: before.size,
		consumer_drained_before_s: Math.round(drained * 100) / 100,
		restart_s: Math.round(restartS * 100) / 100,
		workerd_pids_before: pids,
		workerd_pids_after: newPids,
		restarted: healthy && newPids.some((pid) => !pids.includes(pid)),
		threads_changed: changed.length,
		changed: changed.slice(0, 10),
	};
	if (!healthy || changed.length > 0)
		failures.push(`restart fault: healthy=${healthy}, ${changed.length} threads changed`);
	// Continue every open thread at least one more move, whoever's turn it is.
	for (const id of open) {
		const thread = threads.get(id);
		const now = after.get(id);
		if (!thread || !now || now.on_hold) continue;
		thread.seen = now;
		await move(thread, now.last_proposer === "buyer" ? "seller" : "buyer", "counter");
	}
	(faults.do_eviction as Record<string, unknown>).moves_after_restart = changes.filter(
		(c) => c.version > (before.get(c.offer_id)?.version ?? Number.POSITIVE_INFINITY),
	).length;
	paused = false;
}

let result: Record<string, unknown> = {};
try {
	const signIn = { body: { email: admin.email, password: admin.password } };
	const adminToken = (await client.call("login", contract.login, signIn, [200]))?.body.token;
	if (!adminToken) throw new Error("admin login failed");
	const sellers = await Promise.all(Array.from({ length: USERS.sellers }, () => register("seller", adminToken)));
	const buyers = await Promise.all(Array.from({ length: USERS.buyers }, () => register("buyer", adminToken)));
	for (const seller of sellers) await createListing(seller);

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
	await Promise.all([...vus, pruner]);
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
	const db = await topology.db();
	const deals = new Map<
		string,
		{ version: number; amount_cents: number; status: string; on_hold: number; events: number }
	>();
	for (let i = 0; i < ids.length; i += 50) {
		const chunk = ids.slice(i, i + 50);
		const rows = await db
			.prepare(
				`SELECT offer_id, version, amount_cents, status, on_hold, events FROM deals WHERE offer_id IN (${chunk.map(() => "?").join(",")})`,
			)
			.bind(...chunk)
			.all<{
				offer_id: string;
				version: number;
				amount_cents: number;
				status: string;
				on_hold: number;
				events: number;
			}>();
		for (const row of rows.results) deals.set(row.offer_id, row);
	}
	const activity = await checkActivityCounters(topology);
	const problems: string[] = [...events.examples, ...activity.examples];
	let roomMissing = 0;
	let dealsPartial = 0;
	for (const id of ids) {
		const room = rooms.get(id);
		const deal = deals.get(id);
		const mine = changes.filter((c) => c.offer_id === id);
		if (!room) {
			problems.push(`${id}: GET failed`);
			continue;
		}
		// Every change a client was told about is in the room's history with the same terms.
		for (const change of mine) {
			const entry = room.history?.find((h) => h.version === change.version);
			if (!entry || entry.amount_cents !== change.amount_cents) {
				roomMissing += 1;
				problems.push(
					`${id}: client saw v${change.version} ${change.action} ${change.amount_cents}, room history ${JSON.stringify(entry)}`,
				);
			}
		}
		const last = mine.at(-1);
		// Nobody else moves a thread except a hold (another thread's accept), so the client's last view is the room's unless held.
		if (
			last &&
			!room.on_hold &&
			(last.version !== room.version || last.amount_cents !== room.amount_cents || last.status !== room.status)
		) {
			problems.push(
				`${id}: client last saw v${last.version}/${last.amount_cents}/${last.status}, room v${room.version}/${room.amount_cents}/${room.status}`,
			);
		}
		const seen = events.byOffer.get(id) ?? { delivered: [], deadLettered: [] };
		if (seen.deadLettered.length > 0) {
			// A dead-lettered event is missing from the consolidation until an operator replays it: the
			// deal then stands at the highest version that arrived, with the terms the room had then.
			dealsPartial += 1;
			const top = Math.max(0, ...seen.delivered);
			const terms = room.history?.find((h) => h.version === top);
			if (
				top === 0
					? deal !== undefined
					: deal?.version !== top || deal.events !== seen.delivered.length || deal.amount_cents !== terms?.amount_cents
			) {
				problems.push(
					`${id}: dead-lettered v${seen.deadLettered.join(",")}; deal ${JSON.stringify(deal)}, want v${top} with ${seen.delivered.length} events at ${terms?.amount_cents}`,
				);
			}
		} else if (!deal) problems.push(`${id}: no deals row`);
		else if (
			deal.version !== room.version ||
			deal.amount_cents !== room.amount_cents ||
			deal.status !== room.status ||
			deal.events !== room.version ||
			Boolean(deal.on_hold) !== room.on_hold
		) {
			problems.push(
				`${id}: deal v${deal.version}/${deal.amount_cents}/${deal.status}/hold ${deal.on_hold}/${deal.events} events, room v${room.version}/${room.amount_cents}/${room.status}/hold ${room.on_hold}`,
			);
		}
	}
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
		reconciliation,
		failures,
		passed: exitCode === 0,
	};
	writeFileSync(resolve(ROOT, "soak/results.json"), `${JSON.stringify({ ...result, changes }, null, "\t")}\n`);
	console.log("\nstatus counts (op status: n)");
	for (const [key, n] of Object.entries(statuses)) console.log(`  ${key.padEnd(28)} ${n}`);
	console.log("\nsummary");
	const rows: [string, unknown][] = [
		["requests", result.requests],
		["real 5xx / unexpected / injected 502", `${fiveXx} / ${client.unexpected.length} / ${userFaultInjected}`],
		["threads driven", ids.length],
		["client changes (created/countered/accepted)", `${changes.length} (${JSON.stringify(reconciliation.by_action)})`],
		["changes over REST / WS", `${reconciliation.by_channel.rest} / ${reconciliation.by_channel.ws}`],
		[
			"events expected / consolidated / dead-lettered",
			`${events.expected} / ${events.consolidated} / ${events.dead_lettered}`,
		],
		["lost / duplicated events", `${events.lost} / ${events.duplicated}`],
		["activity counters: tenants / mismatched", `${activity.tenants} / ${activity.mismatched}`],
		["reconciliation problems", problems.length],
		["queue fault: events / dupes sent", `${queueFault.events} / ${queueFault.duplicates_sent}`],
		[
			"queue fault: lost / dup rows / deals mismatched",
			`${queueFault.lost} / ${queueFault.duplicated} / ${queueFault.deals_mismatched}`,
		],
		[
			"restart fault: open threads / changed",
			`${(faults.do_eviction as { open_threads: number }).open_threads} / ${(faults.do_eviction as { threads_changed: number }).threads_changed}`,
		],
		[
			"user fault: 502s / unchanged / whole / refused",
			`${userFaultInjected} / ${userFaults.total("unchanged")} / ${userFaults.total("whole")} / ${userFaults.total("refused")}`,
		],
		["user fault: problems", userFaults.problems.length],
		[
			"consumer fault: retried / dead-lettered / redelivered",
			`${consumerStats.transient} / ${eventRows.dead.length} / ${consumerStats.redelivered_messages} in ${consumerStats.redelivered_batches} batches`,
		],
		[
			"consumer fault: unexpected DLQ / not DLQ'd / not consolidated",
			`${consumerCheck.unexpected_dead_letters} / ${consumerCheck.permanent_not_dead_lettered} / ${consumerCheck.transient_not_consolidated}`,
		],
		["result", exitCode === 0 ? "PASS" : `FAIL: ${failures.join("; ")}`],
	];
	for (const [label, value] of rows) console.log(`  ${label.padEnd(48)} ${value}`);
	if (client.unexpected.length) console.log("\nunexpected:", client.unexpected.slice(0, 10));
	if (problems.length) console.log("\nproblems:", problems.slice(0, 10));
	if (userFaults.problems.length) console.log("\nuser fault problems:", userFaults.problems.slice(0, 10));
	if (consumerCheck.examples.length) console.log("\nconsumer fault problems:", consumerCheck.examples);
	log("wrote soak/results.json");
} catch (error) {
	console.error(error);
	exitCode = 1;
} finally {
	await client.close().catch(() => undefined);
	await topology.dispose();
}
process.exit(exitCode);
