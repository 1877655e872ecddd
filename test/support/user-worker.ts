/**
 * Calling the user Worker the way the dispatch Worker does: a tenant context signed with the
 * shared secret, in the header the user Worker verifies. For the user project's workerd tests.
 */
import { newId } from "../../shared/encoding.ts";
import { HEADER, type Role, signTenantContext, type TenantContext } from "../../shared/tenant-context.ts";

export interface Caller {
	role: Role;
	tenantId: string | null;
	userId: string | null;
}

/** A fresh caller of `role` with its own tenant and user ids (a guest has neither). */
export function newCaller(role: Role): Caller {
	if (role === "guest") return { role, tenantId: null, userId: null };
	return { role, tenantId: newId(role), userId: newId("usr") };
}

export function contextOf(caller: Caller, overrides: Partial<TenantContext> = {}): TenantContext {
	return {
		request_id: crypto.randomUUID(),
		tenant_id: caller.tenantId,
		user_id: caller.userId,
		role: caller.role,
		actor_tenant_id: null,
		client_ip: "203.0.113.10",
		issued_at: Date.now(),
		...overrides,
	};
}

export async function callUserWorker(
	worker: Fetcher,
	secret: string,
	caller: Caller,
	path: string,
	init: RequestInit = {},
): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set(HEADER, await signTenantContext(contextOf(caller), secret));
	return worker.fetch(`https://techflunky.com${path}`, { ...init, headers });
}

export const jsonBody = (method: string, body: unknown): RequestInit => ({
	method,
	headers: { "Content-Type": "application/json" },
	body: JSON.stringify(body),
});
