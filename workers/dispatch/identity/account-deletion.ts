/**
 * Deleting an account in D1 (docs/domain.md, "Deleting an account"): what stops a deletion, and
 * the one batch that does it.
 *
 * A deletion is refused while money is in flight (a payment pending, paid and held, or disputed,
 * as buyer or seller) or a negotiation is open (a thread pending or countered, or accepted and
 * its listing still under offer): refusing is simpler and more honest than closing threads for
 * the person, and every one of those ends on its own (offers expire, payments release or refund).
 * The checks read the `deals` and `payments` projections, which trail their rooms and objects by
 * a queue delivery; an offer made in that moment is the one case they can miss, and it then
 * expires unanswered like any offer to an absent seller.
 *
 * The batch: the seller's draft and active listings archived through the listing lifecycle (so
 * `listing.archived` is announced as for any archive), the user row anonymised (a tombstone
 * address on the reserved `.invalid` domain frees the real one for a new sign-up; name, password
 * hash, two-factor secrets and verification cleared), the tenant's name replaced, the storefront
 * removed, every open link voided, the record of e-mails sent to the address (`emails`) re-addressed
 * to the tombstone, the saved searches and watchlist deleted (they would e-mail the account), and an `account.deleted` row in the audit log — all guarded by
 * the user row's own change, so a second, racing deletion writes nothing.
 */
import { platformListings } from "../../../shared/data/listings.ts";
import { newId } from "../../../shared/encoding.ts";

/** Why a deletion must wait, in words the person can act on; `null` when nothing stops it. */
export async function deletionBlocker(db: D1Database, tenantId: string): Promise<string | null> {
	const payment = await db
		.prepare(
			`SELECT id, status FROM payments
			 WHERE (buyer_tenant_id = ?1 OR seller_tenant_id = ?1) AND status IN ('pending', 'paid', 'disputed')
			 ORDER BY created_at LIMIT 1`,
		)
		.bind(tenantId)
		.first<{ id: string; status: string }>();
	if (payment) {
		const state = payment.status === "paid" ? "held" : payment.status;
		return `Your account cannot be deleted while money is in flight: payment ${payment.id} is ${state}. Wait until it is released or refunded.`;
	}
	const thread = await db
		.prepare(
			`SELECT offer_id, status FROM deals
			 WHERE (buyer_tenant_id = ?1 OR seller_tenant_id = ?1) AND status IN ('pending', 'countered')
			 ORDER BY opened_at LIMIT 1`,
		)
		.bind(tenantId)
		.first<{ offer_id: string; status: string }>();
	if (thread) {
		return `Your account cannot be deleted while a negotiation is open: offer ${thread.offer_id} is ${thread.status}. Withdraw, reject or accept it first, or let it expire.`;
	}
	const claimed = await db
		.prepare(
			`SELECT l.id, l.claimed_by_offer_id FROM listings l
			 WHERE l.status = 'under_offer'
			   AND (l.seller_tenant_id = ?1
			        OR l.claimed_by_offer_id IN (SELECT offer_id FROM deals WHERE buyer_tenant_id = ?1))
			 LIMIT 1`,
		)
		.bind(tenantId)
		.first<{ id: string; claimed_by_offer_id: string | null }>();
	if (claimed) {
		return `Your account cannot be deleted while an accepted offer is waiting for payment: listing ${claimed.id} is under offer. Complete the sale or reopen the listing first.`;
	}
	return null;
}

export interface Deletion {
	userId: string;
	tenantId: string;
	/** The address the account has now: the record of e-mails sent to it is re-addressed to the tombstone. */
	email: string;
	requestId: string;
}

/**
 * The address a deleted user row keeps: on `.invalid`, which no mail ever reaches (RFC 2606), and
 * with a random part, so nobody can sign up with it first and make the deletion collide.
 */
export const tombstoneEmail = (userId: string) => `deleted-${userId}-${newId("x").slice(2, 18)}@deleted.invalid`;

/**
 * Runs the deletion batch: `deleted` false when the account was already deleted (nothing of the
 * user's is written), and the outbox ids of the `listing.archived` events to flush.
 */
export async function deleteAccount(
	db: D1Database,
	deletion: Deletion,
	now: number,
): Promise<{ deleted: boolean; outboxIds: string[] }> {
	const at = new Date(now).toISOString();
	const tombstone = tombstoneEmail(deletion.userId);
	const { results: listings } = await db
		.prepare(
			`SELECT id, seller_tenant_id, status, claimed_by_offer_id FROM listings
			 WHERE seller_tenant_id = ?1 AND status IN ('draft', 'active')`,
		)
		.bind(deletion.tenantId)
		.all<{ id: string; seller_tenant_id: string; status: "draft" | "active"; claimed_by_offer_id: string | null }>();
	const changes = listings.flatMap((listing) => {
		const change = platformListings(db).move(listing, { type: "archive" }, now, deletion.tenantId);
		return change.ok ? [change] : [];
	});
	const deleted = "EXISTS (SELECT 1 FROM users WHERE id = ?1 AND deleted_at = ?2)";
	const detail = JSON.stringify({ request_id: deletion.requestId, archived_listings: listings.length });
	const [anonymised] = await db.batch<{ id: string }>([
		db
			.prepare(
				`UPDATE users SET email = ?3, name = '', password_hash = 'deleted', mfa_secret = NULL,
				   mfa_pending_secret = NULL, mfa_last_step = NULL, email_verified_at = NULL,
				   deleted_at = ?2, updated_at = ?2
				 WHERE id = ?1 AND deleted_at IS NULL
				 RETURNING id`,
			)
			.bind(deletion.userId, at, tombstone),
		...changes.flatMap((change) => change.statements),
		db
			.prepare(`UPDATE tenants SET name = 'Deleted account' WHERE id = ?3 AND ${deleted}`)
			.bind(deletion.userId, at, deletion.tenantId),
		db
			.prepare(`DELETE FROM storefronts WHERE seller_tenant_id = ?3 AND ${deleted}`)
			.bind(deletion.userId, at, deletion.tenantId),
		db
			.prepare(`UPDATE account_tokens SET used_at = ?2 WHERE user_id = ?1 AND used_at IS NULL AND ${deleted}`)
			.bind(deletion.userId, at),
		db
			.prepare(`UPDATE emails SET to_email = ?3 WHERE to_email = ?4 AND ${deleted}`)
			.bind(deletion.userId, at, tombstone, deletion.email),
		...["saved_searches", "watchlist"].map((table) =>
			db
				.prepare(`DELETE FROM ${table} WHERE tenant_id = ?3 AND ${deleted}`)
				.bind(deletion.userId, at, deletion.tenantId),
		),
		db
			.prepare(
				`INSERT INTO audit_log (event_id, action, actor_user_id, actor_tenant_id, subject_tenant_id, detail, occurred_at, recorded_at)
				 SELECT ?3, 'account.deleted', ?1, ?4, ?4, ?5, ?2, ?2 WHERE ${deleted}`,
			)
			.bind(deletion.userId, at, newId("evt"), deletion.tenantId, detail),
	]);
	return {
		deleted: (anonymised?.results.length ?? 0) === 1,
		outboxIds: changes.map((change) => change.message.id),
	};
}
