/**
 * The listing claim an acceptance makes (docs/domain.md, Offer threads: exclusivity), as the
 * listing lifecycle's `claim` through the data layer's one writer of listing statuses
 * (shared/data/listings.ts, `platformListings(db).move`): `active → under_offer`, guarded by that
 * state, with its `listing.under_offer` event in the D1 outbox in the same batch. Of competing
 * acceptances only one UPDATE matches; the room calls this inside `blockConcurrencyWhile`, so
 * acceptances of one thread are serialised too.
 *
 * The event goes out through the D1 outbox, not the room's own (which carries `offer-events`):
 * `announce` sends it once the acceptance is committed, and the consumers' cron resends it if that
 * send fails.
 */
import { platformListings } from "../../shared/data/listings.ts";
import { flushOutbox } from "../../shared/data/outbox.ts";
import type { ThreadRow } from "./thread-store.ts";

/** Claims the thread's listing for it; the outbox id of its event, or `null` when the listing is not available. */
export async function claimListing(
	env: DispatchEnv,
	row: Pick<ThreadRow, "offer_id" | "listing_id" | "seller_tenant_id">,
	actorTenantId: string,
	now: number,
): Promise<string | null> {
	// A listing open for offers is active and held by nobody; whatever else it is, the UPDATE misses.
	const listing = { id: row.listing_id, seller_tenant_id: row.seller_tenant_id, status: "active" as const };
	const change = platformListings(env.DB).move(
		{ ...listing, claimed_by_offer_id: null },
		{ type: "claim", offer_id: row.offer_id },
		now,
		actorTenantId,
	);
	if (!change.ok) throw new Error(`the lifecycle refused to claim an active listing: ${change.kind}`);
	const [update] = await env.DB.batch(change.statements);
	return (update?.meta.changes ?? 0) === 0 ? null : change.message.id;
}

/** Sends the claim's event now; never throws (the cron resends what this does not). */
export function announce(env: DispatchEnv, messageId: string, now: number): Promise<void> {
	return flushOutbox(env.DB, { "backoffice-jobs": env.BACKOFFICE_JOBS }, [messageId], now);
}
