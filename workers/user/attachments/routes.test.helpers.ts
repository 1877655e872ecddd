/**
 * Setup shared by the attachment route tests (routes.*.test.ts): signed calls into the user
 * Worker, a fresh seller's listing with one caller of every kind, uploads and what R2 and D1 hold.
 * Named `*.test.helpers.ts` so no test glob runs it and the isolation scan treats it as test code.
 */
import { env, exports } from "cloudflare:workers";
import { Hono } from "hono";
import { expect } from "vitest";
import type { AttachmentCaps } from "../../../shared/data/attachments.ts";
import { newId, toHex } from "../../../shared/encoding.ts";
import { onProblem } from "../../../shared/http/problem.ts";
import { HEADER, type Role, signTenantContext, type TenantContext } from "../../../shared/tenant-context.ts";
import { listingInsert, tenantInsert } from "../../../test/support/listings.ts";
import { contextOf, runStatements, type Statement } from "../../../test/support/user-worker.ts";
import { requireTenantContext } from "../tenant-context.ts";
import type { UserHono } from "../types.ts";
import { attachmentRoutes } from "./routes.ts";

export const bindings = env as unknown as UserEnv;
const worker = (exports as unknown as { default: Fetcher }).default;

export const PDF = "application/pdf";
export const PNG = "image/png";
export const CSV = "text/csv";
export const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const MiB = 1024 * 1024;

export const pdf = (text = "pitch deck") => new TextEncoder().encode(`%PDF-1.7\n% ${text}\n%%EOF\n`);
export const png = () =>
	new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
export const sha256 = async (bytes: Uint8Array) => toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));

function caller(role: Role, tenantId: string | null, overrides: Partial<TenantContext> = {}): TenantContext {
	const userId = tenantId === null ? null : newId("usr");
	return contextOf({ role, tenantId, userId }, { client_ip: "203.0.113.9", ...overrides });
}

export async function call(
	method: string,
	path: string,
	context: TenantContext,
	init: { body?: BodyInit; type?: string; headers?: Record<string, string>; via?: Target } = {},
): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set(HEADER, await signTenantContext(context, bindings.TENANT_CONTEXT_SECRET));
	if (init.type !== undefined) headers.set("Content-Type", init.type);
	return (init.via ?? worker).fetch(`https://techflunky.com${path}`, { method, headers, body: init.body });
}

export interface Target {
	fetch(url: string, init: RequestInit): Promise<Response>;
}

/** The attachment routes alone, under `caps` and with `env` as the bindings: how a test injects small caps or a failing bucket. */
export function appWith(caps: AttachmentCaps, appEnv: UserEnv = bindings): Target {
	const app = new Hono<UserHono>().use(requireTenantContext).route("/", attachmentRoutes(caps)).onError(onProblem);
	return { fetch: async (url, init) => app.fetch(new Request(url, init), appEnv) };
}

export const run = (statements: Statement[]) => runStatements(bindings.DB, statements);

type RequestStatus = "pending" | "approved" | "declined" | "revoked";

function accessRequest(listingId: string, sellerId: string, buyerId: string, status: RequestStatus) {
	const at = new Date().toISOString();
	return {
		sql: `INSERT INTO access_requests (id, listing_id, buyer_tenant_id, seller_tenant_id, buyer_user_id, status,
		        nda_version, nda_accepted_at, created_at, updated_at)
		      VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
		values: [newId("acr"), listingId, buyerId, sellerId, newId("usr"), status, at, at, at],
	};
}

/** A fresh seller with one listing, and one of every other kind of caller; unique ids per test. */
export async function world(status: "draft" | "active" | "under_offer" | "sold" | "archived" = "active") {
	const seller = newId("seller");
	const otherSeller = newId("seller");
	const listingId = newId("lst");
	const otherListingId = newId("lst");
	const buyers = {
		approved: newId("buyer"),
		pending: newId("buyer"),
		declined: newId("buyer"),
		revoked: newId("buyer"),
		none: newId("investor"),
		approvedElsewhere: newId("buyer"),
	};
	await run([
		tenantInsert(seller, "seller"),
		tenantInsert(otherSeller, "seller"),
		...Object.entries(buyers).map(([, id]) => tenantInsert(id, id.startsWith("investor") ? "investor" : "buyer")),
		listingInsert({ id: listingId, seller_tenant_id: seller, title: "Acme SaaS", status }),
		listingInsert({ id: otherListingId, seller_tenant_id: seller, title: "Acme Two" }),
		accessRequest(listingId, seller, buyers.approved, "approved"),
		accessRequest(listingId, seller, buyers.pending, "pending"),
		accessRequest(listingId, seller, buyers.declined, "declined"),
		accessRequest(listingId, seller, buyers.revoked, "revoked"),
		accessRequest(otherListingId, seller, buyers.approvedElsewhere, "approved"),
	]);
	const admin = newId("admin");
	return {
		seller,
		listingId,
		otherListingId,
		base: `/api/v1/listings/${listingId}/attachments`,
		/** The R2 key the file's row names now (every upload gets a fresh one), or `null` without a row. */
		key: async (name: string) => {
			const row = await bindings.DB.prepare("SELECT r2_key FROM attachments WHERE listing_id = ? AND name = ?")
				.bind(listingId, name)
				.first<{ r2_key: string }>();
			return row?.r2_key ?? null;
		},
		/** The key scheme before versioned keys (still in older rows and the demo data). */
		legacyKey: (name: string) => `tenants/${seller}/listings/${listingId}/${name}`,
		owner: caller("seller", seller),
		otherSeller: caller("seller", otherSeller),
		admin: caller("admin", admin),
		adminActingForSeller: caller("admin", seller, { actor_tenant_id: admin }),
		approved: caller("buyer", buyers.approved),
		pending: caller("buyer", buyers.pending),
		declined: caller("buyer", buyers.declined),
		revoked: caller("buyer", buyers.revoked),
		noRequest: caller("investor", buyers.none),
		approvedElsewhere: caller("buyer", buyers.approvedElsewhere),
		guest: caller("guest", null),
	};
}

export type World = Awaited<ReturnType<typeof world>>;

export async function upload(
	w: World,
	name: string,
	body: Uint8Array = pdf(),
	type = PDF,
	via?: Target,
): Promise<Response> {
	return call("PUT", `${w.base}/${name}`, w.owner, { body, type, via });
}

/** A PDF of exactly `size` bytes (at least 8), its bytes tagged with `tag` so versions differ. */
export function sizedPdf(size: number, tag = 0): Uint8Array {
	const bytes = new Uint8Array(size).fill(0x20);
	bytes.set(new TextEncoder().encode("%PDF-1.7"));
	bytes[size - 1] = 0x30 + (tag % 10);
	return bytes;
}

export async function rowOf(w: World, name: string): Promise<Record<string, unknown> | null> {
	return bindings.DB.prepare("SELECT * FROM attachments WHERE listing_id = ? AND name = ?")
		.bind(w.listingId, name)
		.first();
}

export async function rowCount(w: World): Promise<number> {
	const row = await bindings.DB.prepare("SELECT COUNT(*) AS n FROM attachments WHERE listing_id = ?")
		.bind(w.listingId)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

export async function problemOf(res: Response): Promise<{ status: number; detail: string }> {
	expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	return (await res.json()) as { status: number; detail: string };
}

export async function stored(w: World): Promise<string[]> {
	const listed = await bindings.ATTACHMENTS.list({ prefix: `tenants/${w.seller}/listings/${w.listingId}/` });
	return listed.objects.map((object) => object.key);
}

export interface AttachmentView {
	name: string;
	content_type: string;
	size_bytes: number;
	sha256: string;
	created_at: string;
	updated_at: string;
}
