/**
 * Fault 4, the Node side: the offer-events consumer fails for a share of messages
 * (soak/faults/consumers.ts, chosen by plan.ts). This module switches the wrapper on, reads what
 * it did, and reconciles every event the clients caused against `offer_events` and
 * `dead_letters`: each (thread, version) must be in exactly one of them — consolidated once, or
 * dead-lettered once after exhausting its retries — and only the messages the plan fails for
 * good may be dead-lettered.
 */
import type { Topology } from "../test/topology/topology.ts";
import { consumerFaultFor, FAULT_CONTROL_URL } from "./faults/plan.ts";

/** What soak/faults/consumers.ts reports (counts since it was switched on). */
export interface ConsumerFaultStats {
	enabled_at: string | null;
	batches: number;
	messages: number;
	database_failures: number;
	transient: number;
	permanent: number;
	redelivered_batches: number;
	redelivered_messages: number;
	acks_lost: number;
	real_handler_threw: number;
	transient_event_ids: string[];
	permanent_event_ids: string[];
}

export async function consumerFaults(topology: Topology, enabled?: boolean): Promise<ConsumerFaultStats> {
	const worker = await topology.mf.getWorker("techflunky-consumers");
	const res = await worker.fetch(
		FAULT_CONTROL_URL,
		enabled === undefined ? {} : { method: "POST", body: JSON.stringify({ enabled }) },
	);
	if (!res.ok) throw new Error(`consumer fault control answered ${res.status}`);
	return (await res.json()) as ConsumerFaultStats;
}

export interface EventRow {
	event_id: string;
	offer_id: string;
	version: number;
}

export interface DeadLetterRow extends EventRow {
	message_id: string;
	reason: string;
}

/** `offer_events` rows of `offerIds`, and every dead-lettered `offer-events` message. */
export async function readEvents(
	topology: Topology,
	offerIds: readonly string[],
): Promise<{ delivered: EventRow[]; dead: DeadLetterRow[] }> {
	const db = await topology.db();
	const delivered: EventRow[] = [];
	for (let i = 0; i < offerIds.length; i += 50) {
		const chunk = offerIds.slice(i, i + 50);
		const rows = await db
			.prepare(
				`SELECT event_id, offer_id, version FROM offer_events WHERE offer_id IN (${chunk.map(() => "?").join(",")})`,
			)
			.bind(...chunk)
			.all<EventRow>();
		delivered.push(...rows.results);
	}
	const dead = await db
		.prepare(
			`SELECT message_id, reason, json_extract(body, '$.id') AS event_id, json_extract(body, '$.offer_id') AS offer_id,
			   json_extract(body, '$.version') AS version
			 FROM dead_letters WHERE queue = 'offer-events'`,
		)
		.all<DeadLetterRow>();
	return { delivered, dead: dead.results };
}

export interface EventReconciliation {
	expected: number;
	consolidated: number;
	dead_lettered: number;
	/** (thread, version) pairs in neither table. */
	lost: number;
	/** Extra rows: a pair in both tables or twice in one, or a version the room never made. */
	duplicated: number;
	/** Per thread, the versions consolidated and the versions dead-lettered. */
	byOffer: Map<string, { delivered: number[]; deadLettered: number[] }>;
	examples: string[];
}

/** Every thread's versions 1…`expected.get(thread)` against the consolidated and dead-lettered rows. */
export function reconcileEvents(
	expected: ReadonlyMap<string, number>,
	delivered: readonly EventRow[],
	dead: readonly EventRow[],
): EventReconciliation {
	const byOffer = new Map<string, { delivered: number[]; deadLettered: number[] }>();
	for (const id of expected.keys()) byOffer.set(id, { delivered: [], deadLettered: [] });
	for (const row of delivered) byOffer.get(row.offer_id)?.delivered.push(row.version);
	for (const row of dead) byOffer.get(row.offer_id)?.deadLettered.push(row.version);
	const result: EventReconciliation = {
		expected: 0,
		consolidated: 0,
		dead_lettered: 0,
		lost: 0,
		duplicated: 0,
		byOffer,
		examples: [],
	};
	for (const [id, versions] of expected) {
		const seen = byOffer.get(id) ?? { delivered: [], deadLettered: [] };
		result.expected += versions;
		result.consolidated += seen.delivered.length;
		result.dead_lettered += seen.deadLettered.length;
		const counts = new Map<number, number>();
		for (const version of [...seen.delivered, ...seen.deadLettered])
			counts.set(version, (counts.get(version) ?? 0) + 1);
		for (let version = 1; version <= versions; version++) {
			const n = counts.get(version) ?? 0;
			if (n === 0) {
				result.lost += 1;
				if (result.examples.length < 10)
					result.examples.push(`${id} v${version}: neither consolidated nor dead-lettered`);
			} else if (n > 1) {
				result.duplicated += n - 1;
				if (result.examples.length < 10) result.examples.push(`${id} v${version}: ${n} rows`);
			}
		}
		for (const [version, n] of counts) {
			if (version < 1 || version > versions) {
				result.duplicated += n;
				if (result.examples.length < 10) result.examples.push(`${id} v${version}: the room has only ${versions}`);
			}
		}
	}
	return result;
}

export interface ConsumerFaultCheck {
	/** Dead letters the plan did not fail for good: a real consumer failure. */
	unexpected_dead_letters: number;
	/** Messages the wrapper failed for good that are not in `dead_letters`. */
	permanent_not_dead_lettered: number;
	/** Messages the wrapper failed for good that were consolidated anyway. */
	permanent_consolidated: number;
	/** Messages failed only on their first deliveries that are not in `offer_events`. */
	transient_not_consolidated: number;
	examples: string[];
}

/** The wrapper's decisions against the tables (all offer events, client-caused or not). */
export async function checkConsumerFault(topology: Topology, stats: ConsumerFaultStats): Promise<ConsumerFaultCheck> {
	const db = await topology.db();
	const { dead } = await readEvents(topology, []);
	const deadIds = new Set(dead.map((row) => row.event_id));
	const consolidated = async (ids: readonly string[]) => {
		const found = new Set<string>();
		for (let i = 0; i < ids.length; i += 50) {
			const chunk = ids.slice(i, i + 50);
			const rows = await db
				.prepare(`SELECT event_id FROM offer_events WHERE event_id IN (${chunk.map(() => "?").join(",")})`)
				.bind(...chunk)
				.all<{ event_id: string }>();
			for (const row of rows.results) found.add(row.event_id);
		}
		return found;
	};
	const permanentFound = await consolidated(stats.permanent_event_ids);
	const transientFound = await consolidated(stats.transient_event_ids);
	const examples: string[] = [];
	const note = (text: string) => {
		if (examples.length < 10) examples.push(text);
	};
	const unexpected = dead.filter((row) => consumerFaultFor(row.event_id) !== "permanent");
	for (const row of unexpected)
		note(`${row.event_id} dead-lettered (${row.reason}) though the plan never fails it for good`);
	const notDead = stats.permanent_event_ids.filter((id) => !deadIds.has(id));
	for (const id of notDead) note(`${id} failed for good but not in dead_letters`);
	const notConsolidated = stats.transient_event_ids.filter((id) => !transientFound.has(id));
	for (const id of notConsolidated) note(`${id} retried but not in offer_events`);
	return {
		unexpected_dead_letters: unexpected.length,
		permanent_not_dead_lettered: notDead.length,
		permanent_consolidated: permanentFound.size,
		transient_not_consolidated: notConsolidated.length,
		examples,
	};
}

const ACTIVITY: Readonly<Record<string, string>> = {
	offers_opened: "offer.created",
	counters: "offer.countered",
	accepted: "offer.accepted",
	rejected: "offer.rejected",
	withdrawn: "offer.withdrawn",
	expired: "offer.expired",
};

/**
 * Every tenant's `tenant_daily_activity` counters, summed over days, against its consolidated
 * events (as buyer or seller): a redelivered or retried event must not count twice, a
 * dead-lettered one not at all.
 */
export async function checkActivityCounters(
	topology: Topology,
): Promise<{ tenants: number; mismatched: number; examples: string[] }> {
	const db = await topology.db();
	const columns = Object.keys(ACTIVITY);
	const counted = await db
		.prepare(
			`SELECT tenant_id, ${columns.map((c) => `sum(${c}) AS ${c}`).join(", ")} FROM tenant_daily_activity GROUP BY tenant_id`,
		)
		.all<Record<string, number> & { tenant_id: string }>();
	const events = await db
		.prepare(
			`SELECT tenant_id, ${columns.map((c) => `sum(type = '${ACTIVITY[c]}') AS ${c}`).join(", ")}
			 FROM (SELECT buyer_tenant_id AS tenant_id, type FROM offer_events
			       UNION ALL SELECT seller_tenant_id, type FROM offer_events WHERE seller_tenant_id <> buyer_tenant_id)
			 GROUP BY tenant_id`,
		)
		.all<Record<string, number> & { tenant_id: string }>();
	const want = new Map(events.results.map((row) => [row.tenant_id, row]));
	const got = new Map(counted.results.map((row) => [row.tenant_id, row]));
	const examples: string[] = [];
	let mismatched = 0;
	for (const tenant of new Set([...want.keys(), ...got.keys()])) {
		const a = want.get(tenant);
		const b = got.get(tenant);
		const off = columns.filter((c) => (a?.[c] ?? 0) !== (b?.[c] ?? 0));
		if (off.length === 0) continue;
		mismatched += 1;
		if (examples.length < 10)
			examples.push(`${tenant}: ${off.map((c) => `${c} counted ${b?.[c] ?? 0}, events ${a?.[c] ?? 0}`).join("; ")}`);
	}
	return { tenants: want.size, mismatched, examples };
}
