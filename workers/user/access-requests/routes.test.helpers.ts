/**
 * Setup shared by the access-request route tests (routes.*.test.ts): stored tenants and listings,
 * signed calls into the user Worker, and asking for and deciding on access.
 * Named `*.test.helpers.ts` so no test glob runs it and the isolation scan treats it as test code.
 */
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { newId } from "../../../shared/encoding.ts";
import { listingInsert, tenantInsert } from "../../../test/support/listings.ts";
import {
	call as callUserWorkerAs,
	type Member,
	runStatements,
	type Statement,
} from "../../../test/support/user-worker.ts";

export type { Member };

export const bindings = env as unknown as UserEnv;
export const worker = (exports as unknown as { default: Fetcher }).default;

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

export const call = (method: string, path: string, caller: Member, body?: unknown) =>
	callUserWorkerAs(worker, bindings.TENANT_CONTEXT_SECRET, method, path, caller, body);

export const run = (statements: Statement[]) => runStatements(bindings.DB, statements);

/** A tenant of `role` with one user, stored, and unique to the calling test. */
export async function tenant(role: "seller" | "buyer" | "investor" | "admin"): Promise<Member> {
	const caller = { role, tenantId: newId(role), userId: newId("usr") };
	await run([tenantInsert(caller.tenantId, role)]);
	return caller;
}

export async function listing(seller: Member, status: ListingStatus = "active", ndaVersion = 1): Promise<string> {
	const id = newId("lst");
	await run([
		listingInsert({ id, seller_tenant_id: seller.tenantId, title: `Listing ${id}`, status }),
		{ sql: "UPDATE listings SET nda_version = ?, nda_text = 'Keep it secret.' WHERE id = ?", values: [ndaVersion, id] },
	]);
	return id;
}

export const ask = (buyer: Member, listingId: string, body: unknown = { accept_nda: true, nda_version: 1 }) =>
	call("POST", `/api/v1/listings/${listingId}/access-requests`, buyer, body);

export const decide = (seller: Member, id: string, decision: "approve" | "decline" | "revoke") =>
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
export async function pendingRequest(): Promise<{ seller: Member; buyer: Member; listingId: string; id: string }> {
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
