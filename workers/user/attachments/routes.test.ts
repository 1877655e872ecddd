import { env, exports } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { accessMatrix } from "../../../shared/access/matrix.ts";
import { type ContractRoute, policyOf, responseSchema, routingPath } from "../../../shared/contract/policy.ts";
import { attachmentsRoutes, attachmentTypes } from "../../../shared/contract/routes/attachments.ts";
import { ATTACHMENT_CAPS, type AttachmentCaps } from "../../../shared/data/attachments.ts";
import { tenantData } from "../../../shared/data/index.ts";
import { newId, toHex } from "../../../shared/encoding.ts";
import { onProblem } from "../../../shared/http/problem.ts";
import { HEADER, type Role, signTenantContext, type TenantContext } from "../../../shared/tenant-context.ts";
import { listingInsert, tenantInsert } from "../../../test/support/listings.ts";
import { requireTenantContext } from "../tenant-context.ts";
import type { UserHono } from "../types.ts";
import { attachmentRoutes } from "./routes.ts";

const bindings = env as unknown as UserEnv;
const worker = (exports as unknown as { default: Fetcher }).default;

const PDF = "application/pdf";
const PNG = "image/png";
const CSV = "text/csv";
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MiB = 1024 * 1024;

const pdf = (text = "pitch deck") => new TextEncoder().encode(`%PDF-1.7\n% ${text}\n%%EOF\n`);
const png = () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const sha256 = async (bytes: Uint8Array) => toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));

function caller(role: Role, tenantId: string | null, overrides: Partial<TenantContext> = {}): TenantContext {
	return {
		request_id: crypto.randomUUID(),
		tenant_id: tenantId,
		user_id: tenantId === null ? null : newId("usr"),
		role,
		client_ip: "203.0.113.9",
		actor_tenant_id: null,
		issued_at: Date.now(),
		...overrides,
	};
}

async function call(
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

interface Target {
	fetch(url: string, init: RequestInit): Promise<Response>;
}

/** The attachment routes alone, under `caps` and with `env` as the bindings: how a test injects small caps or a failing bucket. */
function appWith(caps: AttachmentCaps, appEnv: UserEnv = bindings): Target {
	const app = new Hono<UserHono>().use(requireTenantContext).route("/", attachmentRoutes(caps)).onError(onProblem);
	return { fetch: async (url, init) => app.fetch(new Request(url, init), appEnv) };
}

async function run(statements: { sql: string; values: (string | number | null)[] }[]) {
	await bindings.DB.batch(statements.map(({ sql, values }) => bindings.DB.prepare(sql).bind(...values)));
}

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
async function world(status: "draft" | "active" | "under_offer" | "sold" | "archived" = "active") {
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

type World = Awaited<ReturnType<typeof world>>;

async function upload(w: World, name: string, body: Uint8Array = pdf(), type = PDF, via?: Target): Promise<Response> {
	return call("PUT", `${w.base}/${name}`, w.owner, { body, type, via });
}

/** A PDF of exactly `size` bytes (at least 8), its bytes tagged with `tag` so versions differ. */
function sizedPdf(size: number, tag = 0): Uint8Array {
	const bytes = new Uint8Array(size).fill(0x20);
	bytes.set(new TextEncoder().encode("%PDF-1.7"));
	bytes[size - 1] = 0x30 + (tag % 10);
	return bytes;
}

async function rowOf(w: World, name: string): Promise<Record<string, unknown> | null> {
	return bindings.DB.prepare("SELECT * FROM attachments WHERE listing_id = ? AND name = ?")
		.bind(w.listingId, name)
		.first();
}

async function rowCount(w: World): Promise<number> {
	const row = await bindings.DB.prepare("SELECT COUNT(*) AS n FROM attachments WHERE listing_id = ?")
		.bind(w.listingId)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

async function problemOf(res: Response): Promise<{ status: number; detail: string }> {
	expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	return (await res.json()) as { status: number; detail: string };
}

async function stored(w: World): Promise<string[]> {
	const listed = await bindings.ATTACHMENTS.list({ prefix: `tenants/${w.seller}/listings/${w.listingId}/` });
	return listed.objects.map((object) => object.key);
}

interface AttachmentView {
	name: string;
	content_type: string;
	size_bytes: number;
	sha256: string;
	created_at: string;
	updated_at: string;
}

describe("PUT /api/v1/listings/:id/attachments/:name", () => {
	it("stores the owner's upload with 201, then replaces it with 200", async () => {
		const w = await world();
		const first = pdf("version one");
		const created = await upload(w, "deck.pdf", first);
		expect(created.status).toBe(201);
		const one = (await created.json()) as AttachmentView;
		expect(one).toEqual({
			name: "deck.pdf",
			content_type: PDF,
			size_bytes: first.byteLength,
			sha256: await sha256(first),
			created_at: expect.any(String),
			updated_at: one.created_at,
		});

		const second = pdf("version two, which is longer");
		const replaced = await upload(w, "deck.pdf", second);
		expect(replaced.status).toBe(200);
		const two = (await replaced.json()) as AttachmentView;
		expect(two.created_at).toBe(one.created_at);
		expect(two.size_bytes).toBe(second.byteLength);
		expect(two.sha256).toBe(await sha256(second));

		const read = await call("GET", `${w.base}/deck.pdf`, w.owner);
		expect(new Uint8Array(await read.arrayBuffer())).toEqual(second);
	});

	it("stores the bytes in R2 under a key namespaced by seller tenant and listing", async () => {
		const w = await world();
		const other = await world();
		const mine = pdf("mine");
		const theirs = pdf("theirs");
		expect((await upload(w, "deck.pdf", mine)).status).toBe(201);
		expect((await upload(other, "deck.pdf", theirs)).status).toBe(201);

		const key = await w.key("deck.pdf");
		expect(key).toMatch(new RegExp(`^tenants/${w.seller}/listings/${w.listingId}/v_[0-9a-f]{32}/deck\\.pdf$`));
		const object = await bindings.ATTACHMENTS.get(key ?? "");
		expect(object?.httpMetadata?.contentType).toBe(PDF);
		expect(new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0))).toEqual(mine);
		expect(await bindings.ATTACHMENTS.head((await other.key("deck.pdf")) ?? "")).not.toBeNull();
		expect(await stored(w)).toEqual([key]);
	});

	it.each([
		["text/html", "deck.pdf"],
		["application/octet-stream", "deck.pdf"],
		["image/svg+xml", "logo.png"],
		["application/x-sh", "deck.pdf"],
	])("refuses Content-Type %s with 415 and stores nothing", async (type, name) => {
		const w = await world();
		const res = await upload(w, name, pdf(), type);
		expect(res.status).toBe(415);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
		expect(await stored(w)).toEqual([]);
	});

	it("refuses an upload without a Content-Type with 415", async () => {
		const w = await world();
		const res = await call("PUT", `${w.base}/deck.pdf`, w.owner, { body: new Blob([pdf()]).stream() });
		expect(res.status).toBe(415);
		expect(await stored(w)).toEqual([]);
	});

	it.each([
		["a PNG sent as a PDF", "deck.pdf", PDF, png()],
		["HTML sent as a PDF", "deck.pdf", PDF, new TextEncoder().encode("<html><script>alert(1)</script></html>")],
		["a PDF sent as a PNG", "logo.png", PNG, pdf()],
		["binary sent as CSV", "numbers.csv", CSV, new Uint8Array([0x61, 0x2c, 0x00, 0x62, 0x0a])],
		["a PDF sent as XLSX", "model.xlsx", XLSX, pdf()],
	])("refuses %s with 415 and stores nothing", async (_, name, type, body) => {
		const w = await world();
		const res = await upload(w, name, body, type);
		expect(res.status).toBe(415);
		expect(await stored(w)).toEqual([]);
	});

	it("accepts each allowed type whose bytes fit", async () => {
		const w = await world();
		const files: [string, string, Uint8Array][] = [
			["deck.pdf", PDF, pdf()],
			["logo.png", PNG, png()],
			["photo.jpeg", "image/jpeg", new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16])],
			["numbers.csv", "text/csv; charset=utf-8", new TextEncoder().encode("month,mrr\n2026-10,1200\n")],
			["model.xlsx", XLSX, new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0])],
		];
		for (const [name, type, body] of files) expect((await upload(w, name, body, type)).status, name).toBe(201);
		const csv = await bindings.ATTACHMENTS.head((await w.key("numbers.csv")) ?? "");
		expect(csv?.httpMetadata?.contentType).toBe(CSV);
	});

	it.each([
		["..%2F..%2Fx.pdf", PDF],
		["%2e%2e%2Fx.pdf", PDF],
		["deck%2Fx.pdf", PDF],
		["deck%5Cx.pdf", PDF],
		[".htaccess", PDF],
		[".deck.pdf", PDF],
		["-deck.pdf", PDF],
		["a%20b.pdf", PDF],
		["deck..pdf", PDF],
		["deck.pdf..", PDF],
		["deck.pdf%00", PDF],
		["deck", PDF],
		["deck.exe", PDF],
		["deck.png", PDF],
		["deck.pdf", PNG],
		["d%C3%A9ck.pdf", PDF],
		["deck%E2%80%A4pdf", PDF],
		["%EF%BD%84eck.pdf", PDF],
		[`${"a".repeat(97)}.pdf`, PDF],
	])("refuses the name %s (as %s) with 400 and stores nothing", async (name, type) => {
		const w = await world();
		const res = await upload(w, name, type === PNG ? png() : pdf(), type);
		expect(res.status).toBe(400);
		const body = (await res.json()) as { errors: { field: string }[] };
		expect(body.errors.map((error) => error.field)).toContain("name");
		expect(await stored(w)).toEqual([]);
		const listed = await bindings.ATTACHMENTS.list({ prefix: `tenants/${w.seller}/` });
		expect(listed.objects).toEqual([]);
	});

	it("accepts a name of exactly 100 characters", async () => {
		const w = await world();
		expect((await upload(w, `${"a".repeat(96)}.pdf`)).status).toBe(201);
	});

	it("refuses an empty body with 400", async () => {
		const w = await world();
		const res = await upload(w, "deck.pdf", new Uint8Array());
		expect(res.status).toBe(400);
		expect(await stored(w)).toEqual([]);
	});

	it("counts a body without a Content-Length and refuses it past 25 MiB with 413", async () => {
		const w = await world();
		const chunk = new Uint8Array(MiB);
		chunk.set(pdf());
		let sent = 0;
		const body = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (sent > 25 * MiB) return controller.close();
				const next = sent === 25 * MiB ? new Uint8Array(1) : chunk;
				sent += next.byteLength;
				controller.enqueue(next);
			},
		});
		const res = await call("PUT", `${w.base}/big.pdf`, w.owner, { body, type: PDF });
		expect(res.status).toBe(413);
		expect(await stored(w)).toEqual([]);
	});

	it("refuses a declared Content-Length over 25 MiB with 413 before reading the body", async () => {
		const w = await world();
		// The stream never ends: only a check of the declared length can answer.
		const body = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(pdf());
			},
		});
		const res = await call("PUT", `${w.base}/big.pdf`, w.owner, {
			body,
			type: PDF,
			headers: { "Content-Length": String(25 * MiB + 1) },
		});
		expect(res.status).toBe(413);
		expect(await stored(w)).toEqual([]);
	});

	it("answers 404 to another seller and stores nothing", async () => {
		const w = await world();
		const res = await call("PUT", `${w.base}/deck.pdf`, w.otherSeller, { body: pdf(), type: PDF });
		expect(res.status).toBe(404);
		expect(await stored(w)).toEqual([]);
		const theirs = await bindings.ATTACHMENTS.list({ prefix: `tenants/${w.otherSeller.tenant_id}/` });
		expect(theirs.objects).toEqual([]);
	});

	it.each([
		["an admin", "admin"],
		["an admin acting for the seller", "adminActingForSeller"],
		["an approved buyer", "approved"],
	] as const)("answers 404 to %s: only the owner writes", async (_, who) => {
		const w = await world();
		const res = await call("PUT", `${w.base}/deck.pdf`, w[who], { body: pdf(), type: PDF });
		expect(res.status).toBe(404);
		expect(await stored(w)).toEqual([]);
	});

	it("answers 404 for an unknown listing", async () => {
		const w = await world();
		const res = await call("PUT", `/api/v1/listings/${newId("lst")}/attachments/deck.pdf`, w.owner, {
			body: pdf(),
			type: PDF,
		});
		expect(res.status).toBe(404);
	});

	it.each(["archived", "sold"] as const)("refuses an upload to a %s listing with 409", async (status) => {
		const w = await world(status);
		const res = await upload(w, "deck.pdf");
		expect(res.status).toBe(409);
		expect(await stored(w)).toEqual([]);
	});

	it("deletes the R2 object when the row cannot be written", async () => {
		const w = await world();
		const trigger = `fail_${w.listingId}`;
		await bindings.DB.prepare(
			`CREATE TRIGGER ${trigger} BEFORE INSERT ON attachments WHEN NEW.listing_id = '${w.listingId}'
			 BEGIN SELECT RAISE(ABORT, 'simulated D1 failure'); END`,
		).run();
		try {
			const res = await upload(w, "deck.pdf");
			expect(res.status).toBe(500);
		} finally {
			await bindings.DB.prepare(`DROP TRIGGER ${trigger}`).run();
		}
		expect(await stored(w)).toEqual([]);
	});
});

describe("GET /api/v1/listings/:id/attachments/:name", () => {
	it.each([
		["the owner", "owner"],
		["an admin", "admin"],
		["an approved buyer", "approved"],
	] as const)("serves the file to %s as a download", async (_, who) => {
		const w = await world();
		const bytes = pdf("confidential financials");
		await upload(w, "financials.pdf", bytes);
		const res = await call("GET", `${w.base}/financials.pdf`, w[who]);
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toBe(PDF);
		expect(res.headers.get("Content-Length")).toBe(String(bytes.byteLength));
		expect(res.headers.get("Content-Disposition")).toBe('attachment; filename="financials.pdf"');
		expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
		expect(res.headers.get("Cache-Control")).toBe("private, no-store");
		expect(res.headers.get("ETag")).toBe(`"${await sha256(bytes)}"`);
		expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
	});

	it("serves an approved buyer while the listing is under offer or sold", async () => {
		for (const status of ["under_offer", "sold"] as const) {
			const w = await world();
			await upload(w, "deck.pdf");
			await bindings.DB.prepare("UPDATE listings SET status = ? WHERE id = ?").bind(status, w.listingId).run();
			expect((await call("GET", `${w.base}/deck.pdf`, w.approved)).status, status).toBe(200);
		}
	});

	it.each([
		["a buyer without a request", "noRequest"],
		["a buyer whose request is pending", "pending"],
		["a buyer whose request was declined", "declined"],
		["a buyer whose approval was revoked", "revoked"],
		["a buyer approved for another listing", "approvedElsewhere"],
		["another seller", "otherSeller"],
		["a guest", "guest"],
	] as const)("answers 404 to %s, for the file and the list", async (_, who) => {
		const w = await world();
		expect((await upload(w, "deck.pdf")).status).toBe(201);
		const file = await call("GET", `${w.base}/deck.pdf`, w[who]);
		expect(file.status).toBe(404);
		expect(file.headers.get("Content-Type")).toBe("application/problem+json");
		expect((await call("GET", w.base, w[who])).status).toBe(404);
	});

	it("answers 404 to an approved buyer once the listing is archived", async () => {
		const w = await world();
		await upload(w, "deck.pdf");
		await bindings.DB.prepare("UPDATE listings SET status = 'archived' WHERE id = ?").bind(w.listingId).run();
		expect((await call("GET", `${w.base}/deck.pdf`, w.approved)).status).toBe(404);
		expect((await call("GET", `${w.base}/deck.pdf`, w.owner)).status).toBe(200);
	});

	it("answers 404 for an unknown name and an unknown listing", async () => {
		const w = await world();
		await upload(w, "deck.pdf");
		expect((await call("GET", `${w.base}/other.pdf`, w.owner)).status).toBe(404);
		expect((await call("GET", `/api/v1/listings/${newId("lst")}/attachments/deck.pdf`, w.admin)).status).toBe(404);
	});

	it("answers 404 when the row has lost its R2 object", async () => {
		const w = await world();
		await upload(w, "deck.pdf");
		await bindings.ATTACHMENTS.delete((await w.key("deck.pdf")) ?? "");
		const res = await call("GET", `${w.base}/deck.pdf`, w.owner);
		expect(res.status).toBe(404);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	});

	it("answers 400 for a malformed listing id or name", async () => {
		const w = await world();
		expect((await call("GET", "/api/v1/listings/lst_nope/attachments/deck.pdf", w.owner)).status).toBe(400);
		expect((await call("GET", `${w.base}/..%2Fdeck.pdf`, w.owner)).status).toBe(400);
	});
});

describe("GET /api/v1/listings/:id/attachments", () => {
	it("lists the files by name to the owner, an admin and an approved buyer", async () => {
		const w = await world();
		const csv = new TextEncoder().encode("a,b\n1,2\n");
		await upload(w, "zeta.pdf");
		await upload(w, "alpha.csv", csv, CSV);
		await upload(w, "Mid.png", png(), PNG);
		for (const who of ["owner", "admin", "approved"] as const) {
			const res = await call("GET", w.base, w[who]);
			expect(res.status, who).toBe(200);
			const { items } = (await res.json()) as { items: AttachmentView[] };
			expect(items.map((item) => item.name)).toEqual(["Mid.png", "alpha.csv", "zeta.pdf"]);
			expect(items[1]).toEqual({
				name: "alpha.csv",
				content_type: CSV,
				size_bytes: csv.byteLength,
				sha256: await sha256(csv),
				created_at: expect.any(String),
				updated_at: expect.any(String),
			});
		}
	});

	it("lists only the listing's own files", async () => {
		const w = await world();
		await upload(w, "deck.pdf");
		await call("PUT", `/api/v1/listings/${w.otherListingId}/attachments/other.pdf`, w.owner, {
			body: pdf(),
			type: PDF,
		});
		const { items } = (await (await call("GET", w.base, w.owner)).json()) as { items: AttachmentView[] };
		expect(items.map((item) => item.name)).toEqual(["deck.pdf"]);
	});

	it("answers an empty list for a readable listing without files", async () => {
		const w = await world();
		const res = await call("GET", w.base, w.approved);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ items: [] });
	});
});

describe("DELETE /api/v1/listings/:id/attachments/:name", () => {
	it("deletes the owner's file: 204, then 404, the R2 object gone", async () => {
		const w = await world();
		await upload(w, "deck.pdf");
		await upload(w, "keep.pdf");
		const deck = (await w.key("deck.pdf")) ?? "";
		const res = await call("DELETE", `${w.base}/deck.pdf`, w.owner);
		expect(res.status).toBe(204);
		expect((await call("GET", `${w.base}/deck.pdf`, w.owner)).status).toBe(404);
		expect(await bindings.ATTACHMENTS.head(deck)).toBeNull();
		expect(await stored(w)).toEqual([await w.key("keep.pdf")]);
		const { items } = (await (await call("GET", w.base, w.owner)).json()) as { items: AttachmentView[] };
		expect(items.map((item) => item.name)).toEqual(["keep.pdf"]);
	});

	it("answers 404 for an unknown file", async () => {
		const w = await world();
		expect((await call("DELETE", `${w.base}/deck.pdf`, w.owner)).status).toBe(404);
	});

	it.each([
		["another seller", "otherSeller"],
		["an admin", "admin"],
		["an approved buyer", "approved"],
	] as const)("answers 404 to %s and keeps the file", async (_, who) => {
		const w = await world();
		await upload(w, "deck.pdf");
		expect((await call("DELETE", `${w.base}/deck.pdf`, w[who])).status).toBe(404);
		expect(await bindings.ATTACHMENTS.head((await w.key("deck.pdf")) ?? "")).not.toBeNull();
		expect((await call("GET", `${w.base}/deck.pdf`, w.owner)).status).toBe(200);
	});
});

describe("replacing a file", () => {
	it("switches the row to a fresh key and leaves exactly one object, the new one", async () => {
		const w = await world();
		const first = pdf("version one");
		const second = pdf("version two");
		await upload(w, "deck.pdf", first);
		const before = await w.key("deck.pdf");
		expect((await upload(w, "deck.pdf", second)).status).toBe(200);
		const after = await w.key("deck.pdf");
		expect(after).not.toBe(before);
		expect(await stored(w)).toEqual([after]);
		const read = await call("GET", `${w.base}/deck.pdf`, w.approved);
		expect(new Uint8Array(await read.arrayBuffer())).toEqual(second);
		expect(read.headers.get("ETag")).toBe(`"${await sha256(second)}"`);
	});

	it.each(["UPDATE", "INSERT"])(
		"keeps the old file served byte for byte, its row unchanged and no orphan, when the row switch fails (%s aborts)",
		async (event) => {
			const w = await world();
			const old = pdf("the original deck");
			expect((await upload(w, "deck.pdf", old)).status).toBe(201);
			const rowBefore = await rowOf(w, "deck.pdf");
			const objectsBefore = await stored(w);
			const trigger = `fail_${event.toLowerCase()}_${w.listingId}`;
			await bindings.DB.prepare(
				`CREATE TRIGGER ${trigger} BEFORE ${event} ON attachments WHEN NEW.listing_id = '${w.listingId}'
				 BEGIN SELECT RAISE(ABORT, 'simulated D1 failure'); END`,
			).run();
			try {
				const res = await upload(w, "deck.pdf", pdf("the replacement"));
				expect(res.status).toBe(500);
				expect(res.headers.get("Content-Type")).toBe("application/problem+json");
			} finally {
				await bindings.DB.prepare(`DROP TRIGGER ${trigger}`).run();
			}
			expect(await rowOf(w, "deck.pdf")).toEqual(rowBefore);
			expect(await stored(w)).toEqual(objectsBefore);
			const read = await call("GET", `${w.base}/deck.pdf`, w.owner);
			expect(read.status).toBe(200);
			expect(read.headers.get("ETag")).toBe(`"${await sha256(old)}"`);
			expect(new Uint8Array(await read.arrayBuffer())).toEqual(old);
		},
	);

	it("answers the replacement when the old object cannot be deleted, and serves the new file", async () => {
		const w = await world();
		await upload(w, "deck.pdf", pdf("old"));
		const oldKey = await w.key("deck.pdf");
		const bucket = bindings.ATTACHMENTS;
		const failingDeletes = new Proxy(bucket, {
			get(target, property) {
				if (property === "delete") return () => Promise.reject(new Error("simulated R2 failure"));
				const value = Reflect.get(target, property);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
		const via = appWith(ATTACHMENT_CAPS, { ...bindings, ATTACHMENTS: failingDeletes });
		const fresh = pdf("new");
		expect((await upload(w, "deck.pdf", fresh, PDF, via)).status).toBe(200);
		const newKey = await w.key("deck.pdf");
		expect(newKey).not.toBe(oldKey);
		const read = await call("GET", `${w.base}/deck.pdf`, w.owner);
		expect(new Uint8Array(await read.arrayBuffer())).toEqual(fresh);
		// The old version is left behind, named by no row: invisible, and logged for a sweep.
		expect((await stored(w)).sort()).toEqual([oldKey, newKey].sort());
	});

	it("serves, replaces and deletes a file stored under the legacy key", async () => {
		const w = await world();
		const legacy = pdf("seeded before versioned keys");
		const at = new Date().toISOString();
		await bindings.ATTACHMENTS.put(w.legacyKey("old.pdf"), legacy, { httpMetadata: { contentType: PDF } });
		await bindings.ATTACHMENTS.put(w.legacyKey("deck.pdf"), legacy, { httpMetadata: { contentType: PDF } });
		await run(
			["old.pdf", "deck.pdf"].map((name) => ({
				sql: `INSERT INTO attachments (listing_id, name, seller_tenant_id, r2_key, content_type, size_bytes, sha256,
				        created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				values: [w.listingId, name, w.seller, w.legacyKey(name), PDF, legacy.byteLength, "0".repeat(64), at, at],
			})),
		);
		const read = await call("GET", `${w.base}/old.pdf`, w.approved);
		expect(new Uint8Array(await read.arrayBuffer())).toEqual(legacy);

		const fresh = pdf("replaced");
		expect((await upload(w, "deck.pdf", fresh)).status).toBe(200);
		expect(await bindings.ATTACHMENTS.head(w.legacyKey("deck.pdf"))).toBeNull();
		expect(new Uint8Array(await (await call("GET", `${w.base}/deck.pdf`, w.owner)).arrayBuffer())).toEqual(fresh);

		expect((await call("DELETE", `${w.base}/old.pdf`, w.owner)).status).toBe(204);
		expect(await bindings.ATTACHMENTS.head(w.legacyKey("old.pdf"))).toBeNull();
		expect(await stored(w)).toEqual([await w.key("deck.pdf")]);
	});
});

describe("attachment caps", () => {
	/** Small caps so each one is reached with a few bytes; the production numbers are tested below. */
	const caps: AttachmentCaps = { maxFiles: 3, maxFileBytes: 64, maxListingBytes: 100 };
	const small = appWith(caps);
	const put = (w: World, name: string, size: number, tag = 0) => upload(w, name, sizedPdf(size, tag), PDF, small);

	it("refuses a file over the per-file cap with 413 naming it, and changes nothing", async () => {
		const w = await world();
		const res = await put(w, "deck.pdf", 65);
		expect(res.status).toBe(413);
		expect((await problemOf(res)).detail).toBe("A file may be at most 64 bytes.");
		expect(await stored(w)).toEqual([]);
		expect(await rowCount(w)).toBe(0);
	});

	it("refuses a file past the file count with 409 naming the cap, and changes nothing", async () => {
		const w = await world();
		for (const name of ["a.pdf", "b.pdf", "c.pdf"]) expect((await put(w, name, 10)).status).toBe(201);
		const before = (await stored(w)).sort();
		const res = await put(w, "d.pdf", 10);
		expect(res.status).toBe(409);
		expect((await problemOf(res)).detail).toMatch(/^A listing holds at most 3 files and this one has 3;/);
		expect((await stored(w)).sort()).toEqual(before);
		expect(await rowCount(w)).toBe(3);
		expect(await rowOf(w, "d.pdf")).toBeNull();
	});

	it("does not count a replacement as an extra file", async () => {
		const w = await world();
		for (const name of ["a.pdf", "b.pdf", "c.pdf"]) await put(w, name, 10);
		const res = await put(w, "b.pdf", 12, 1);
		expect(res.status).toBe(200);
		expect(await rowCount(w)).toBe(3);
		expect(await stored(w)).toHaveLength(3);
	});

	it("refuses a file that takes the listing past its total with 413 naming the cap, and changes nothing", async () => {
		const w = await world();
		await put(w, "a.pdf", 40);
		await put(w, "b.pdf", 40);
		const before = (await stored(w)).sort();
		const res = await put(w, "c.pdf", 21);
		expect(res.status).toBe(413);
		expect((await problemOf(res)).detail).toBe(
			"A listing's files may total at most 100 bytes; its other files take 80 bytes and this one is 21.",
		);
		expect((await stored(w)).sort()).toEqual(before);
		expect(await rowOf(w, "c.pdf")).toBeNull();
		expect((await put(w, "c.pdf", 20)).status).toBe(201);
	});

	it("counts a replacement's new size instead of its old one", async () => {
		const w = await world();
		await put(w, "a.pdf", 40);
		await put(w, "b.pdf", 50);
		expect((await put(w, "b.pdf", 60, 1)).status).toBe(200);
		const kept = sizedPdf(60, 1);
		const res = await put(w, "b.pdf", 61, 2);
		expect(res.status).toBe(413);
		expect((await problemOf(res)).detail).toContain("its other files take 40 bytes and this one is 61");
		const read = await call("GET", `${w.base}/b.pdf`, w.owner);
		expect(new Uint8Array(await read.arrayBuffer())).toEqual(kept);
		expect(await stored(w)).toHaveLength(2);
	});

	it("admits no more than the caps allow when uploads race", async () => {
		const w = await world();
		await put(w, "a.pdf", 10);
		const results = await Promise.all(["b", "c", "d", "e", "f", "g"].map((name) => put(w, `${name}.pdf`, 10)));
		const statuses = results.map((res) => res.status).sort();
		expect(statuses).toEqual([201, 201, 409, 409, 409, 409]);
		expect(await rowCount(w)).toBe(3);
		expect(await stored(w)).toHaveLength(3);
	});

	it("refuses an over-cap write in the statement itself, whatever the handler checked before", async () => {
		const w = await world();
		for (const name of ["a.pdf", "b.pdf", "c.pdf"]) await put(w, name, 30);
		const data = tenantData(bindings.DB, w.owner);
		const file = { content_type: PDF, size_bytes: 10, sha256: "0".repeat(64) };
		const at = new Date().toISOString();
		const key = (name: string) => data.attachments.newKey(w.listingId, name) ?? "";
		expect(await data.attachments.upsert(w.listingId, "d.pdf", key("d.pdf"), file, at, caps)).toEqual({
			status: "over_cap",
			refusal: { cap: "files", limit: 3, files: 3 },
		});
		expect(
			await data.attachments.upsert(w.listingId, "c.pdf", key("c.pdf"), { ...file, size_bytes: 41 }, at, caps),
		).toEqual({ status: "over_cap", refusal: { cap: "listing_bytes", limit: 100, bytes: 60, size: 41 } });
		expect(await rowCount(w)).toBe(3);
		expect((await rowOf(w, "c.pdf"))?.size_bytes).toBe(30);
	});

	describe("with the production caps", () => {
		it("accepts a file of exactly 25 MiB", async () => {
			const w = await world();
			const res = await upload(w, "big.pdf", sizedPdf(25 * MiB));
			expect(res.status).toBe(201);
			expect(((await res.json()) as AttachmentView).size_bytes).toBe(25 * MiB);
		});

		it("names the 25 MiB cap when a file is larger", async () => {
			const w = await world();
			const res = await upload(w, "big.pdf", sizedPdf(25 * MiB + 1));
			expect(res.status).toBe(413);
			expect((await problemOf(res)).detail).toBe("A file may be at most 25 MiB (26214400 bytes).");
		});

		it("refuses a 21st file with 409", async () => {
			const w = await world();
			for (let i = 0; i < 20; i++) expect((await upload(w, `f${i}.pdf`)).status).toBe(201);
			const res = await upload(w, "f20.pdf");
			expect(res.status).toBe(409);
			expect((await problemOf(res)).detail).toMatch(/^A listing holds at most 20 files/);
			expect(await stored(w)).toHaveLength(20);
		});

		it("refuses a file that takes the listing past 100 MiB with 413", async () => {
			const w = await world();
			// Rows alone stand in for 99 MiB of files already held: the cap reads the rows.
			const at = new Date().toISOString();
			await run(
				[0, 1, 2, 3].map((i) => ({
					sql: `INSERT INTO attachments (listing_id, name, seller_tenant_id, r2_key, content_type, size_bytes, sha256,
					        created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					values: [
						w.listingId,
						`held${i}.pdf`,
						w.seller,
						`${w.legacyKey(`held${i}.pdf`)}`,
						PDF,
						i < 3 ? 25 * MiB : 24 * MiB,
						"0".repeat(64),
						at,
						at,
					],
				})),
			);
			const res = await upload(w, "more.pdf", sizedPdf(MiB + 1));
			expect(res.status).toBe(413);
			expect((await problemOf(res)).detail).toMatch(
				/^A listing's files may total at most 100 MiB \(104857600 bytes\);/,
			);
			expect(await stored(w)).toEqual([]);
			expect((await upload(w, "more.pdf", sizedPdf(MiB))).status).toBe(201);
		});
	});
});

describe("the attachment routes' contract", () => {
	const { listAttachments, putAttachment, getAttachment, deleteAttachment } = attachmentsRoutes;

	/** Asserts `res` is an answer `route` declares: a JSON body of the declared schema, or a declared media type. */
	async function declared(route: ContractRoute, res: Response): Promise<unknown> {
		expect(Object.keys(route.responses), `${route.operationId} declares ${res.status}`).toContain(String(res.status));
		const response = route.responses[res.status] as { content?: Record<string, unknown> };
		const schema = responseSchema(route, res.status);
		if (schema) {
			const body = await res.json();
			expect(schema.safeParse(body).error?.issues ?? [], `${route.operationId} ${res.status}`).toEqual([]);
			return body;
		}
		const type = res.headers.get("Content-Type");
		if (response.content) expect(Object.keys(response.content)).toContain(type);
		else expect(await res.text()).toBe("");
		return null;
	}

	it("declares each route's policy as the access matrix has it", () => {
		for (const route of Object.values(attachmentsRoutes)) {
			const rule = accessMatrix.find(
				(candidate) => candidate.method === route.method.toUpperCase() && candidate.path === routingPath(route),
			);
			expect(rule, `${route.method} ${route.path}`).toBeDefined();
			expect(policyOf(route).allow).toEqual(rule?.allow);
			expect(policyOf(route).note).toBe(rule?.note);
		}
		expect(policyOf(putAttachment).body).toBe("upload");
	});

	it("declares the upload body as each allowed media type, and the download as the same types", () => {
		const body = putAttachment.request.body.content;
		expect(Object.keys(body).sort()).toEqual([...attachmentTypes].sort());
		expect(Object.keys(getAttachment.responses[200].content).sort()).toEqual([...attachmentTypes].sort());
	});

	it("answers uploads with bodies of the declared schema and a Location", async () => {
		const w = await world();
		const created = await upload(w, "deck.pdf");
		expect(created.headers.get("Location")).toBe(`${w.base}/deck.pdf`);
		await declared(putAttachment, created);
		const replaced = await upload(w, "deck.pdf", pdf("again"));
		expect(replaced.status).toBe(200);
		await declared(putAttachment, replaced);
		await declared(putAttachment, await upload(w, "deck.pdf", png(), PNG));
		await declared(putAttachment, await upload(w, "logo.png", pdf(), PNG));
		await declared(putAttachment, await upload(w, "deck.pdf", new Uint8Array()));
		await declared(
			putAttachment,
			await upload(w, "deck.pdf", sizedPdf(65), PDF, appWith({ ...ATTACHMENT_CAPS, maxFileBytes: 64 })),
		);
		await declared(putAttachment, await call("PUT", `${w.base}/deck.pdf`, w.otherSeller, { body: pdf(), type: PDF }));
	});

	it("leaves an upload's media type to the handler: JSON and no type are its own 415", async () => {
		const w = await world();
		for (const type of ["application/json", "application/x-www-form-urlencoded", undefined]) {
			const res = await call("PUT", `${w.base}/deck.pdf`, w.owner, { body: pdf(), type });
			expect(res.status, type).toBe(415);
			expect(((await declared(putAttachment, res)) as { detail: string }).detail).toBe(
				"Send a PDF, PNG, JPEG, CSV or XLSX file.",
			);
		}
		expect(await stored(w)).toEqual([]);
	});

	it("answers reads and deletes as declared", async () => {
		const w = await world();
		await upload(w, "deck.pdf");
		await upload(w, "numbers.csv", new TextEncoder().encode("a,b\n1,2\n"), "text/csv; charset=utf-8");
		const list = await declared(listAttachments, await call("GET", w.base, w.approved));
		expect((list as { items: AttachmentView[] }).items.map((item) => item.content_type)).toEqual([PDF, CSV]);
		await declared(listAttachments, await call("GET", w.base, w.pending));
		await declared(listAttachments, await call("GET", "/api/v1/listings/lst_nope/attachments", w.owner));
		await declared(getAttachment, await call("GET", `${w.base}/deck.pdf`, w.admin));
		await declared(getAttachment, await call("GET", `${w.base}/numbers.csv`, w.owner));
		await declared(getAttachment, await call("GET", `${w.base}/deck.pdf`, w.guest));
		await declared(getAttachment, await call("GET", `${w.base}/..%2Fdeck.pdf`, w.owner));
		const deleted = await call("DELETE", `${w.base}/deck.pdf`, w.owner);
		expect(deleted.status).toBe(204);
		await declared(deleteAttachment, deleted);
		await declared(deleteAttachment, await call("DELETE", `${w.base}/deck.pdf`, w.owner));
	});
});
