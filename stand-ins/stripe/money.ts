/**
 * Money leaving the platform after a charge: Transfers to a connected account (separate charges
 * and transfers, `source_transaction` = the charge), their reversals, refunds of a charge, and
 * disputes (opened and closed from the test API, as a card network would). Each refuses what
 * Stripe refuses — a destination whose `transfers` capability is not active, a source charge
 * that has not succeeded or has less left than asked, a refund above what is unrefunded or on a
 * charged-back charge — with Stripe's error shape, and sends the webhook Stripe sends:
 * `transfer.created`, `transfer.reversed`, `charge.refunded`, `charge.dispute.created` / `.closed`.
 */
import { formatMoney, invalidRequest } from "./errors.ts";
import { DISPUTE_FEE } from "./fees.ts";
import { newId } from "./ids.ts";
import { recordTransaction } from "./ledger.ts";
import type { Charge, Dispute, DisputeStatus, Refund, Transfer, TransferReversal } from "./objects.ts";
import type { Store } from "./store.ts";
import type { Params } from "./subset.ts";

function positive(value: unknown, param: string): number {
	if (typeof value !== "number" || value < 1) {
		throw invalidRequest("This value must be greater than or equal to 1.", { param });
	}
	return value;
}

function metadataOf(value: unknown): Record<string, string> {
	return typeof value === "object" && value !== null ? (value as Record<string, string>) : {};
}

export function disputeOf(store: Store, chargeId: string): Dispute | undefined {
	return store.all("dispute").find((dispute) => dispute.charge === chargeId);
}

/** What can still be transferred out of a charge: its amount less refunds, disputes and earlier transfers. */
export function transferableFrom(store: Store, charge: Charge): number {
	const transferred = store
		.all("transfer")
		.filter((transfer) => transfer.source_transaction === charge.id)
		.reduce((sum, transfer) => sum + transfer.amount - transfer.amount_reversed, 0);
	const dispute = disputeOf(store, charge.id);
	const withdrawn = dispute && dispute.status !== "won" ? dispute.amount : 0;
	return charge.amount - charge.amount_refunded - withdrawn - transferred;
}

/** The platform's balance: every ledger line so far, pending or not (the stand-in does not age funds). */
function platformBalance(store: Store, currency: string): number {
	return store
		.all("balance_transaction")
		.filter((line) => line.currency === currency)
		.reduce((sum, line) => sum + line.net, 0);
}

export function createTransfer(store: Store, params: Params): Transfer {
	const amount = positive(params.amount, "amount");
	const currency = params.currency as string;
	if (!/^[a-z]{3}$/.test(currency)) throw invalidRequest(`Invalid currency: ${currency}`, { param: "currency" });
	const destination = store.reference(params.destination as string, "account", "destination", "destination");
	if (destination.capabilities.transfers !== "active") {
		throw invalidRequest(
			"Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments",
			{ code: "insufficient_capabilities_for_transfer", param: "destination" },
		);
	}
	const sourceId = params.source_transaction as string | undefined;
	if (sourceId !== undefined) {
		const charge = store.reference(sourceId, "charge", "source_transaction", "charge");
		if (charge.status !== "succeeded") {
			throw invalidRequest(
				`The source_transaction charge ${charge.id} has not succeeded (its status is ${charge.status}); funds can only be transferred from a succeeded charge.`,
				{ param: "source_transaction" },
			);
		}
		if (charge.currency !== currency) {
			throw invalidRequest(
				`The currency of source_transaction's balance transaction (${charge.currency}) must be the same as the transfer currency (${currency}).`,
				{ param: "currency" },
			);
		}
		const available = transferableFrom(store, charge);
		if (amount > available) {
			throw invalidRequest(
				`The transfer amount (${formatMoney(amount, currency)}) is greater than the amount available from the source transaction ${charge.id} (${formatMoney(Math.max(available, 0), currency)}).`,
				{ code: "balance_insufficient", param: "amount" },
			);
		}
	} else if (amount > platformBalance(store, currency)) {
		throw invalidRequest("You have insufficient available funds in your Stripe account.", {
			code: "balance_insufficient",
			param: "amount",
		});
	}
	const id = newId("tr");
	const line = recordTransaction(store, {
		amount: -amount,
		currency,
		source: id,
		type: "transfer",
		reportingCategory: "transfer",
		availableAfterDays: 0,
	});
	const transfer = store.put<Transfer>({
		id,
		object: "transfer",
		amount,
		amount_reversed: 0,
		balance_transaction: line.id,
		created: store.now(),
		currency,
		description: (params.description as string | undefined) ?? null,
		destination: destination.id,
		destination_payment: newId("py"),
		livemode: false,
		metadata: metadataOf(params.metadata),
		reversals: { object: "list", data: [], has_more: false, total_count: 0, url: `/v1/transfers/${id}/reversals` },
		reversed: false,
		source_transaction: sourceId ?? null,
		source_type: "card",
		transfer_group: (params.transfer_group as string | undefined) ?? null,
	});
	store.emit("transfer.created", transfer);
	return transfer;
}

export function createReversal(store: Store, transferId: string, params: Params): TransferReversal {
	const transfer = store.get(transferId, "transfer", "id");
	const remaining = transfer.amount - transfer.amount_reversed;
	if (remaining === 0)
		throw invalidRequest(`Transfer ${transfer.id} has already been fully reversed.`, { param: "id" });
	const amount = params.amount === undefined ? remaining : positive(params.amount, "amount");
	if (amount > remaining) {
		throw invalidRequest(
			`You can't reverse more than the unreversed amount of the transfer (${formatMoney(remaining, transfer.currency)}).`,
			{ param: "amount" },
		);
	}
	const id = newId("trr");
	const line = recordTransaction(store, {
		amount,
		currency: transfer.currency,
		source: id,
		type: "transfer_refund",
		reportingCategory: "transfer_reversal",
		availableAfterDays: 0,
	});
	const reversal = store.put<TransferReversal>({
		id,
		object: "transfer_reversal",
		amount,
		balance_transaction: line.id,
		created: store.now(),
		currency: transfer.currency,
		destination_payment_refund: newId("pyr"),
		metadata: metadataOf(params.metadata),
		source_refund: null,
		transfer: transfer.id,
	});
	transfer.amount_reversed += amount;
	transfer.reversed = transfer.amount_reversed === transfer.amount;
	transfer.reversals.data.unshift(structuredClone(reversal));
	transfer.reversals.total_count += 1;
	store.emit("transfer.reversed", transfer);
	return reversal;
}

/** The charge a refund request names, by `charge` or by `payment_intent` (its latest charge). */
function chargeToRefund(store: Store, params: Params): Charge {
	const chargeId = params.charge as string | undefined;
	const intentId = params.payment_intent as string | undefined;
	if (chargeId === undefined && intentId === undefined) {
		throw invalidRequest("One of the following params should be provided for this request: payment_intent or charge.");
	}
	if (intentId !== undefined) {
		const intent = store.reference(intentId, "payment_intent", "payment_intent");
		const latest = intent.latest_charge ? store.find(intent.latest_charge) : undefined;
		if (latest?.object !== "charge" || latest.status !== "succeeded") {
			throw invalidRequest(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, {
				param: "payment_intent",
			});
		}
		if (chargeId !== undefined && chargeId !== latest.id) {
			throw invalidRequest(`The charge ${chargeId} does not belong to the PaymentIntent ${intent.id}.`, {
				param: "charge",
			});
		}
		return latest;
	}
	const charge = store.reference(chargeId as string, "charge", "charge");
	if (charge.status !== "succeeded") {
		throw invalidRequest(
			`Charge ${charge.id} has not succeeded (its status is ${charge.status}) and cannot be refunded.`,
			{
				param: "charge",
			},
		);
	}
	return charge;
}

export function createRefund(store: Store, params: Params): Refund {
	const charge = chargeToRefund(store, params);
	const dispute = disputeOf(store, charge.id);
	if (dispute && dispute.status !== "won") {
		throw invalidRequest("The charge you're attempting to refund has been charged back.", {
			code: "charge_disputed",
			param: "charge",
		});
	}
	const remaining = charge.amount - charge.amount_refunded;
	if (remaining === 0) {
		throw invalidRequest(`Charge ${charge.id} has already been refunded.`, {
			code: "charge_already_refunded",
			param: "charge",
		});
	}
	const amount = params.amount === undefined ? remaining : positive(params.amount, "amount");
	if (amount > remaining) {
		throw invalidRequest(
			`Refund amount (${formatMoney(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatMoney(remaining, charge.currency)})`,
			{ param: "amount" },
		);
	}
	const id = newId("re");
	const bank = charge.payment_method_details.type === "us_bank_account";
	const line = recordTransaction(store, {
		amount: -amount,
		currency: charge.currency,
		source: id,
		type: bank ? "payment_refund" : "refund",
		reportingCategory: "refund",
		availableAfterDays: 0,
	});
	const refund = store.put<Refund>({
		id,
		object: "refund",
		amount,
		balance_transaction: line.id,
		charge: charge.id,
		created: store.now(),
		currency: charge.currency,
		metadata: metadataOf(params.metadata),
		payment_intent: charge.payment_intent,
		reason: (params.reason as string | undefined) ?? null,
		receipt_number: null,
		source_transfer_reversal: null,
		status: "succeeded",
		transfer_reversal: null,
	});
	const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
	charge.amount_refunded += amount;
	charge.refunded = charge.amount_refunded === charge.amount;
	store.emit("charge.refunded", charge, { previous_attributes: previous });
	return refund;
}

export const DISPUTE_REASONS = [
	"bank_cannot_process",
	"credit_not_processed",
	"customer_initiated",
	"debit_not_authorized",
	"duplicate",
	"fraudulent",
	"general",
	"product_not_received",
	"product_unacceptable",
	"subscription_canceled",
	"unrecognized",
];

/** A card network opens a dispute on a PaymentIntent's charge: funds and the $15 fee are withdrawn. */
export function openDispute(
	store: Store,
	intentId: string,
	options: { reason?: string; amount?: number } = {},
): Dispute {
	const intent = store.get(intentId, "payment_intent", "payment_intent");
	const charge = intent.latest_charge ? store.find(intent.latest_charge) : undefined;
	if (charge?.object !== "charge" || charge.status !== "succeeded") {
		throw invalidRequest(`PaymentIntent ${intent.id} has no succeeded charge to dispute.`, { param: "payment_intent" });
	}
	if (disputeOf(store, charge.id))
		throw invalidRequest(`Charge ${charge.id} already has a dispute.`, { param: "payment_intent" });
	const reason = options.reason ?? "fraudulent";
	if (!DISPUTE_REASONS.includes(reason)) {
		throw invalidRequest(`Invalid reason: must be one of ${DISPUTE_REASONS.join(", ")}`, { param: "reason" });
	}
	const amount = options.amount ?? charge.amount - charge.amount_refunded;
	const id = newId("dp");
	const withdrawal = recordTransaction(store, {
		amount: -amount,
		currency: charge.currency,
		fee: DISPUTE_FEE,
		feeDescription: "Dispute fee",
		source: id,
		type: "adjustment",
		reportingCategory: "dispute",
		description: `Chargeback withdrawal for ${charge.id}`,
		availableAfterDays: 0,
	});
	charge.disputed = true;
	const dispute = store.put<Dispute>({
		id,
		object: "dispute",
		amount,
		balance_transactions: [structuredClone(withdrawal)],
		charge: charge.id,
		created: store.now(),
		currency: charge.currency,
		is_charge_refundable: false,
		livemode: false,
		metadata: {},
		payment_intent: intent.id,
		reason,
		status: "needs_response",
	});
	store.emit("charge.dispute.created", dispute);
	return dispute;
}

/** The network decides: `won` reinstates the funds, `lost` keeps them withdrawn. */
export function closeDispute(store: Store, id: string, status: Extract<DisputeStatus, "won" | "lost">): Dispute {
	const dispute = store.get(id, "dispute", "dispute");
	if (dispute.status === "won" || dispute.status === "lost") {
		throw invalidRequest(`Dispute ${dispute.id} is already closed (${dispute.status}).`, { param: "dispute" });
	}
	if (status === "won") {
		const reinstated = recordTransaction(store, {
			amount: dispute.amount,
			currency: dispute.currency,
			source: dispute.id,
			type: "adjustment",
			reportingCategory: "dispute_reversal",
			description: `Chargeback reversal for ${dispute.charge}`,
			availableAfterDays: 0,
		});
		dispute.balance_transactions.push(structuredClone(reinstated));
	}
	dispute.status = status;
	store.emit("charge.dispute.closed", dispute);
	return dispute;
}
