/** Replacing a file (fresh keys, failed switches, legacy keys), and the per-file, count and total caps. */
import { describe, expect, it } from "vitest";
import { ATTACHMENT_CAPS, type AttachmentCaps } from "../../../shared/data/attachments.ts";
import { tenantData } from "../../../shared/data/index.ts";
import {
	type AttachmentView,
	appWith,
	bindings,
	call,
	MiB,
	PDF,
	pdf,
	problemOf,
	rowCount,
	rowOf,
	run,
	sha256,
	sizedPdf,
	stored,
	upload,
	type World,
	world,
} from "./routes.test.helpers.ts";

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
