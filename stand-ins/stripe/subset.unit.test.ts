import { readFileSync } from "node:fs";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { createAccount, createAccountLink, onboard } from "./accounts.ts";
import { HANDLED_OPERATIONS } from "./api.ts";
import { createSession, expireSession, failBankPayment, paySession, settleBankPayment } from "./checkout.ts";
import { invalidRequest, StripeApiError } from "./errors.ts";
import { encodeForm, parseForm } from "./form.ts";
import { closeDispute, createRefund, createReversal, createTransfer, openDispute } from "./money.ts";
import { CALL_OPERATIONS, platformCalls } from "./platform-calls.ts";
import { type EventDraft, Store } from "./store.ts";
import { type FieldSchema, fieldProblems, loadSubset, type ParamSchema, validateParams } from "./subset.ts";
import { buildEvent } from "./webhooks.ts";

const subset = loadSubset();
const VERSION = Stripe.API_VERSION;

function validate(operationId: string, body: string, version: string = VERSION) {
	const operation = subset.operations[operationId];
	if (!operation) throw new Error(`no operation ${operationId}`);
	return validateParams(operation, parseForm(body), version);
}

function refusal(run: () => unknown): StripeApiError {
	try {
		run();
	} catch (error) {
		if (error instanceof StripeApiError) return error;
		throw error;
	}
	throw new Error("expected a StripeApiError");
}

describe("request validation against the subset", () => {
	const session =
		"mode=payment&success_url=https://x.test/ok&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=5000&line_items[0][price_data][product_data][name]=Biz&line_items[0][quantity]=1";

	it("types what the form carries as strings", () => {
		expect(validate("PostCheckoutSessions", `${session}&expires_at=1900000000`)).toMatchObject({
			expires_at: 1_900_000_000,
			line_items: [{ price_data: { unit_amount: 5000 }, quantity: 1 }],
		});
		expect(validate("PostAccounts", "type=express&capabilities[transfers][requested]=true")).toEqual({
			type: "express",
			capabilities: { transfers: { requested: true } },
		});
	});

	it("refuses an unknown parameter, naming it as Stripe does", () => {
		const top = refusal(() => validate("PostAccounts", "type=express&x=1"));
		expect(top.toBody().error).toMatchObject({
			type: "invalid_request_error",
			code: "parameter_unknown",
			param: "x",
			message: "Received unknown parameter: x",
		});
		const nested = refusal(() => validate("PostCheckoutSessions", `${session}&line_items[0][price]=price_1`));
		expect(nested.param).toBe("line_items[0][price]");
		expect(nested.status).toBe(400);
	});

	it("refuses a missing required parameter", () => {
		expect(refusal(() => validate("PostTransfers", "currency=usd&destination=acct_1")).toBody().error).toMatchObject({
			code: "parameter_missing",
			param: "amount",
			message: "Missing required param: amount.",
		});
		const nested = refusal(() => validate("PostCheckoutSessions", session.replace("&line_items[0][quantity]=1", "")));
		expect(nested.param).toBe("line_items[0][quantity]");
	});

	it("refuses a malformed integer and a value outside an enum", () => {
		expect(refusal(() => validate("PostTransfers", "amount=12.5&currency=usd&destination=acct_1")).code).toBe(
			"parameter_invalid_integer",
		);
		const mode = refusal(() => validate("PostCheckoutSessions", session.replace("mode=payment", "mode=subscription")));
		expect(mode.param).toBe("mode");
		expect(mode.message).toBe("Invalid mode: must be one of payment");
	});

	it("takes a client_reference_id of up to 200 characters, as Stripe's description has it", () => {
		expect(validate("PostCheckoutSessions", `${session}&client_reference_id=pay_1`).client_reference_id).toBe("pay_1");
		const long = refusal(() => validate("PostCheckoutSessions", `${session}&client_reference_id=${"x".repeat(201)}`));
		expect(long.param).toBe("client_reference_id");
		expect(long.status).toBe(400);
	});

	it("lets metadata be unset with an empty string where Stripe does", () => {
		expect(validate("PostRefunds", "charge=ch_1&metadata=")).toEqual({ charge: "ch_1", metadata: "" });
		expect(refusal(() => validate("PostTransfers", "amount=1&currency=usd&destination=a&metadata=")).code).toBe(
			"parameter_invalid_empty",
		);
	});

	it("takes allowed_payment_method_types from API 2026-09-30 on, and payment_method_types only before", () => {
		const allowed = `${session}&allowed_payment_method_types[0]=us_bank_account`;
		const legacy = `${session}&payment_method_types[0]=card`;
		expect(validate("PostCheckoutSessions", allowed, VERSION).allowed_payment_method_types).toEqual([
			"us_bank_account",
		]);
		expect(refusal(() => validate("PostCheckoutSessions", legacy, VERSION)).param).toBe("payment_method_types");
		expect(validate("PostCheckoutSessions", legacy, "2026-07-29.dahlia").payment_method_types).toEqual(["card"]);
		expect(refusal(() => validate("PostCheckoutSessions", allowed, "2026-07-29.dahlia")).code).toBe(
			"parameter_unknown",
		);
	});
});

describe("the platform's calls", () => {
	const origin = "http://localhost:8787";
	const calls: Record<keyof typeof platformCalls, object> = {
		createAccount: platformCalls.createAccount("seller_1", "ada@seller.test"),
		createAccountLink: platformCalls.createAccountLink("acct_1", origin),
		createCheckoutSession: platformCalls.createCheckoutSession({
			paymentId: "pay_1",
			offerId: "off_1",
			listingTitle: "Invoicely",
			amountCents: 12_500_000,
			currency: "usd",
			buyerEmail: "barbara@buyer.test",
			origin,
			expiresAt: 1_900_000_000,
		}),
		retrieveSession: platformCalls.retrieveSession(),
		retrievePaymentIntent: platformCalls.retrievePaymentIntent(),
		retrieveCharge: platformCalls.retrieveCharge(),
		retrieveBalanceTransaction: platformCalls.retrieveBalanceTransaction(),
		createTransfer: platformCalls.createTransfer({
			amountCents: 11_500_000,
			currency: "usd",
			destination: "acct_1",
			paymentId: "pay_1",
			charge: "ch_1",
		}),
		createReversal: platformCalls.createReversal("pay_1", 100),
		createRefund: platformCalls.createRefund("pi_1", "pay_1", 500),
	};

	it.each(Object.entries(calls))("send only parameters the subset holds (%s)", (name, params) => {
		const operation = CALL_OPERATIONS[name as keyof typeof platformCalls];
		expect(() => validate(operation, encodeForm(params))).not.toThrow();
	});
});

/** Field names of an interface in the SDK's generated types: `["Charge"]`, `["Charge", "Outcome"]`, `["Checkout", "SessionCreateParams"]`. */
function sdkFields(file: string, path: string[]): Set<string> | null {
	const lines = readFileSync(new URL(`../../node_modules/stripe/esm/resources/${file}`, import.meta.url), "utf8").split(
		"\n",
	);
	const fieldsIn = (block: string[], indent: string) =>
		new Set(block.flatMap((line) => new RegExp(`^${indent}([a-z0-9_]+)\\??:`).exec(line)?.[1] ?? []));
	const find = (block: string[], depth: number): Set<string> | null => {
		const indent = "    ".repeat(depth);
		const name = path[depth] ?? "";
		const last = depth === path.length - 1;
		const opener = last ? new RegExp(`^${indent}(export )?interface ${name}( extends [^{]+)? \\{$`) : undefined;
		for (let i = 0; i < block.length; i++) {
			const line = block[i] ?? "";
			if (opener?.test(line)) return fieldsIn(bodyOf(block, i, indent), `${indent}    `);
			if (!last && (line === `${indent}namespace ${name} {` || line === `export declare namespace ${name} {`)) {
				const found = find(bodyOf(block, i, indent), depth + 1);
				if (found) return found;
			}
		}
		return null;
	};
	const bodyOf = (block: string[], from: number, indent: string) => {
		const end = block.findIndex((line, index) => index > from && line === `${indent}}`);
		return block.slice(from + 1, end);
	};
	return find(lines, 0);
}

const pascal = (name: string) => name.replace(/(^|_)([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());

const SDK_OBJECTS: Record<string, { file: string; type: string; namespace: string }> = {
	account: { file: "Accounts.d.ts", type: "Account", namespace: "Account" },
	account_link: { file: "AccountLinks.d.ts", type: "AccountLink", namespace: "AccountLink" },
	"checkout.session": { file: "Checkout/Sessions.d.ts", type: "Session", namespace: "Session" },
	payment_intent: { file: "PaymentIntents.d.ts", type: "PaymentIntent", namespace: "PaymentIntent" },
	charge: { file: "Charges.d.ts", type: "Charge", namespace: "Charge" },
	balance_transaction: {
		file: "BalanceTransactions.d.ts",
		type: "BalanceTransaction",
		namespace: "BalanceTransaction",
	},
	transfer: { file: "Transfers.d.ts", type: "Transfer", namespace: "Transfer" },
	transfer_reversal: { file: "TransferReversals.d.ts", type: "TransferReversal", namespace: "TransferReversal" },
	refund: { file: "Refunds.d.ts", type: "Refund", namespace: "Refund" },
	dispute: { file: "Disputes.d.ts", type: "Dispute", namespace: "Dispute" },
	event: { file: "Events.d.ts", type: "EventBase", namespace: "Event" },
};

const SDK_PARAMS: Record<string, { file: string; path: string[] }> = {
	PostAccounts: { file: "Accounts.d.ts", path: ["AccountCreateParams"] },
	GetAccountsAccount: { file: "Accounts.d.ts", path: ["AccountRetrieveParams"] },
	PostAccountLinks: { file: "AccountLinks.d.ts", path: ["AccountLinkCreateParams"] },
	PostCheckoutSessions: { file: "Checkout/Sessions.d.ts", path: ["Checkout", "SessionCreateParams"] },
	GetCheckoutSessionsSession: { file: "Checkout/Sessions.d.ts", path: ["Checkout", "SessionRetrieveParams"] },
	PostCheckoutSessionsSessionExpire: { file: "Checkout/Sessions.d.ts", path: ["Checkout", "SessionExpireParams"] },
	GetPaymentIntentsIntent: { file: "PaymentIntents.d.ts", path: ["PaymentIntentRetrieveParams"] },
	GetChargesCharge: { file: "Charges.d.ts", path: ["ChargeRetrieveParams"] },
	GetBalanceTransactionsId: { file: "BalanceTransactions.d.ts", path: ["BalanceTransactionRetrieveParams"] },
	PostTransfers: { file: "Transfers.d.ts", path: ["TransferCreateParams"] },
	PostTransfersIdReversals: { file: "Transfers.d.ts", path: ["TransferCreateReversalParams"] },
	PostRefunds: { file: "Refunds.d.ts", path: ["RefundCreateParams"] },
};

describe("the subset against the SDK's generated types", () => {
	it("has a handler for every operation and an operation for every handler", () => {
		expect([...HANDLED_OPERATIONS].sort()).toEqual(Object.keys(subset.operations).sort());
	});

	it("lists only parameters the SDK's parameter types know (but those removed in its API version)", () => {
		const missing: string[] = [];
		const walk = (file: string, path: string[], params: Record<string, ParamSchema>, where: string) => {
			const known = sdkFields(file, path);
			if (!known) return missing.push(`${where}: no SDK type ${path.join(".")}`);
			for (const [name, schema] of Object.entries(params)) {
				if (schema.until !== undefined) continue;
				if (!known.has(name)) missing.push(`${where}.${name}`);
				const nested = schema.type === "array" ? schema.items : schema;
				if (nested.type === "object" && nested.properties) {
					const child = schema.type === "array" ? pascal(name).replace(/s$/, "") : pascal(name);
					walk(file, [...path, child], nested.properties, `${where}.${name}`);
				}
			}
		};
		for (const [operationId, sdk] of Object.entries(SDK_PARAMS)) {
			walk(sdk.file, sdk.path, subset.operations[operationId]?.params ?? {}, operationId);
		}
		expect(missing).toEqual([]);
	});

	it("lists only object fields the SDK's object types know", () => {
		const missing: string[] = [];
		const unresolved: string[] = [];
		const walk = (
			file: string,
			type: string[],
			scope: string[],
			fields: Record<string, FieldSchema>,
			where: string,
		) => {
			const known = sdkFields(file, type);
			if (!known) return unresolved.push(where);
			for (const [name, field] of Object.entries(fields)) {
				if (!known.has(name)) missing.push(`${where}.${name}`);
				const nested = field.type === "array" ? field.items : field;
				if (nested?.fields && Object.keys(nested.fields).length > 0) {
					const child = [...scope, field.type === "array" ? pascal(name).replace(/s$/, "") : pascal(name)];
					walk(file, child, child, nested.fields, `${where}.${name}`);
				}
			}
		};
		for (const [name, sdk] of Object.entries(SDK_OBJECTS)) {
			const schema = subset.objects[name];
			if (!schema) throw new Error(`no subset object ${name}`);
			walk(sdk.file, [sdk.type], [sdk.namespace], schema.fields, name);
		}
		expect(missing).toEqual([]);
		// A list (`ApiList<…>`) has no interface of its own in the SDK.
		expect(unresolved).toEqual(["transfer.reversals"]);
	});
});

describe("what the stand-in returns", () => {
	function run(): { objects: Record<string, unknown>[]; events: Record<string, unknown>[] } {
		const drafts: EventDraft[] = [];
		let clock = Date.UTC(2026, 10, 1);
		const store = new Store({ clock: () => clock, subset, onEvent: (draft) => drafts.push(draft) });
		const account = createAccount(store, {
			type: "express",
			email: "ada@seller.test",
			country: "US",
			business_type: "individual",
			capabilities: { transfers: { requested: true }, card_payments: { requested: true } },
			metadata: { tenant: "seller_1" },
		});
		const link = createAccountLink(store, {
			account: account.id,
			type: "account_onboarding",
			refresh_url: "https://p.test/r",
			return_url: "https://p.test/ok",
		});
		onboard(store, account.id, "pending");
		onboard(store, account.id);
		const session = (methods: string[]) =>
			createSession(store, {
				mode: "payment",
				line_items: [
					{ price_data: { currency: "usd", unit_amount: 100_000, product_data: { name: "Biz" } }, quantity: 1 },
				],
				allowed_payment_method_types: methods,
				payment_intent_data: { transfer_group: "pay_1", metadata: { payment_id: "pay_1" } },
				client_reference_id: "pay_1",
				metadata: { payment_id: "pay_1" },
				customer_email: "buyer@buyer.test",
				success_url: "https://p.test/ok?cs={CHECKOUT_SESSION_ID}",
				cancel_url: "https://p.test/cancel",
			});
		const card = paySession(store, session(["card", "us_bank_account"]).id, "card");
		const bank = paySession(store, session(["us_bank_account"]).id, "us_bank_account");
		settleBankPayment(store, bank.id, "succeeded");
		failBankPayment(store, session(["us_bank_account"]).id);
		expireSession(store, session(["card"]).id);
		const intent = store.get(card.payment_intent ?? "", "payment_intent", "intent");
		const transfer = createTransfer(store, {
			amount: 50_000,
			currency: "usd",
			destination: account.id,
			source_transaction: intent.latest_charge,
			transfer_group: "pay_1",
			metadata: { payment_id: "pay_1" },
		});
		createReversal(store, transfer.id, { amount: 1000 });
		createReversal(store, transfer.id, {});
		createRefund(store, { payment_intent: intent.id, amount: 500, reason: "requested_by_customer", metadata: "" });
		const bankIntent = store.get(bank.payment_intent ?? "", "payment_intent", "intent");
		const dispute = openDispute(store, bankIntent.id);
		closeDispute(store, dispute.id, "won");
		clock += 60_000;
		const objects = [
			...store.all("account"),
			...store.all("checkout.session"),
			...store.all("payment_intent"),
			...store.all("charge"),
			...store.all("balance_transaction"),
			...store.all("transfer"),
			...store.all("transfer_reversal"),
			...store.all("refund"),
			...store.all("dispute"),
		].map((object) => store.render(object));
		objects.push({ ...link });
		const expanded = store.render(card, ["payment_intent.latest_charge.balance_transaction"]);
		const events = drafts.map(
			(draft) =>
				buildEvent(draft, {
					apiVersion: VERSION,
					created: store.now(),
					request: { id: null, idempotency_key: null },
				}) as unknown as Record<string, unknown>,
		);
		return { objects: [...objects, expanded], events };
	}

	it("fits the subset's objects field by field, in every state the flows reach", () => {
		const { objects } = run();
		const problems = objects.flatMap((object) => fieldProblems(subset, String(object.object), object));
		expect(problems).toEqual([]);
		const kinds = new Set(objects.map((object) => object.object));
		expect(kinds).toEqual(new Set(Object.keys(subset.objects).filter((name) => name !== "event" && name !== "error")));
	});

	it("sends events that fit the subset, objects included", () => {
		const { events } = run();
		expect(events.map((event) => event.type)).toEqual([
			"account.updated",
			"account.updated",
			"checkout.session.completed",
			"checkout.session.completed",
			"checkout.session.async_payment_succeeded",
			"checkout.session.completed",
			"checkout.session.async_payment_failed",
			"checkout.session.expired",
			"transfer.created",
			"transfer.reversed",
			"transfer.reversed",
			"charge.refunded",
			"charge.dispute.created",
			"charge.dispute.closed",
		]);
		expect(events.flatMap((event) => fieldProblems(subset, "event", event))).toEqual([]);
	});

	it("answers errors that fit the subset's error object", () => {
		const body = invalidRequest("Missing required param: amount.", {
			code: "parameter_missing",
			param: "amount",
		}).toBody();
		expect(fieldProblems(subset, "error", body)).toEqual([]);
	});
});
