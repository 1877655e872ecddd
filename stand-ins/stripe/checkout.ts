/**
 * Checkout Sessions in `payment` mode and what paying them does. As with Stripe's API versions
 * since 2022-08-01, a session has no PaymentIntent until the buyer pays: paying makes the
 * PaymentIntent and its Charge together. A card payment succeeds at once (`complete`, `paid`);
 * a bank debit (`us_bank_account`) completes `unpaid` with the charge `pending`, and settles later
 * — `async_payment_succeeded`, or `async_payment_failed` with the charge `failed` and the session
 * still `unpaid`. Webhooks in Stripe's order: `checkout.session.completed` first, then the
 * async outcome; `checkout.session.expired` for an expired session.
 */
import { formatMoney, invalidRequest } from "./errors.ts";
import { CARD_MAX_AMOUNT, MIN_AMOUNT, type PaymentMethodType, processingFee } from "./fees.ts";
import { newId } from "./ids.ts";
import { recordTransaction } from "./ledger.ts";
import type { Charge, CheckoutSession, PaymentIntent, PaymentMethodDetails } from "./objects.ts";
import type { Store } from "./store.ts";
import type { Params } from "./subset.ts";

const MIN_LIFETIME = 30 * 60;
const MAX_LIFETIME = 24 * 60 * 60;
export const TEST_BUYER = { name: "Local Test Buyer", email: "buyer@example.test" };

interface LineItemParams {
	price_data: { currency: string; unit_amount: number; product_data: { name: string } };
	quantity: number;
}

function checkUrl(value: unknown, param: string): void {
	if (value === undefined) return;
	try {
		const url = new URL(String(value));
		if (url.protocol === "http:" || url.protocol === "https:") return;
	} catch {}
	throw invalidRequest("Not a valid URL", { param });
}

export function createSession(store: Store, params: Params): CheckoutSession {
	const items = params.line_items as LineItemParams[];
	if (items.length === 0) throw invalidRequest("You must provide at least one line item.", { param: "line_items" });
	let total = 0;
	const currency = items[0]?.price_data.currency ?? "usd";
	items.forEach((item, index) => {
		const param = `line_items[${index}]`;
		if (!/^[a-z]{3}$/.test(item.price_data.currency)) {
			throw invalidRequest(`Invalid currency: ${item.price_data.currency}`, {
				param: `${param}[price_data][currency]`,
			});
		}
		if (item.price_data.currency !== currency) {
			throw invalidRequest("All line items must have the same currency.", { param: `${param}[price_data][currency]` });
		}
		if (item.quantity < 1) {
			throw invalidRequest("This value must be greater than or equal to 1.", { param: `${param}[quantity]` });
		}
		if (item.price_data.unit_amount < 0) {
			throw invalidRequest("This value must be greater than or equal to 0.", {
				param: `${param}[price_data][unit_amount]`,
			});
		}
		total += item.price_data.unit_amount * item.quantity;
	});
	if (total < MIN_AMOUNT) {
		throw invalidRequest(
			`The Checkout Session's total amount due must add up to at least ${formatMoney(MIN_AMOUNT, currency)}`,
			{
				code: "amount_too_small",
				param: "line_items",
			},
		);
	}
	const allowed = params.allowed_payment_method_types as string[] | undefined;
	const methods = allowed ?? (params.payment_method_types as string[] | undefined) ?? ["card"];
	if (methods.length === 0) {
		throw invalidRequest("At least one payment method type is required.", { param: "allowed_payment_method_types" });
	}
	if (methods.includes("us_bank_account") && currency !== "usd") {
		throw invalidRequest("The payment method `us_bank_account` only supports the currency usd.", {
			param: allowed ? "allowed_payment_method_types" : "payment_method_types",
		});
	}
	if (methods.length === 1 && methods[0] === "card" && total > CARD_MAX_AMOUNT) {
		throw invalidRequest(`Amount must be no more than ${formatMoney(CARD_MAX_AMOUNT, currency)}`, {
			code: "amount_too_large",
			param: "line_items",
		});
	}
	checkUrl(params.success_url, "success_url");
	checkUrl(params.cancel_url, "cancel_url");
	const created = store.now();
	const expiresAt = (params.expires_at as number | undefined) ?? created + MAX_LIFETIME;
	if (expiresAt < created + MIN_LIFETIME) {
		throw invalidRequest("The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.", {
			param: "expires_at",
		});
	}
	if (expiresAt > created + MAX_LIFETIME) {
		throw invalidRequest("The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.", {
			param: "expires_at",
		});
	}
	const id = newId("cs_test");
	const intent = (params.payment_intent_data ?? {}) as {
		description?: string;
		metadata?: Record<string, string>;
		transfer_group?: string;
	};
	store.intentData.set(id, { ...intent, metadata: intent.metadata ?? {} });
	store.lineItems.set(
		id,
		items.map((item) => ({
			name: item.price_data.product_data.name,
			quantity: item.quantity,
			unitAmount: item.price_data.unit_amount,
		})),
	);
	return store.put<CheckoutSession>({
		id,
		object: "checkout.session",
		allowed_payment_method_types: allowed ?? null,
		amount_subtotal: total,
		amount_total: total,
		cancel_url: (params.cancel_url as string | undefined) ?? null,
		client_reference_id: (params.client_reference_id as string | undefined) ?? null,
		created,
		currency,
		customer: null,
		customer_details: null,
		customer_email: (params.customer_email as string | undefined) ?? null,
		expires_at: expiresAt,
		livemode: false,
		metadata: (params.metadata as Record<string, string> | undefined) ?? {},
		mode: "payment",
		payment_intent: null,
		payment_method_types: methods,
		payment_status: "unpaid",
		status: "open",
		success_url: params.success_url as string,
		url: `${store.baseUrl}/checkout/${id}`,
	});
}

export function expireSession(store: Store, id: string): CheckoutSession {
	const session = store.get(id, "checkout.session", "session");
	if (session.status !== "open") {
		throw invalidRequest(
			`Only Checkout Sessions with a status in ["open"] can be expired; this one is ${session.status}.`,
			{
				param: "session",
			},
		);
	}
	session.status = "expired";
	session.url = null;
	store.emit("checkout.session.expired", session);
	return session;
}

/** Expires every open session whose `expires_at` has passed (Stripe does this on its own). */
export function expireDue(store: Store): void {
	for (const session of store.all("checkout.session")) {
		if (session.status === "open" && session.expires_at <= store.now()) expireSession(store, session.id);
	}
}

function details(method: PaymentMethodType, now: number): PaymentMethodDetails {
	if (method === "card") {
		const year = new Date(now * 1000).getUTCFullYear() + 3;
		return {
			type: "card",
			card: { brand: "visa", country: "US", exp_month: 12, exp_year: year, funding: "credit", last4: "4242" },
		};
	}
	return {
		type: "us_bank_account",
		us_bank_account: {
			account_holder_type: "individual",
			account_type: "checking",
			bank_name: "STRIPE TEST BANK",
			last4: "6789",
			routing_number: "110000000",
		},
	};
}

const APPROVED = {
	network_status: "approved_by_network",
	reason: null,
	risk_level: "normal",
	seller_message: "Payment complete.",
	type: "authorized",
};

/** The buyer pays an open session with a card (settled now) or a bank debit (settles later). */
export function paySession(store: Store, id: string, method: PaymentMethodType): CheckoutSession {
	const session = store.get(id, "checkout.session", "session");
	if (session.status !== "open") {
		throw invalidRequest(`This Checkout Session is ${session.status}; only an open session can be paid.`, {
			param: "session",
		});
	}
	if (!session.payment_method_types.includes(method)) {
		throw invalidRequest(`This Checkout Session does not accept ${method}.`, { param: "method" });
	}
	if (method === "card" && session.amount_total > CARD_MAX_AMOUNT) {
		throw invalidRequest(`Amount must be no more than ${formatMoney(CARD_MAX_AMOUNT, session.currency)} for a card.`, {
			code: "amount_too_large",
		});
	}
	const now = store.now();
	const data = store.intentData.get(id) ?? { metadata: {} };
	const buyer = { email: session.customer_email ?? TEST_BUYER.email, name: TEST_BUYER.name };
	const settled = method === "card";
	const intent = store.put<PaymentIntent>({
		id: newId("pi"),
		object: "payment_intent",
		amount: session.amount_total,
		amount_capturable: 0,
		amount_received: settled ? session.amount_total : 0,
		canceled_at: null,
		cancellation_reason: null,
		capture_method: "automatic_async",
		client_secret: "",
		confirmation_method: "automatic",
		created: now,
		currency: session.currency,
		customer: null,
		description: data.description ?? null,
		last_payment_error: null,
		latest_charge: null,
		livemode: false,
		metadata: { ...data.metadata },
		next_action: null,
		on_behalf_of: null,
		payment_method: newId("pm"),
		payment_method_types: [...session.payment_method_types],
		receipt_email: null,
		setup_future_usage: null,
		shipping: null,
		statement_descriptor: null,
		statement_descriptor_suffix: null,
		status: settled ? "succeeded" : "processing",
		transfer_data: null,
		transfer_group: data.transfer_group ?? null,
	});
	intent.client_secret = `${intent.id}_secret_${newId("pm").slice(3, 27)}`;
	const charge = store.put<Charge>({
		id: newId("ch"),
		object: "charge",
		amount: session.amount_total,
		amount_captured: session.amount_total,
		amount_refunded: 0,
		application: null,
		application_fee: null,
		application_fee_amount: null,
		balance_transaction: null,
		billing_details: { address: null, email: buyer.email, name: buyer.name, phone: null, tax_id: null },
		captured: true,
		created: now,
		currency: session.currency,
		customer: null,
		description: data.description ?? null,
		disputed: false,
		failure_balance_transaction: null,
		failure_code: null,
		failure_message: null,
		livemode: false,
		metadata: { ...data.metadata },
		on_behalf_of: null,
		outcome: settled ? { ...APPROVED } : null,
		paid: settled,
		payment_intent: intent.id,
		payment_method: intent.payment_method ?? "",
		payment_method_details: details(method, now),
		receipt_email: null,
		receipt_number: null,
		receipt_url: null,
		refunded: false,
		review: null,
		shipping: null,
		source_transfer: null,
		statement_descriptor: null,
		statement_descriptor_suffix: null,
		status: settled ? "succeeded" : "pending",
		transfer_data: null,
		transfer_group: intent.transfer_group,
	});
	intent.latest_charge = charge.id;
	if (settled) chargeLedger(store, charge, method);
	store.sessionMethods.set(id, method);
	session.status = "complete";
	session.payment_status = settled ? "paid" : "unpaid";
	session.payment_intent = intent.id;
	session.customer_details = {
		address: null,
		email: buyer.email,
		name: buyer.name,
		phone: null,
		tax_exempt: "none",
		tax_ids: [],
	};
	session.url = null;
	store.emit("checkout.session.completed", session);
	return session;
}

function chargeLedger(store: Store, charge: Charge, method: PaymentMethodType): void {
	const line = recordTransaction(store, {
		amount: charge.amount,
		currency: charge.currency,
		fee: processingFee(charge.amount, method),
		source: charge.id,
		type: method === "card" ? "charge" : "payment",
		reportingCategory: "charge",
		description: charge.description,
		availableAfterDays: method === "card" ? 2 : 4,
	});
	charge.balance_transaction = line.id;
}

/** The charge of a session paid by bank debit whose money has not arrived yet. */
function pendingBankCharge(store: Store, session: CheckoutSession): { intent: PaymentIntent; charge: Charge } {
	const intent = session.payment_intent
		? store.get(session.payment_intent, "payment_intent", "payment_intent")
		: undefined;
	if (intent?.status !== "processing" || !intent.latest_charge) {
		throw invalidRequest("This Checkout Session has no bank payment waiting to settle.", { param: "session" });
	}
	return { intent, charge: store.get(intent.latest_charge, "charge", "charge") };
}

/** The bank debit of a completed session settles: the money arrives, or the bank returns it. */
export function settleBankPayment(store: Store, id: string, outcome: "succeeded" | "failed"): CheckoutSession {
	const session = store.get(id, "checkout.session", "session");
	const { intent, charge } = pendingBankCharge(store, session);
	if (outcome === "succeeded") {
		intent.status = "succeeded";
		intent.amount_received = intent.amount;
		charge.status = "succeeded";
		charge.paid = true;
		charge.outcome = { ...APPROVED };
		chargeLedger(store, charge, "us_bank_account");
		session.payment_status = "paid";
		store.emit("checkout.session.async_payment_succeeded", session);
		return session;
	}
	const message = "The customer's bank account has insufficient funds to cover this payment.";
	intent.status = "requires_payment_method";
	intent.last_payment_error = {
		code: "insufficient_funds",
		message,
		payment_method_type: "us_bank_account",
		type: "card_error",
	};
	charge.status = "failed";
	charge.paid = false;
	charge.captured = false;
	charge.amount_captured = 0;
	charge.failure_code = "insufficient_funds";
	charge.failure_message = message;
	charge.outcome = {
		network_status: "declined_by_network",
		reason: "insufficient_funds",
		risk_level: "not_assessed",
		seller_message: "The bank returned the payment.",
		type: "issuer_declined",
	};
	store.emit("checkout.session.async_payment_failed", session);
	return session;
}

/** "The bank payment fails": an open session is paid by bank debit that then fails; a pending one fails. */
export function failBankPayment(store: Store, id: string): CheckoutSession {
	const session = store.get(id, "checkout.session", "session");
	if (session.status === "open") paySession(store, id, "us_bank_account");
	return settleBankPayment(store, id, "failed");
}
