/**
 * Seller payouts: `POST /api/v1/sellers/connect` makes the seller tenant's Stripe Connect
 * (Express) account once and answers an onboarding link; `GET` answers the account as Stripe last
 * reported it (`account.updated`, kept in D1 `seller_accounts` by the payments consumer).
 *
 * "Once" holds under retries and races: the account is created with the idempotency key
 * `connect:<tenant>`, so Stripe answers the same account to every attempt within its key window,
 * and the D1 row is a conditional insert on the tenant, so the first recorded account stands and a
 * racer reads it. Links are short-lived by design and made fresh on every call.
 */
import type { Context } from "hono";
import { contractApp } from "../../../shared/contract/app.ts";
import { paymentsRoutes as r } from "../../../shared/contract/routes/payments.ts";
import { capabilitiesOf, type SellerAccountRecord } from "../../../shared/data/payments.ts";
import type { UserHono } from "../types.ts";
import { callerOf, platformOrigin, stripe, viaStripe } from "./objects.ts";

export function sellerAccountView(record: SellerAccountRecord | null) {
	if (!record) {
		return {
			account_id: null,
			details_submitted: false,
			charges_enabled: false,
			payouts_enabled: false,
			capabilities: {},
			can_receive_transfers: false,
			updated_at: null,
		};
	}
	const capabilities = capabilitiesOf(record.capabilities);
	return {
		account_id: record.stripe_account_id,
		details_submitted: record.details_submitted === 1,
		charges_enabled: record.charges_enabled === 1,
		payouts_enabled: record.payouts_enabled === 1,
		capabilities,
		can_receive_transfers: capabilities.transfers === "active",
		updated_at: record.updated_at,
	};
}

/** The caller's account, made at Stripe and recorded if it has none yet. */
async function ensureAccount(c: Context<UserHono>): Promise<SellerAccountRecord> {
	const existing = await c.var.data.payments.sellerAccount();
	if (existing) return existing;
	const caller = callerOf(c);
	const account = await viaStripe("accounts.create", () =>
		stripe(c).accounts.create(
			{
				type: "express",
				metadata: { tenant_id: caller.tenantId },
				capabilities: { transfers: { requested: true } },
			},
			{ idempotencyKey: `connect:${caller.tenantId}` },
		),
	);
	await c.var.data.payments.insertSellerAccount(account.id, new Date().toISOString());
	// Ours or a racer's: the recorded one stands.
	const recorded = await c.var.data.payments.sellerAccount();
	if (!recorded) throw new Error("the seller account was not recorded");
	return recorded;
}

/** Both seller connect routes, declared in shared/contract/routes/payments.ts; mounted at `/`. */
export const sellerConnect = contractApp<UserHono>()
	.openapi(r.startSellerOnboarding, async (c) => {
		const account = await ensureAccount(c);
		const origin = platformOrigin(c);
		const link = await viaStripe("accountLinks.create", () =>
			stripe(c).accountLinks.create({
				account: account.stripe_account_id,
				type: "account_onboarding",
				refresh_url: `${origin}/sellers/connect/refresh`,
				return_url: `${origin}/sellers/connect/return`,
			}),
		);
		return c.json(
			{
				url: link.url,
				expires_at: new Date(link.expires_at * 1000).toISOString(),
				account: sellerAccountView(account),
			},
			200,
		);
	})
	.openapi(r.getSellerAccount, async (c) => {
		return c.json(sellerAccountView(await c.var.data.payments.sellerAccount()), 200);
	});
