/**
 * A payment as checkout leaves it, for the PaymentObject's and the payments consumer's workerd
 * tests: the two tenants, the listing under offer to the thread, the offer, the D1 registry row
 * and the `PaymentOpening` the object is opened with. No runtime APIs beyond the D1 binding given.
 */
import type { PaymentOpening } from "../../shared/payments/types.ts";
import { listingInsert, tenantInsert } from "./listings.ts";

const hex32 = () => crypto.randomUUID().replaceAll("-", "");

export interface SeededPayment {
	opening: PaymentOpening;
	stripe_account_id: string;
	checkout_url: string;
}

export async function seedPayment(
	db: D1Database,
	options: { amount_cents?: number; stripe_account_id?: string; checkout_session_id?: string } = {},
): Promise<SeededPayment> {
	const seller = `seller_${hex32()}`;
	const buyer = `buyer_${hex32()}`;
	const listingId = `lst_${hex32()}`;
	const offerId = `off_${hex32()}`;
	const paymentId = `pay_${hex32()}`;
	const amount = options.amount_cents ?? 1_000_000;
	const session = options.checkout_session_id ?? `cs_test_${hex32()}`;
	const account = options.stripe_account_id ?? `acct_${hex32().slice(0, 16)}`;
	const now = new Date().toISOString();
	const listing = listingInsert({
		id: listingId,
		seller_tenant_id: seller,
		title: "A SaaS for sale",
		status: "under_offer",
	});
	const tenants = [tenantInsert(seller, "seller"), tenantInsert(buyer, "buyer")];
	await db.batch([
		...tenants.map((t) => db.prepare(t.sql).bind(...t.values)),
		db.prepare(listing.sql).bind(...listing.values),
		db.prepare("UPDATE listings SET claimed_by_offer_id = ? WHERE id = ?").bind(offerId, listingId),
		db
			.prepare(
				"INSERT INTO offers (id, listing_id, buyer_tenant_id, seller_tenant_id, created_at) VALUES (?, ?, ?, ?, ?)",
			)
			.bind(offerId, listingId, buyer, seller, now),
		db
			.prepare(
				`INSERT INTO payments (id, offer_id, attempt, listing_id, buyer_tenant_id, seller_tenant_id, status, amount_cents,
			   fee_cents, seller_payout_cents, currency, checkout_session_id, checkout_url, stripe_account_id, created_at, updated_at)
			 VALUES (?, ?, 1, ?, ?, ?, 'pending', ?, 0, 0, 'USD', ?, ?, ?, ?, ?)`,
			)
			.bind(
				paymentId,
				offerId,
				listingId,
				buyer,
				seller,
				amount,
				session,
				`https://checkout.example/${session}`,
				account,
				now,
				now,
			),
	]);
	return {
		opening: {
			id: paymentId,
			offer_id: offerId,
			listing_id: listingId,
			buyer_tenant_id: buyer,
			seller_tenant_id: seller,
			amount_cents: amount,
			currency: "USD",
			checkout_session_id: session,
		},
		stripe_account_id: account,
		checkout_url: `https://checkout.example/${session}`,
	};
}
