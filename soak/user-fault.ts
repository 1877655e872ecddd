/**
 * Fault 3, the Node side: the user Worker fails (soak/faults/user-worker.ts) for the calls the
 * client marks (plan.ts `userFaultFor`). The client has already checked that each was answered
 * with a 502 problem; these checks read what the call left behind — D1 rows and the room's
 * history, never the lost answer — so that a `before` fault is seen to have changed nothing and
 * an `after` fault's write to be whole, or refused by the real handler for a reason the state
 * shows. Each check returns what the client goes on with, as the lost answer would have had it.
 */
import { contract } from "../shared/contract/table.ts";
import type { Topology } from "../test/topology/topology.ts";
import type { OfferView, SoakClient } from "./client.ts";
import type { UserFault } from "./faults/plan.ts";

export interface Party {
	token: string;
	tenant: { id: string };
}

export interface AccessRow {
	id: string;
	status: string;
	seller_tenant_id: string;
	buyer_user_id: string;
	nda_version: number;
	nda_accepted_at: string;
	created_at: string;
	updated_at: string;
}

type HistoryEntry = NonNullable<OfferView["history"]>[number];

export class UserFaultChecks {
	/** `op kind outcome` → n, outcome ∈ unchanged, whole, refused. */
	readonly outcomes = new Map<string, number>();
	readonly problems: string[] = [];
	readonly #client: SoakClient;
	readonly #topology: Topology;

	constructor(client: SoakClient, topology: Topology) {
		this.#client = client;
		this.#topology = topology;
	}

	total(outcome: "unchanged" | "whole" | "refused"): number {
		return [...this.outcomes].filter(([key]) => key.endsWith(` ${outcome}`)).reduce((s, [, n]) => s + n, 0);
	}

	/** The buyer's access requests for a listing, straight from D1 (what was written, not what an API shows). */
	async accessRows(listingId: string, buyerTenantId: string): Promise<AccessRow[]> {
		const db = await this.#topology.db();
		const rows = await db
			.prepare(
				`SELECT id, status, seller_tenant_id, buyer_user_id, nda_version, nda_accepted_at, created_at, updated_at
				 FROM access_requests WHERE listing_id = ? AND buyer_tenant_id = ? ORDER BY id`,
			)
			.bind(listingId, buyerTenantId)
			.all<AccessRow>();
		return rows.results;
	}

	/** The buyer's registered threads on a listing (the D1 registry every thread is reached through). */
	async offerRows(listingId: string, buyerTenantId: string): Promise<string[]> {
		const db = await this.#topology.db();
		const rows = await db
			.prepare("SELECT id FROM offers WHERE listing_id = ? AND buyer_tenant_id = ? ORDER BY id")
			.bind(listingId, buyerTenantId)
			.all<{ id: string }>();
		return rows.results.map((row) => row.id);
	}

	/**
	 * After a faulted access request: `before` changed nothing; `after` left one whole request
	 * (pending, on the NDA version sent, for the listing's seller, stamped once) unless the real
	 * handler had nothing to write (the buyer had asked already) or refused (the listing left
	 * `active`). Returns the request to go on with.
	 */
	async afterAccessRequest(
		kind: UserFault,
		listing: { id: string; sellerTenantId: string },
		buyer: Party,
		prior: AccessRow[],
		ndaVersion: number,
	): Promise<{ id: string; status: string } | null> {
		const op = "access.request";
		const after = await this.accessRows(listing.id, buyer.tenant.id);
		if (kind === "before" || prior.length > 0) {
			if (JSON.stringify(after) === JSON.stringify(prior)) this.#outcome(op, kind, "unchanged");
			else
				this.#problem(op, kind, `${listing.id}: requests were ${JSON.stringify(prior)}, now ${JSON.stringify(after)}`);
			return null;
		}
		const row = after[0];
		if (!row) {
			if ((await this.#listingStatus(listing.id)) === "active")
				this.#problem(op, kind, `${listing.id}: no access request, yet the listing is active`);
			else this.#outcome(op, kind, "refused");
			return null;
		}
		if (
			after.length === 1 &&
			row.status === "pending" &&
			row.nda_version === ndaVersion &&
			row.seller_tenant_id === listing.sellerTenantId &&
			row.buyer_user_id !== "" &&
			row.created_at === row.updated_at &&
			row.nda_accepted_at === row.created_at
		) {
			this.#outcome(op, kind, "whole");
			return { id: row.id, status: row.status };
		}
		this.#problem(op, kind, `${listing.id}: access requests ${JSON.stringify(after)}`);
		return null;
	}

	/**
	 * After a faulted offer: `before` registered no thread; `after` registered exactly one whose
	 * room holds the buyer's opening proposal (its events are then reconciled like every other
	 * thread's) unless the real handler refused it because the listing left `active` or the buyer
	 * already had an open thread on it. Returns the thread to negotiate on.
	 */
	async afterOfferCreate(
		kind: UserFault,
		listingId: string,
		buyer: Party,
		prior: string[],
		amount: number,
	): Promise<OfferView | null> {
		const op = "offer.create";
		const added = (await this.offerRows(listingId, buyer.tenant.id)).filter((id) => !prior.includes(id));
		if (kind === "before") {
			if (added.length === 0) this.#outcome(op, kind, "unchanged");
			else this.#problem(op, kind, `${listingId}: threads ${added.join(", ")} registered`);
			return null;
		}
		const [id] = added;
		if (id === undefined) {
			if ((await this.#listingStatus(listingId)) !== "active" || (await this.#anyOpen(prior, buyer)))
				this.#outcome(op, kind, "refused");
			else
				this.#problem(
					op,
					kind,
					`${listingId}: no thread registered, yet the listing is active and the buyer has no open thread`,
				);
			return null;
		}
		const view = await this.#offer(id, buyer);
		const opening = view?.history?.[0];
		if (
			!view ||
			added.length !== 1 ||
			view.listing_id !== listingId ||
			opening?.version !== 1 ||
			opening.action !== "created" ||
			opening.amount_cents !== amount ||
			opening.actor_tenant_id !== buyer.tenant.id
		) {
			this.#problem(op, kind, `${listingId}: registered ${added.join(", ")}, room ${JSON.stringify(view)}`);
			return null;
		}
		this.#outcome(op, kind, "whole");
		return view;
	}

	/**
	 * After a faulted move made at `version`: `before` left no such move in the room's history;
	 * `after` left exactly one, at the next version with the amount sent, unless the room refused
	 * it (the thread moved on: a hold, or it closed). Returns the room's view and the move as
	 * recorded, if it was made.
	 */
	async afterMove(
		kind: "counter" | "accept",
		fault: UserFault,
		offerId: string,
		actor: Party,
		version: number,
		amount: number,
	): Promise<{ view: OfferView; made: HistoryEntry | null } | null> {
		const op = `offer.${kind}`;
		const view = await this.#offer(offerId, actor);
		if (!view) return null;
		const action = kind === "counter" ? "countered" : "accepted";
		const made = (view.history ?? []).filter(
			(h) => h.version > version && h.action === action && h.actor_tenant_id === actor.tenant.id,
		);
		const open = !view.on_hold && (view.status === "pending" || view.status === "countered");
		if (fault === "before") {
			if (made.length === 0) this.#outcome(op, fault, "unchanged");
			else this.#problem(op, fault, `${offerId}: v${version} ${kind} is in the history: ${JSON.stringify(made)}`);
			return { view, made: null };
		}
		const entry = made[0];
		if (!entry) {
			if (view.version === version && open)
				this.#problem(op, fault, `${offerId}: v${version} ${kind} missing though the thread was open`);
			else this.#outcome(op, fault, "refused");
			return { view, made: null };
		}
		if (made.length !== 1 || entry.version !== version + 1 || (kind === "counter" && entry.amount_cents !== amount)) {
			this.#problem(op, fault, `${offerId}: sent v${version} ${kind} ${amount}, history ${JSON.stringify(made)}`);
			return { view, made: null };
		}
		this.#outcome(op, fault, "whole");
		return { view, made: entry };
	}

	async #offer(id: string, party: Party): Promise<OfferView | null> {
		const reply = await this.#client.call(
			"offer.get",
			contract.getOffer,
			{ params: { id }, token: party.token },
			[200],
		);
		return reply?.body ?? null;
	}

	/** Whether one of `ids` is still open (pending, countered or accepted, on hold or not), as its room says. */
	async #anyOpen(ids: readonly string[], party: Party): Promise<boolean> {
		for (const id of ids) {
			const view = await this.#offer(id, party);
			if (view && ["pending", "countered", "accepted"].includes(view.status)) return true;
		}
		return false;
	}

	async #listingStatus(id: string): Promise<string | undefined> {
		const db = await this.#topology.db();
		const row = await db.prepare("SELECT status FROM listings WHERE id = ?").bind(id).first<{ status: string }>();
		return row?.status;
	}

	#outcome(op: string, kind: UserFault, outcome: "unchanged" | "whole" | "refused"): void {
		const key = `${op} ${kind} ${outcome}`;
		this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
	}

	#problem(op: string, kind: UserFault, detail: string): void {
		this.problems.push(`${op} (${kind} fault): ${detail}`);
	}
}
