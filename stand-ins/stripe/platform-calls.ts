/**
 * The Stripe calls the platform makes (docs/domain.md, Payments), as the parameters it
 * passes to the `stripe` SDK, keyed by the subset operation each one hits. The e2e test sends
 * exactly these through the SDK, and the unit test checks each is inside `openapi-subset.json`;
 * when the platform's payment routes exist, their call builders should be checked against the
 * subset the same way (or replace these). Typed with the SDK's own parameter types.
 */
import type Stripe from "stripe";

export interface CheckoutInput {
	paymentId: string;
	offerId: string;
	listingTitle: string;
	amountCents: number;
	currency: string;
	buyerEmail?: string;
	/** The platform's origin, for the redirect URLs. */
	origin: string;
	methods?: ("card" | "us_bank_account")[];
	expiresAt?: number;
}

export const platformCalls = {
	/** POST /api/v1/sellers/connect, first time: the seller's Express account. */
	createAccount: (sellerTenantId: string, email: string): Stripe.AccountCreateParams => ({
		type: "express",
		email,
		country: "US",
		business_type: "individual",
		capabilities: { transfers: { requested: true } },
		metadata: { tenant_id: sellerTenantId },
	}),
	/** POST /api/v1/sellers/connect: the onboarding link it returns. */
	createAccountLink: (account: string, origin: string): Stripe.AccountLinkCreateParams => ({
		account,
		type: "account_onboarding",
		refresh_url: `${origin}/sellers/connect/refresh`,
		return_url: `${origin}/sellers/connect/return`,
	}),
	/** POST /api/v1/offers/:id/checkout: a session whose charge stays on the platform (escrow). */
	createCheckoutSession: (input: CheckoutInput): Stripe.Checkout.SessionCreateParams => ({
		mode: "payment",
		line_items: [
			{
				price_data: {
					currency: input.currency,
					unit_amount: input.amountCents,
					product_data: { name: input.listingTitle },
				},
				quantity: 1,
			},
		],
		// `payment_method_types` before API 2026-09-30.endive; stripe-node 23 pins a later version.
		allowed_payment_method_types: input.methods ?? ["card", "us_bank_account"],
		payment_intent_data: {
			transfer_group: input.paymentId,
			metadata: { payment_id: input.paymentId, offer_id: input.offerId },
		},
		client_reference_id: input.paymentId,
		metadata: { payment_id: input.paymentId, offer_id: input.offerId },
		success_url: `${input.origin}/payments/${input.paymentId}?session={CHECKOUT_SESSION_ID}`,
		cancel_url: `${input.origin}/payments/${input.paymentId}?cancelled=1`,
		...(input.buyerEmail === undefined ? {} : { customer_email: input.buyerEmail }),
		...(input.expiresAt === undefined ? {} : { expires_at: input.expiresAt }),
	}),
	/** Reconciling a session from a webhook: its PaymentIntent and charge in one read. */
	retrieveSession: (): Stripe.Checkout.SessionRetrieveParams => ({ expand: ["payment_intent.latest_charge"] }),
	retrievePaymentIntent: (): Stripe.PaymentIntentRetrieveParams => ({ expand: ["latest_charge"] }),
	/** The fee Stripe took, for the payment record. */
	retrieveCharge: (): Stripe.ChargeRetrieveParams => ({ expand: ["balance_transaction"] }),
	retrieveBalanceTransaction: (): Stripe.BalanceTransactionRetrieveParams => ({}),
	/** Release: `amount − fee` to the seller, out of the buyer's charge. */
	createTransfer: (input: {
		amountCents: number;
		currency: string;
		destination: string;
		paymentId: string;
		charge: string;
	}): Stripe.TransferCreateParams => ({
		amount: input.amountCents,
		currency: input.currency,
		destination: input.destination,
		transfer_group: input.paymentId,
		source_transaction: input.charge,
		metadata: { payment_id: input.paymentId },
	}),
	/** A refund after release takes the seller's transfer back first. */
	createReversal: (paymentId: string, amountCents?: number): Stripe.TransferCreateReversalParams => ({
		...(amountCents === undefined ? {} : { amount: amountCents }),
		metadata: { payment_id: paymentId },
	}),
	/** POST /api/v1/payments/:id/refund (admin): full or partial. */
	createRefund: (paymentIntent: string, paymentId: string, amountCents?: number): Stripe.RefundCreateParams => ({
		payment_intent: paymentIntent,
		...(amountCents === undefined ? {} : { amount: amountCents }),
		reason: "requested_by_customer",
		metadata: { payment_id: paymentId },
	}),
};

/** Which subset operation each call hits. */
export const CALL_OPERATIONS: Record<keyof typeof platformCalls, string> = {
	createAccount: "PostAccounts",
	createAccountLink: "PostAccountLinks",
	createCheckoutSession: "PostCheckoutSessions",
	retrieveSession: "GetCheckoutSessionsSession",
	retrievePaymentIntent: "GetPaymentIntentsIntent",
	retrieveCharge: "GetChargesCharge",
	retrieveBalanceTransaction: "GetBalanceTransactionsId",
	createTransfer: "PostTransfers",
	createReversal: "PostTransfersIdReversals",
	createRefund: "PostRefunds",
};
