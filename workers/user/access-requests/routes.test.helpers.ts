/**
 * Setup shared by the access-request route tests (routes.*.test.ts): stored tenants and listings,
 * signed calls into the user Worker, and asking for and deciding on access.
 * Named `*.test.helpers.ts` so no test glob runs it and the isolation scan treats it as test code.
 */
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { newId } from "../../../shared/encoding.ts";
import { HEADER, type Role, signTenantContext, type TenantContext } from "../../../shared/tenant-context.ts";
import { listingInsert, tenantInsert } from "../../../test/support/listings.ts";
import { contextOf } from "../../../test/support/user-worker.ts";

export const bindings = env as unknown as UserEnv;
export const worker = (exports as unknown as { default: Fetcher }).default;

export interface Caller {
	role: Role;
	tenant: string;
	user: string;
}

export interface AccessRequest {
	id: string;
	listing_id: string;
	buyer_tenant_id: string;
	seller_tenant_id: string;
	status: string;
	message: string | null;
	nda_version: number;
	nda_accepted_at: string;
	decided_at: string | null;
	created_at: string;
	updated_at: string;
}

export interface Page {
	items: AccessRequest[];
	next_cursor: string | null;
}

type ListingStatus = "draft" | "active" | "under_offer" | "sold" | "archived";

export function context(caller: Caller): TenantContext {
	return contextOf({ role: caller.role, tenantId: caller.tenant, userId: caller.user }, { client_ip: "203.0.113.9" });
}

export async function call(method: string, path: string, caller: Caller, body?: unknown): Promise<Response> {
	const headers = new Headers({ [HEADER]: await signTenantContext(context(caller), bindings.TENANT_CONTEXT_SECRET) });
	const init: RequestInit = { method, headers };
	if (body !== undefined) {
		headers.set("Content-Type", "application/json");
		init.body = JSON.stringify(body);
	}
	return worker.fetch(`https://techflunky.com${path}`, init);
}

export async function run(statements: { sql: string; values: (string | number | null)[] }[]) {
	await bindings.DB.batch(statements.map(({ sql, values }) => bindings.DB.prepare(sql).bind(...values)));
}

/** A tenant of `role` with one user, stored, and unique to the calling test. */
export async function tenant(role: "seller" | "buyer" | "investor" | "admin"): Promise<Caller> {
	const caller = { role, tenant: newId(role), user: newId("usr") };
	await run([tenantInsert(caller.tenant, role)]);
	return caller;
}

export async function listing(seller: Caller, status: ListingStatus = "active", ndaVersion = 1): Promise<string> {
	const id = newId("lst");
	await run([
		listingInsert({ id, seller_tenant_id: seller.tenant, title: `Listing ${id}`, status }),
		{ sql: "UPDATE listings SET nda_version = ?, nda_text = 'Keep it secret.' WHERE id = ?", values: [ndaVersion, id] },
	]);
	return id;
}

export const ask = (buyer: Caller, listingId: string, body: unknown = { accept_nda: true, nda_version: 1 }) =>
	call("POST", `/api/v1/listings/${listingId}/access-requests`, buyer, body);

export const decide = (seller: Caller, id: string, decision: "approve" | "decline" | "revoke") =>
	call("POST", `/api/v1/access-requests/${id}/${decision}`, seller);

export async function requestsFor(listingId: string): Promise<{ status: string; buyer_user_id: string }[]> {
	const { results } = await bindings.DB.prepare(
		"SELECT status, buyer_user_id FROM access_requests WHERE listing_id = ?",
	)
		.bind(listingId)
		.all<{ status: string; buyer_user_id: string }>();
	return results;
}

/** A seller with an active listing and a buyer whose pending request for it exists. */
export async function pendingRequest(): Promise<{ seller: Caller; buyer: Caller; listingId: string; id: string }> {
	const seller = await tenant("seller");
	const buyer = await tenant("buyer");
	const listingId = await listing(seller);
	const res = await ask(buyer, listingId);
	expect(res.status).toBe(201);
	return { seller, buyer, listingId, id: ((await res.json()) as AccessRequest).id };
}

export async function problem(
	res: Response,
): Promise<{ status: number; detail: string; errors?: { field: string }[] }> {
	expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	return (await res.json()) as { status: number; detail: string; errors?: { field: string }[] };
}
