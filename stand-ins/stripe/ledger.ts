/**
 * Balance transactions: the ledger lines behind charges (with Stripe's processing fee), refunds,
 * transfers, reversals and disputes. Funds become available two days after a card charge and four
 * after a bank debit, as on a new US account; the stand-in's clock rarely gets there, so most
 * lines stay `pending`, which never blocks a transfer with `source_transaction`.
 */
import { newId } from "./ids.ts";
import type { BalanceTransaction } from "./objects.ts";
import type { Store } from "./store.ts";

const DAY = 86_400;

export interface LedgerLine {
	amount: number;
	currency: string;
	fee?: number;
	feeDescription?: string;
	source: string;
	type: string;
	reportingCategory: string;
	description?: string | null;
	availableAfterDays?: number;
}

export function recordTransaction(store: Store, line: LedgerLine): BalanceTransaction {
	const created = store.now();
	const fee = line.fee ?? 0;
	const availableOn = created + (line.availableAfterDays ?? 2) * DAY;
	return store.put<BalanceTransaction>({
		id: newId("txn"),
		object: "balance_transaction",
		amount: line.amount,
		available_on: availableOn,
		created,
		currency: line.currency,
		description: line.description ?? null,
		exchange_rate: null,
		fee,
		fee_details:
			fee === 0
				? []
				: [
						{
							amount: fee,
							application: null,
							currency: line.currency,
							description: line.feeDescription ?? "Stripe processing fees",
							type: "stripe_fee",
						},
					],
		net: line.amount - fee,
		reporting_category: line.reportingCategory,
		source: line.source,
		status: created >= availableOn ? "available" : "pending",
		type: line.type,
	});
}
