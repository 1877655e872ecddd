/** Reading, listing and deleting files, and the routes' declared policies, bodies and media types. */
import { describe, expect, it } from "vitest";
import { accessMatrix } from "../../../shared/access/matrix.ts";
import { type ContractRoute, policyOf, responseSchema, routingPath } from "../../../shared/contract/policy.ts";
import { attachmentsRoutes, attachmentTypes } from "../../../shared/contract/routes/attachments.ts";
import { ATTACHMENT_CAPS } from "../../../shared/data/attachments.ts";
import { newId } from "../../../shared/encoding.ts";
import {
	type AttachmentView,
	appWith,
	bindings,
	CSV,
	call,
	PDF,
	PNG,
	pdf,
	png,
	sha256,
	sizedPdf,
	stored,
	upload,
	world,
} from "./routes.test.helpers.ts";

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
