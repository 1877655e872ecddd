/**
 * The soak's virtual users (docs/resilience.md, Workload): sellers list and publish, buyers read,
 * request access, open offers and negotiate in turns over REST or a WebSocket frame, anonymous
 * users browse and search. Every change a client is answered with (or reads back after a lost
 * answer) is recorded for the reconciliation; user-Worker faults are injected on the calls
 * ./faults/plan.ts marks. The state is the run's, so one workload per run; `paused` stops new
 * steps between moves (the restart fault), `busy` counts the steps under way.
 */
import { contract } from "../shared/contract/table.ts";
import { newAccount } from "../test/support/marketplace.ts";
import type { EmailVerifier } from "../test/support/verify-email.ts";
import { type OfferView, RoomSocket, type SoakClient } from "./client.ts";
import type { Change } from "./reconcile-threads.ts";
import type { UserFaultChecks } from "./user-fault.ts";

const RATE_LIMIT = { limit: 1_000_000, window_seconds: 3600, burst: 100_000 };
const WORDS = ["invoicing", "analytics", "scheduler", "marketplace", "newsletter", "monitoring"];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

export interface Account {
	token: string;
	tenant: { id: string };
}
export interface Thread {
	id: string;
	listingId: string;
	buyer: Account;
	seller: Account;
	/** The last state a client was answered with. */
	seen: OfferView;
}

export type Workload = ReturnType<typeof workload>;

/** `verify` gives the accounts it signs up a verified address, which publishing, access requests and offers need. */
export function workload(client: SoakClient, userFaults: UserFaultChecks, failures: string[], verify: EmailVerifier) {
	const changes: Change[] = [];
	const threads = new Map<string, Thread>();
	const pool: { id: string; seller: Account }[] = [];
	/** Threads the clients only learned of by reading back after an `after` fault. */
	const adoptedThreads = new Set<string>();
	let paused = false;
	let busy = 0;

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
		await verify(reply.body.user.id);
		const raise = { params: { id: reply.body.tenant.id }, body: { rate_limit: RATE_LIMIT }, token: adminToken };
		await client.call("admin.raise_limit", contract.updateTenant, raise, [200]);
		return reply.body;
	}

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

	return {
		changes,
		threads,
		pool,
		adoptedThreads,
		step,
		register,
		createListing,
		move,
		buyerStep,
		anonymousStep,
		get paused() {
			return paused;
		},
		set paused(value: boolean) {
			paused = value;
		},
		get busy() {
			return busy;
		},
	};
}
