import { createHash, randomBytes } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import { crc32, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decryptField, importEncryptionKey } from "../shared/crypto/aes-gcm.ts";
import { migratedDatabase } from "../test/topology/seed.ts";
import { attachmentType, extensionFits, looksLike } from "../workers/user/attachments/sniff.ts";
import { type DemoData, demoData, demoGuide, demoListingId } from "./demo-data.ts";

const secrets = { pepper: "test-pepper", encryptionKey: randomBytes(32).toString("base64") };
const now = new Date("2026-11-26T12:00:00.000Z");
const demo = await demoData(secrets, now);

const TABLES = ["tenants", "users", "listings", "access_requests", "attachments"] as const;
const dump = (db: DatabaseSync) =>
	Object.fromEntries(TABLES.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()]));

function seeded(data: DemoData = demo): DatabaseSync {
	const db = migratedDatabase();
	db.exec(data.sql);
	return db;
}

const CONFIDENTIAL_KEYS = ["legal_name", "website_url", "financials", "notes"];

interface ListingRow {
	id: string;
	seller_tenant_id: string;
	status: string;
	published_at: string | null;
	confidential: string | null;
	nda_text: string;
	nda_version: number;
}

describe("demoData", () => {
	it("loads into the migrated schema, and loading it again a day later changes nothing", async () => {
		const db = seeded();
		const first = dump(db);
		db.exec((await demoData(secrets, new Date(now.getTime() + 86_400_000))).sql);
		expect(dump(db)).toEqual(first);
	});

	it("gives every demo user a verified address, also one seeded before addresses were verified", () => {
		const db = seeded();
		db.exec("UPDATE users SET email_verified_at = NULL");
		db.exec(demo.sql);
		const rows = db.prepare("SELECT email_verified_at, created_at FROM users").all();
		expect(rows.length).toBeGreaterThan(0);
		for (const row of rows) expect(row.email_verified_at).toBe(row.created_at);
	});

	it("has six active listings and a draft, each with an NDA and confidential details bound to it", async () => {
		const rows = seeded().prepare("SELECT * FROM listings").all() as unknown as ListingRow[];
		expect(rows.filter((row) => row.status === "active")).toHaveLength(6);
		expect(rows.filter((row) => row.status === "draft")).toHaveLength(1);
		const key = await importEncryptionKey(secrets.encryptionKey);
		for (const row of rows) {
			expect(row.nda_version).toBe(1);
			expect(row.nda_text.length).toBeGreaterThan(100);
			const binding = { tenantId: row.seller_tenant_id, recordId: row.id, field: "confidential" };
			// The user Worker's confidentialSchema: these keys only, non-empty text, an http(s) URL.
			const details = JSON.parse(await decryptField(key, row.confidential ?? "", binding)) as Record<string, string>;
			expect(Object.keys(details).every((name) => CONFIDENTIAL_KEYS.includes(name))).toBe(true);
			expect(details.legal_name?.trim()).toBeTruthy();
			expect(details.financials?.trim()).toBeTruthy();
			expect(new URL(details.website_url ?? "").protocol).toBe("https:");
			await expect(decryptField(key, row.confidential ?? "", { ...binding, recordId: "lst_other" })).rejects.toThrow();
		}
	});

	it("fills in the NDA and confidential details of a listing seeded before they existed, once", async () => {
		const db = seeded();
		const invoicely = demoListingId("invoicely");
		const plantpal = demoListingId("plantpal");
		db.prepare("UPDATE listings SET confidential = NULL, nda_text = '' WHERE id IN (?, ?)").run(invoicely, plantpal);
		db.prepare("UPDATE listings SET nda_text = 'The seller''s own NDA' WHERE id = ?").run(plantpal);
		db.exec(demo.sql);
		const row = (id: string) => db.prepare("SELECT * FROM listings WHERE id = ?").get(id) as unknown as ListingRow;
		expect(row(invoicely).confidential).toMatch(/^v1\./);
		expect(row(invoicely).nda_text).not.toBe("");
		expect(row(plantpal)).toMatchObject({ confidential: null, nda_text: "The seller's own NDA" });
	});

	it("has access requests in every state, each on its listing's NDA after it was published", () => {
		const db = seeded();
		const requests = db
			.prepare(
				`SELECT r.*, l.seller_tenant_id AS listing_seller, l.published_at, l.nda_version AS listing_nda,
				        u.tenant_id AS user_tenant, t.kind AS buyer_kind
				 FROM access_requests r JOIN listings l ON l.id = r.listing_id
				 JOIN users u ON u.id = r.buyer_user_id JOIN tenants t ON t.id = r.buyer_tenant_id`,
			)
			.all() as unknown as Record<string, string | number | null>[];
		expect(new Set(requests.map((r) => r.status))).toEqual(new Set(["pending", "approved", "declined", "revoked"]));
		for (const r of requests) {
			expect(r.id).toMatch(/^acr_[0-9a-f]{32}$/);
			expect(r.seller_tenant_id).toBe(r.listing_seller);
			expect(r.buyer_tenant_id).toBe(r.user_tenant);
			expect(["buyer", "investor"]).toContain(r.buyer_kind);
			expect(r.nda_version).toBe(r.listing_nda);
			expect(String(r.nda_accepted_at) > String(r.published_at)).toBe(true);
			expect(r.decided_at === null).toBe(r.status === "pending");
			if (r.decided_at !== null) expect(String(r.decided_at) > String(r.created_at)).toBe(true);
		}
	});

	it("gives every file a row naming its tenant, listing, size and sha256, and bytes of its declared type", () => {
		const rows = seeded().prepare("SELECT * FROM attachments").all() as unknown as Record<string, string | number>[];
		expect(rows.map((row) => row.r2_key).sort()).toEqual(demo.objects.map((object) => object.key).sort());
		for (const row of rows) {
			const object = demo.objects.find((candidate) => candidate.key === row.r2_key);
			const type = attachmentType(String(row.content_type));
			expect(row.r2_key).toBe(`tenants/${row.seller_tenant_id}/listings/${row.listing_id}/${row.name}`);
			expect(object?.contentType).toBe(row.content_type);
			expect(row.size_bytes).toBe(object?.bytes.length);
			expect(row.sha256).toBe(
				createHash("sha256")
					.update(object?.bytes ?? "")
					.digest("hex"),
			);
			expect(type && extensionFits(String(row.name), type) && looksLike(type, object?.bytes ?? new Uint8Array())).toBe(
				true,
			);
		}
	});

	it("makes the same file bytes whenever it runs", async () => {
		const later = await demoData({ ...secrets, encryptionKey: randomBytes(32).toString("base64") });
		expect(later.objects.map((object) => object.sha256)).toEqual(demo.objects.map((object) => object.sha256));
	});
});

describe("the demo files", () => {
	const file = (name: string) => {
		const object = demo.objects.find((candidate) => candidate.key.endsWith(`/${demoListingId("invoicely")}/${name}`));
		if (!object) throw new Error(`no demo file ${name}`);
		return object.bytes;
	};

	it("makes a PDF whose cross-reference table points at each of its objects", () => {
		const pdf = new TextDecoder().decode(file("pitch-deck.pdf"));
		const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(pdf)?.[1]);
		expect(pdf.slice(startxref, startxref + 4)).toBe("xref");
		const offsets = [...pdf.matchAll(/^(\d{10}) 00000 n $/gm)].map((match) => Number(match[1]));
		expect(offsets).toHaveLength(5);
		offsets.forEach((offset, index) => {
			expect(pdf.slice(offset).startsWith(`${index + 1} 0 obj\n`)).toBe(true);
		});
		expect(pdf).toContain("(Invoicely - invoicing SaaS for freelancers) Tj");
	});

	it("makes a 64×64 PNG whose chunks carry valid checksums", () => {
		const png = file("logo.png");
		const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
		const chunks: { type: string; data: Uint8Array }[] = [];
		for (let at = 8; at < png.length; ) {
			const length = view.getUint32(at);
			const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
			expect(view.getUint32(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
			chunks.push({ type, data: png.subarray(at + 8, at + 8 + length) });
			at += 12 + length;
		}
		expect(chunks.map((chunk) => chunk.type)).toEqual(["IHDR", "IDAT", "IEND"]);
		const header = new DataView(chunks[0]?.data.buffer ?? new ArrayBuffer(8), chunks[0]?.data.byteOffset);
		expect([header.getUint32(0), header.getUint32(4)]).toEqual([64, 64]);
		expect(inflateSync(chunks[1]?.data ?? new Uint8Array()).length).toBe(64 * (1 + 64 * 3));
	});

	it("makes a CSV of twelve months ending at the listing's MRR", () => {
		const lines = new TextDecoder().decode(file("metrics.csv")).trimEnd().split("\n");
		expect(lines[0]).toBe("month,mrr_usd,paying_customers,churned_customers");
		expect(lines).toHaveLength(13);
		expect(lines.at(-1)).toMatch(/^2026-09,11500,/);
	});
});

describe("demoGuide", () => {
	it("names the approved buyer's listing and a pending request the seller can approve", () => {
		const db = seeded();
		const guide = demoGuide("http://localhost:9999");
		expect(guide).toContain(`http://localhost:9999/api/v1/listings/${demoListingId("invoicely")}`);
		const pending = [...guide.matchAll(/access-requests\/(acr_[0-9a-f]{32})\/approve/g)].map((match) => match[1]);
		expect(pending.length).toBeGreaterThan(0);
		for (const id of pending) {
			expect(db.prepare("SELECT status FROM access_requests WHERE id = ?").get(id ?? "")).toEqual({
				status: "pending",
			});
		}
	});
});
