/**
 * Setup shared by the listing route tests (contract, lifecycle, conditional): callers stored as
 * tenants, and signed calls into the user Worker.
 * Named `*.test.helpers.ts` so no test glob runs it and the isolation scan treats it as test code.
 */
import { env, exports } from "cloudflare:workers";
import type { Role } from "../../../shared/tenant-context.ts";
import { tenantInsert } from "../../../test/support/listings.ts";
import { type Caller, callUserWorker, newCaller } from "../../../test/support/user-worker.ts";

export const bindings = env as unknown as UserEnv;
export const worker = (exports as unknown as { default: Fetcher }).default;

/** A fresh caller of `role`, its tenant stored (a guest has none). */
export async function callerOf(role: Role): Promise<Caller> {
	const caller = newCaller(role);
	if (caller.tenantId) {
		const tenant = tenantInsert(caller.tenantId, role);
		await bindings.DB.prepare(tenant.sql)
			.bind(...tenant.values)
			.run();
	}
	return caller;
}

export const call = (caller: Caller, path: string, init?: RequestInit) =>
	callUserWorker(worker, bindings.TENANT_CONTEXT_SECRET, caller, path, init);
