/** Uploads: who may write, which types and names are taken, and the limits on a single body. */
import { describe, expect, it } from "vitest";
import { newId } from "../../../shared/encoding.ts";
import {
	type AttachmentView,
	bindings,
	CSV,
	call,
	MiB,
	PDF,
	PNG,
	pdf,
	png,
	sha256,
	stored,
	upload,
	world,
	XLSX,
} from "./routes.test.helpers.ts";

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
