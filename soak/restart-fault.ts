/**
 * The soak's restart fault (fault 2 of docs/resilience.md): workerd is killed mid-negotiation and
 * Miniflare restarts it on the same ports with the same on-disk storage; every open thread must
 * read the same before and after, and negotiation then goes on. Also the two reads the run's
 * other phases share: every thread's offer as its buyer sees it, and waiting for the consumer to
 * record every version.
 */
import { workerdPids } from "../bench/processes.ts";
import { contract } from "../shared/contract/table.ts";
import type { Topology } from "../test/topology/topology.ts";
import type { OfferView, SoakClient } from "./client.ts";
import { readEvents, reconcileEvents } from "./consumer-fault.ts";
import type { workload } from "./workload.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RestartPhaseInput {
	work: ReturnType<typeof workload>;
	client: SoakClient;
	topology: Topology;
	faults: Record<string, unknown>;
	failures: string[];
	log: (message: string) => void;
}

export function restartPhase({ work, client, topology, faults, failures, log }: RestartPhaseInput) {
	const { threads, changes, move } = work;

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
		work.paused = true;
		while (work.busy > 0) await sleep(20);
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
		work.paused = false;
	}

	return { getOffers, drain, restartFault };
}
