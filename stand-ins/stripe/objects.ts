/**
 * The Stripe objects the stand-in keeps, typed as it returns them: each interface lists exactly
 * the fields served (all of them in `openapi-subset.json`'s `objects`, which the unit tests
 * check). They are stored as they are served, so a read is a deep copy plus `expand[]`; the
 * extra state Stripe keeps out of sight (where an onboarding link returns, how a session was
 * paid) lives beside them in the store, never inside them.
 */

export type Metadata = Record<string, string>;
export type CapabilityStatus = "active" | "inactive" | "pending";

export interface Requirements {
	alternatives: never[];
	current_deadline: number | null;
	currently_due: string[];
	disabled_reason: string | null;
	errors: never[];
	eventually_due: string[];
	past_due: string[];
	pending_verification: string[];
}

export interface Account {
	id: string;
	object: "account";
	business_type: string | null;
	capabilities: Record<string, CapabilityStatus>;
	charges_enabled: boolean;
	country: string;
	created: number;
	default_currency: string;
	details_submitted: boolean;
	email: string | null;
	metadata: Metadata;
	payouts_enabled: boolean;
	requirements: Requirements;
	type: "express";
}

export interface AccountLink {
	object: "account_link";
	created: number;
	expires_at: number;
	url: string;
}

export interface CustomerDetails {
	address: null;
	email: string;
	name: string;
	phone: null;
	tax_exempt: "none";
	tax_ids: never[];
}

export interface CheckoutSession {
	id: string;
	object: "checkout.session";
	/** The buyer's choice of methods as asked for (API 2026-09-30.endive and later); null when not. */
	allowed_payment_method_types: string[] | null;
	amount_subtotal: number;
	amount_total: number;
	cancel_url: string | null;
	/** The platform's own reference for the session, as created with it. */
	client_reference_id: string | null;
	created: number;
	currency: string;
	customer: null;
	customer_details: CustomerDetails | null;
	customer_email: string | null;
	expires_at: number;
	livemode: false;
	metadata: Metadata;
	mode: "payment";
	payment_intent: string | null;
	payment_method_types: string[];
	payment_status: "paid" | "unpaid" | "no_payment_required";
	status: "open" | "complete" | "expired";
	success_url: string;
	url: string | null;
}

export interface PaymentError {
	code: string;
	message: string;
	payment_method_type: string;
	type: "card_error";
}

export interface PaymentIntent {
	id: string;
	object: "payment_intent";
	amount: number;
	amount_capturable: number;
	amount_received: number;
	canceled_at: null;
	cancellation_reason: null;
	capture_method: "automatic_async";
	client_secret: string;
	confirmation_method: "automatic";
	created: number;
	currency: string;
	customer: null;
	description: string | null;
	last_payment_error: PaymentError | null;
	latest_charge: string | null;
	livemode: false;
	metadata: Metadata;
	next_action: null;
	on_behalf_of: null;
	payment_method: string | null;
	payment_method_types: string[];
	receipt_email: string | null;
	setup_future_usage: null;
	shipping: null;
	statement_descriptor: null;
	statement_descriptor_suffix: null;
	status: "processing" | "requires_payment_method" | "succeeded";
	transfer_data: null;
	transfer_group: string | null;
}

export interface PaymentMethodDetails {
	type: "card" | "us_bank_account";
	card?: { brand: string; country: string; exp_month: number; exp_year: number; funding: string; last4: string };
	us_bank_account?: {
		account_holder_type: string;
		account_type: string;
		bank_name: string;
		last4: string;
		routing_number: string;
	};
}

export interface Outcome {
	network_status: string;
	reason: string | null;
	risk_level: string;
	seller_message: string;
	type: string;
}

export interface Charge {
	id: string;
	object: "charge";
	amount: number;
	amount_captured: number;
	amount_refunded: number;
	application: null;
	application_fee: null;
	application_fee_amount: null;
	balance_transaction: string | null;
	billing_details: { address: null; email: string; name: string; phone: null; tax_id: null };
	captured: boolean;
	created: number;
	currency: string;
	customer: null;
	description: string | null;
	disputed: boolean;
	failure_balance_transaction: null;
	failure_code: string | null;
	failure_message: string | null;
	livemode: false;
	metadata: Metadata;
	on_behalf_of: null;
	outcome: Outcome | null;
	paid: boolean;
	payment_intent: string;
	payment_method: string;
	payment_method_details: PaymentMethodDetails;
	receipt_email: string | null;
	receipt_number: null;
	receipt_url: null;
	refunded: boolean;
	review: null;
	shipping: null;
	source_transfer: null;
	statement_descriptor: null;
	statement_descriptor_suffix: null;
	status: "pending" | "succeeded" | "failed";
	transfer_data: null;
	transfer_group: string | null;
}

export interface FeeDetail {
	amount: number;
	application: null;
	currency: string;
	description: string;
	type: "stripe_fee";
}

export interface BalanceTransaction {
	id: string;
	object: "balance_transaction";
	amount: number;
	available_on: number;
	created: number;
	currency: string;
	description: string | null;
	exchange_rate: null;
	fee: number;
	fee_details: FeeDetail[];
	net: number;
	reporting_category: string;
	source: string;
	status: "available" | "pending";
	type: string;
}

export interface TransferReversal {
	id: string;
	object: "transfer_reversal";
	amount: number;
	balance_transaction: string;
	created: number;
	currency: string;
	destination_payment_refund: string;
	metadata: Metadata;
	source_refund: null;
	transfer: string;
}

export interface Transfer {
	id: string;
	object: "transfer";
	amount: number;
	amount_reversed: number;
	balance_transaction: string;
	created: number;
	currency: string;
	description: string | null;
	destination: string;
	destination_payment: string;
	livemode: false;
	metadata: Metadata;
	reversals: { object: "list"; data: TransferReversal[]; has_more: false; total_count: number; url: string };
	reversed: boolean;
	source_transaction: string | null;
	source_type: "card";
	transfer_group: string | null;
}

export interface Refund {
	id: string;
	object: "refund";
	amount: number;
	balance_transaction: string;
	charge: string;
	created: number;
	currency: string;
	metadata: Metadata;
	payment_intent: string;
	reason: string | null;
	receipt_number: null;
	source_transfer_reversal: null;
	status: "succeeded";
	transfer_reversal: null;
}

export type DisputeStatus = "needs_response" | "under_review" | "won" | "lost";

export interface Dispute {
	id: string;
	object: "dispute";
	amount: number;
	balance_transactions: BalanceTransaction[];
	charge: string;
	created: number;
	currency: string;
	is_charge_refundable: boolean;
	livemode: false;
	metadata: Metadata;
	payment_intent: string;
	reason: string;
	status: DisputeStatus;
}

export type StripeObject =
	| Account
	| CheckoutSession
	| PaymentIntent
	| Charge
	| BalanceTransaction
	| Transfer
	| TransferReversal
	| Refund
	| Dispute;

export interface StripeEvent {
	id: string;
	object: "event";
	/** Set on Connect events: the connected account the event happened on. */
	account?: string;
	api_version: string;
	created: number;
	data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
	livemode: false;
	pending_webhooks: number;
	request: { id: string | null; idempotency_key: string | null };
	type: string;
}
