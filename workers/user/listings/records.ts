/**
 * What the listing handlers (./routes.ts) do to a record besides the data layer's SQL: seal and
 * open the confidential details, and write a change together with the `listing.event` that
 * announces it.
 *
 * Confidential details travel as one AES-256-GCM envelope bound to (seller, listing,
 * "confidential"), so an envelope copied onto another listing does not open. Changes and their
 * outbox row are one D1 batch, the row inserted only if the change happened, then sent.
 */
import type { Context } from "hono";
import type { ListingEventJob } from "../../../queues/backoffice-jobs.ts";
import { type Confidential, listingConfidential } from "../../../shared/contract/routes/listings.ts";
import { decryptField, encryptField, encryptionKeyFor, type FieldBinding } from "../../../shared/crypto/aes-gcm.ts";
import type { ListingRecord, ListingStatus } from "../../../shared/data/listings.ts";
import { newId } from "../../../shared/encoding.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
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

export function listingEvent(
	c: Context<UserHono>,
	type: ListingEventJob["type"],
	listing: Owned,
	now: number,
): { id: string; queue: "backoffice-jobs"; body: ListingEventJob } {
	const id = newId("evt");
	return {
		id,
		queue: "backoffice-jobs",
		body: {
			id,
			kind: "listing.event",
			type,
			occurred_at: new Date(now).toISOString(),
			listing_id: listing.id,
			seller_tenant_id: listing.seller_tenant_id,
			actor_tenant_id: c.var.tenant.actor_tenant_id ?? c.var.tenant.tenant_id,
		},
	};
}

/** Moves a managed listing between statuses with its event in one batch; false if it was not in `from`. */
export async function transition(
	c: Context<UserHono>,
	listing: ListingRecord,
	from: readonly ListingStatus[],
	to: ListingStatus,
	type: ListingEventJob["type"],
): Promise<boolean> {
	const now = Date.now();
	const message = listingEvent(c, type, listing, now);
	const { data } = c.var;
	const [update] = await data.batch([
		data.listings.transition(listing.id, from, to, new Date(now).toISOString()),
		data.outbox.insert(message, now, { afterChange: true }),
	]);
	// D1 counts the FTS trigger's writes too; the WHERE names one primary key, so any change means this row.
	if ((update?.meta.changes ?? 0) === 0) return false;
	await data.outbox.flush({ "backoffice-jobs": c.env.BACKOFFICE_JOBS }, [message.id], now);
	return true;
}
