/**
 * The payment registry and the sellers' payout accounts in D1, through the tenant scope. A
 * payment's live state belongs to its PaymentObject (durable-objects/payment/); the `payments` row
 * says who its parties are and which checkout session is its, so this layer answers "may this
 * caller see payment X", "which payments are mine" and "is a checkout open on this thread" without
 * asking every object. Every read carries the party predicate (buyer or seller is the caller's
 * tenant; admins see all).
 *
 * The one cross-tenant read is `payoutAccountOf`: a buyer's checkout must know whether the seller
 * can receive transfers and which account the money goes to, and nothing else of the seller's.
 * Writes are conditional inserts that report whether they won, so racing requests agree on one
 * row (the partial unique index on an open payment per offer, the seller tenant's primary key).
 */
import type { Position } from "../http/cursor.ts";
import type { Scope } from "./scope.ts";

export type RegistryStatus = "pending" | "paid" | "disputed" | "released" | "refunded" | "failed" | "expired";

export interface PaymentRecord {
	id: string;
	offer_id: string;
	attempt: number;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	status: RegistryStatus;
	amount_cents: number;
	fee_cents: number;
	seller_payout_cents: number;
	currency: string;
	checkout_session_id: string;
	checkout_url: string | null;
	stripe_account_id: string;
	created_at: string;
}

export type PaymentInsert = Omit<PaymentRecord, "buyer_tenant_id" | "status">;

export interface SellerAccountRecord {
	tenant_id: string;
	stripe_account_id: string;
	details_submitted: number;
	charges_enabled: number;
	payouts_enabled: number;
	/** JSON `{name: active|inactive|pending}`. */
	capabilities: string;
	created_at: string;
	updated_at: string;
}

/** Where a seller's payouts go, and whether transfers to it are possible yet. */
export interface PayoutAccount {
	stripe_account_id: string;
	transfers_active: boolean;
}

const COLUMNS = `p.id, p.offer_id, p.attempt, p.listing_id, p.buyer_tenant_id, p.seller_tenant_id, p.status,
	p.amount_cents, p.fee_cents, p.seller_payout_cents, p.currency, p.checkout_session_id, p.checkout_url,
	p.stripe_account_id, p.created_at`;

export function paymentsData(db: D1Database, scope: Scope) {
	/** `(buyer or seller is the caller)`, or everything for an admin, nothing for a guest. */
	function party(): { sql: string; binds: string[] } {
		if (scope.isAdmin) return { sql: "1 = 1", binds: [] };
		if (scope.tenantId === null) return { sql: "0 = 1", binds: [] };
		return { sql: "(p.buyer_tenant_id = ? OR p.seller_tenant_id = ?)", binds: [scope.tenantId, scope.tenantId] };
	}

	/** The caller as a tenant of its own (a buyer paying, a seller onboarding); never an admin or a guest. */
	function own(what: string): string {
		if (scope.tenantId === null || scope.isAdmin) throw new Error(`only a tenant's own caller ${what}`);
		return scope.tenantId;
	}

	return {
		/** A payment the caller is a party to (or any, for an admin); `null` otherwise. */
		async find(id: string): Promise<PaymentRecord | null> {
			const access = party();
			return db
				.prepare(`SELECT ${COLUMNS} FROM payments p WHERE p.id = ? AND ${access.sql}`)
				.bind(id, ...access.binds)
				.first<PaymentRecord>();
		},

		/** The caller's payments, newest first. */
		/** The caller's payments, newest first; `status` filters on the consolidated status (seconds behind the object). */
		async list(
			limit: number,
			cursor?: Position,
			status?: PaymentRecord["status"],
		): Promise<{ rows: PaymentRecord[]; more: boolean }> {
			const access = party();
			const where = [access.sql];
			const binds: (string | number)[] = [...access.binds];
			if (status) {
				where.push("p.status = ?");
				binds.push(status);
			}
			if (cursor) {
				where.push("(p.created_at, p.id) < (?, ?)");
				binds.push(...cursor);
			}
			const { results } = await db
				.prepare(
					`SELECT ${COLUMNS} FROM payments p WHERE ${where.join(" AND ")} ORDER BY p.created_at DESC, p.id DESC LIMIT ?`,
				)
				.bind(...binds, limit + 1)
				.all<PaymentRecord>();
			return { rows: results.slice(0, limit), more: results.length > limit };
		},

		/** The caller's latest payment attempt on a thread (as a party), or `null` when none was made. */
		async latestForOffer(offerId: string): Promise<PaymentRecord | null> {
			const access = party();
			return db
				.prepare(
					`SELECT ${COLUMNS} FROM payments p WHERE p.offer_id = ? AND ${access.sql} ORDER BY p.attempt DESC LIMIT 1`,
				)
				.bind(offerId, ...access.binds)
				.first<PaymentRecord>();
		},

		/** The thread's open (pending) payment the caller is a party to, or `null`. */
		async openForOffer(offerId: string): Promise<PaymentRecord | null> {
			const access = party();
			return db
				.prepare(`SELECT ${COLUMNS} FROM payments p WHERE p.offer_id = ? AND p.status = 'pending' AND ${access.sql}`)
				.bind(offerId, ...access.binds)
				.first<PaymentRecord>();
		},

		/**
		 * Registers a checkout the caller (the buyer) made; `false` when the id exists already or the
		 * thread has another open payment (the partial unique index): a racer that lost reads the winner.
		 */
		async insert(payment: PaymentInsert): Promise<boolean> {
			const buyer = own("pays");
			const result = await db
				.prepare(
					`INSERT INTO payments (id, offer_id, attempt, listing_id, buyer_tenant_id, seller_tenant_id, status,
					   amount_cents, fee_cents, seller_payout_cents, currency, checkout_session_id, checkout_url,
					   stripe_account_id, created_at, updated_at)
					 VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)
					 ON CONFLICT DO NOTHING`,
				)
				.bind(
					payment.id,
					payment.offer_id,
					payment.attempt,
					payment.listing_id,
					buyer,
					payment.seller_tenant_id,
					payment.amount_cents,
					payment.fee_cents,
					payment.seller_payout_cents,
					payment.currency,
					payment.checkout_session_id,
					payment.checkout_url,
					payment.stripe_account_id,
					payment.created_at,
					payment.created_at,
				)
				.run();
			return result.meta.changes === 1;
		},

		/** The caller's own payout account (a seller), or `null` before onboarding started. */
		async sellerAccount(): Promise<SellerAccountRecord | null> {
			if (scope.tenantId === null) return null;
			return db
				.prepare(
					`SELECT tenant_id, stripe_account_id, details_submitted, charges_enabled, payouts_enabled, capabilities,
					   created_at, updated_at FROM seller_accounts WHERE tenant_id = ?`,
				)
				.bind(scope.tenantId)
				.first<SellerAccountRecord>();
		},

		/** Records the caller's connected account; `false` when the tenant has one already (it stands). */
		async insertSellerAccount(stripeAccountId: string, now: string): Promise<boolean> {
			const tenant = own("onboards");
			const result = await db
				.prepare(
					`INSERT INTO seller_accounts (tenant_id, stripe_account_id, created_at, updated_at) VALUES (?, ?, ?, ?)
					 ON CONFLICT (tenant_id) DO NOTHING`,
				)
				.bind(tenant, stripeAccountId, now, now)
				.run();
			return result.meta.changes === 1;
		},

		/** The seller's payout account as a checkout needs it; `null` before the seller started onboarding. */
		async payoutAccountOf(sellerTenantId: string): Promise<PayoutAccount | null> {
			const row = await db
				.prepare("SELECT stripe_account_id, capabilities FROM seller_accounts WHERE tenant_id = ?")
				.bind(sellerTenantId)
				.first<{ stripe_account_id: string; capabilities: string }>();
			if (!row) return null;
			return {
				stripe_account_id: row.stripe_account_id,
				transfers_active: capabilitiesOf(row.capabilities).transfers === "active",
			};
		},
	};
}

export type CapabilityStatus = "active" | "inactive" | "pending";

/** The stored capabilities JSON, read defensively: anything unexpected is left out. */
export function capabilitiesOf(json: string): Record<string, CapabilityStatus> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(json);
	} catch {
		return {};
	}
	const out: Record<string, CapabilityStatus> = {};
	if (parsed === null || typeof parsed !== "object") return out;
	for (const [name, value] of Object.entries(parsed)) {
		if (value === "active" || value === "inactive" || value === "pending") out[name] = value;
	}
	return out;
}

export type PaymentsData = ReturnType<typeof paymentsData>;
