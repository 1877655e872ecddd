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

/** A caller that belongs to a stored tenant: both ids are set. */
export interface Member extends Caller {
	tenantId: string;
	userId: string;
}

/** `method path` on the user Worker as `caller`, with `body` (when given) sent as JSON. */
export function call(
	worker: Fetcher,
	secret: string,
	method: string,
	path: string,
	caller: Caller,
	body?: unknown,
): Promise<Response> {
	return callUserWorker(worker, secret, caller, path, body === undefined ? { method } : jsonBody(method, body));
}

/** One SQL statement and its values, as the test/support/listings.ts inserts give them. */
export interface Statement {
	sql: string;
	values: (string | number | null)[];
}

/** Runs `statements` in one D1 batch. */
export async function runStatements(db: D1Database, statements: Statement[]): Promise<void> {
	await db.batch(statements.map(({ sql, values }) => db.prepare(sql).bind(...values)));
}
