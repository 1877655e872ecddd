/**
 * What the listing handlers (./routes.ts, and the offer routes' reopen) do to a record besides the
 * data layer's SQL: seal and open the confidential details, and write a change together with the
 * `listing.event` that announces it.
 *
 * Confidential details travel as one AES-256-GCM envelope bound to (seller, listing,
 * "confidential"), so an envelope copied onto another listing does not open. Changes and their
 * outbox row are one D1 batch, the row inserted only if the change happened, then sent. Status
 * changes are lifecycle moves (shared/listings/lifecycle.ts) through the data layer's `move`.
 */
import type { Context } from "hono";
import type { ListingEventJob } from "../../../queues/backoffice-jobs.ts";
import { type Confidential, listingConfidential } from "../../../shared/contract/routes/listings.ts";
import { decryptField, encryptField, encryptionKeyFor, type FieldBinding } from "../../../shared/crypto/aes-gcm.ts";
import { type ListingEventMessage, type ListingRecord, listingEventMessage } from "../../../shared/data/listings.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import type { LifecycleRefusal, ListingMove } from "../../../shared/listings/lifecycle.ts";
import type { UserHono } from "../types.ts";
import { toListingView } from "./views.ts";

type Owned = { id: string; seller_tenant_id: string };

const binding = (listing: Owned): FieldBinding => ({
	tenantId: listing.seller_tenant_id,
	recordId: listing.id,
	field: "confidential",
});

/** The envelope to store for `value`; `null` when there is nothing to keep. */
export async function seal(env: UserHono["Bindings"], listing: Owned, value: Confidential | null) {
	if (value === null || Object.keys(value).length === 0) return null;
	return encryptField(await encryptionKeyFor(env.ENCRYPTION_KEY), JSON.stringify(value), binding(listing));
}

/** The stored details, parsed with the contract's schema like any JSON read back from storage. */
export async function open(env: UserHono["Bindings"], listing: ListingRecord): Promise<Confidential | null> {
	if (listing.confidential === null) return null;
	const json = await decryptField(await encryptionKeyFor(env.ENCRYPTION_KEY), listing.confidential, binding(listing));
	const parsed = listingConfidential.safeParse(JSON.parse(json));
	if (!parsed.success)
		throw new Error(`stored confidential details of ${listing.id} are invalid`, { cause: parsed.error });
	return parsed.data;
}

/** The owner's (or an admin's) view, confidential details included. */
export async function fullView(c: Context<UserHono>, listing: ListingRecord) {
	return toListingView(listing, await open(c.env, listing));
}

/** A listing the caller manages (owns, or any for an admin); otherwise the same 404 as for none. */
export async function managedOr404(c: Context<UserHono>, id: string): Promise<ListingRecord> {
	const listing = await c.var.data.listings.managed(id);
	if (!listing) throw new HttpProblem({ reason: "not_found" });
	return listing;
}

/** Who an event says acted: the admin acting for a tenant, or the caller. */
const actorOf = (c: Context<UserHono>) => c.var.tenant.actor_tenant_id ?? c.var.tenant.tenant_id;

export function listingEvent(
	c: Context<UserHono>,
	type: ListingEventJob["type"],
	listing: Owned,
	now: number,
): ListingEventMessage {
	return listingEventMessage(type, listing, now, actorOf(c));
}

/**
 * Makes a lifecycle move on a managed listing, from the state it was read in, with its event in
 * one batch, then sends the event: `moved`, `changed` when the listing moved on since it was read
 * (the guarded UPDATE matched nothing, and nothing was announced), or the lifecycle's refusal.
 */
export async function moveListing(
	c: Context<UserHono>,
	listing: ListingRecord,
	move: ListingMove,
	now = Date.now(),
): Promise<"moved" | "changed" | LifecycleRefusal> {
	const { data } = c.var;
	const change = data.listings.move(listing, move, now, actorOf(c));
	if (!change.ok) return change;
	const [update] = await data.batch(change.statements);
	// D1 counts the FTS trigger's writes too; the WHERE names one primary key, so any change means this row.
	if ((update?.meta.changes ?? 0) === 0) return "changed";
	await data.outbox.flush({ "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [change.message.id], now);
	return "moved";
}

/** A refused move as the routes answer it: a conflict naming why (`already` is the caller's to answer). */
export function refusedMove(refusal: LifecycleRefusal): HttpProblem {
	return new HttpProblem({ reason: "conflict", detail: refusal.detail });
}
