/**
 * The offer reconciliation of every thread the clients drove (docs/resilience.md, Reconciliation):
 * each change a client was answered with (or read back after a lost answer) is in the room's
 * history, the client's last view is the room's unless the thread is held, and the consolidated
 * `deals` row equals the room — or, for a thread with a dead-lettered event, stands at the highest
 * version that arrived, with that version's terms. Pure reads of D1; the caller drains first.
 */
import type { Topology } from "../test/topology/topology.ts";
import type { OfferView } from "./client.ts";
import type { EventReconciliation } from "./consumer-fault.ts";

export interface Change {
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

export async function reconcileThreads(
	topology: Topology,
	input: {
		ids: readonly string[];
		rooms: ReadonlyMap<string, OfferView>;
		changes: readonly Change[];
		events: EventReconciliation;
	},
): Promise<{ problems: string[]; roomMissing: number; dealsPartial: number }> {
	const { ids, rooms, changes, events } = input;
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
	const problems: string[] = [];
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
	return { problems, roomMissing, dealsPartial };
}
