/**
 * The `/v1` endpoints the platform calls, one handler per operation of the subset. Routing reads
 * the method and path from `openapi-subset.json`, so a path exists here only if the subset
 * declares it; the server has already authenticated, validated the parameters against the
 * subset and applied idempotency before a handler runs. A handler changes the store (which
 * queues any webhook) and returns what the endpoint answers, rendered with `expand[]`.
 */
import { createAccount, createAccountLink } from "./accounts.ts";
import { createSession, expireDue, expireSession } from "./checkout.ts";
import { createRefund, createReversal, createTransfer } from "./money.ts";
import type { Store } from "./store.ts";
import type { Operation, Params, Subset } from "./subset.ts";

export interface ApiCall {
	store: Store;
	params: Params;
	/** Path parameters by the names the subset's path uses (`{session}` → `session`). */
	path: Record<string, string>;
}

type Handler = (call: ApiCall, expand: string[]) => Record<string, unknown>;

const HANDLERS: Record<string, Handler> = {
	PostAccounts: ({ store, params }, expand) => store.render(createAccount(store, params), expand),
	GetAccountsAccount: ({ store, path }, expand) =>
		store.render(store.get(path.account ?? "", "account", "account"), expand),
	PostAccountLinks: ({ store, params }) => ({ ...createAccountLink(store, params) }),
	PostCheckoutSessions: ({ store, params }, expand) => store.render(createSession(store, params), expand),
	GetCheckoutSessionsSession: ({ store, path }, expand) => {
		expireDue(store);
		return store.render(store.get(path.session ?? "", "checkout.session", "session"), expand);
	},
	PostCheckoutSessionsSessionExpire: ({ store, path }, expand) => {
		expireDue(store);
		return store.render(expireSession(store, path.session ?? ""), expand);
	},
	GetPaymentIntentsIntent: ({ store, path }, expand) =>
		store.render(store.get(path.intent ?? "", "payment_intent", "intent"), expand),
	GetChargesCharge: ({ store, path }, expand) => store.render(store.get(path.charge ?? "", "charge", "charge"), expand),
	GetBalanceTransactionsId: ({ store, path }, expand) =>
		store.render(store.get(path.id ?? "", "balance_transaction", "id"), expand),
	PostTransfers: ({ store, params }, expand) => store.render(createTransfer(store, params), expand),
	PostTransfersIdReversals: ({ store, params, path }, expand) =>
		store.render(createReversal(store, path.id ?? "", params), expand),
	PostRefunds: ({ store, params }, expand) => store.render(createRefund(store, params), expand),
};

export interface RouteMatch {
	operationId: string;
	operation: Operation;
	path: Record<string, string>;
}

/** The subset operation for a method and path, with its path parameters. */
export function matchOperation(subset: Subset, method: string, pathname: string): RouteMatch | null {
	const segments = pathname.split("/");
	for (const [operationId, operation] of Object.entries(subset.operations)) {
		if (operation.method !== method) continue;
		const pattern = operation.path.split("/");
		if (pattern.length !== segments.length) continue;
		const path: Record<string, string> = {};
		const fits = pattern.every((part, index) => {
			const segment = segments[index] ?? "";
			if (part.startsWith("{") && part.endsWith("}")) {
				if (segment === "") return false;
				path[part.slice(1, -1)] = decodeURIComponent(segment);
				return true;
			}
			return part === segment;
		});
		if (fits) return { operationId, operation, path };
	}
	return null;
}

export function runOperation(operationId: string, call: ApiCall): Record<string, unknown> {
	const handler = HANDLERS[operationId];
	if (!handler) throw new Error(`the subset declares ${operationId} but the stand-in has no handler for it`);
	return handler(call, (call.params.expand as string[] | undefined) ?? []);
}

export const HANDLED_OPERATIONS = Object.keys(HANDLERS);
