import { describe, expect, it } from "vitest";
import { newId } from "../../../shared/encoding.ts";
import { type Caller, jsonBody } from "../../../test/support/user-worker.ts";
import { bindings, call, callerOf } from "./routes.test.helpers.ts";

const SECRET_NAME = `Acme Holdings ${crypto.randomUUID()}`;
const complete = {
	title: "Quietly profitable SaaS",
	summary: "Invoicing for plumbers",
	description: "Ten years of steady growth.",
	category: "saas",
	asking_price_cents: 25_000_000,
	tech_stack: ["TypeScript", "Postgres"],
	metrics: { mrr_cents: 420_000, monthly_visitors: 12_000 },
	confidential: { legal_name: SECRET_NAME, website_url: "https://acme.example", financials: "EBITDA 1.2M" },
	nda_text: "Keep it to yourself.",
};

interface View {
	id: string;
	status: string;
	seller_tenant_id: string;
	title: string;
	confidential?: { legal_name?: string } | null;
	nda?: { version: number; text: string };
	published_at: string | null;
}

async function createListing(seller: Caller, body: object = complete): Promise<View> {
	const res = await call(seller, "/api/v1/listings", jsonBody("POST", body));
	expect(res.status, await res.clone().text()).toBe(201);
	return (await res.json()) as View;
}

async function publishedListing(seller: Caller): Promise<View> {
	const listing = await createListing(seller);
	const res = await call(seller, `/api/v1/listings/${listing.id}/publish`, { method: "POST" });
	expect(res.status).toBe(200);
	return (await res.json()) as View;
}

async function approve(listing: View, buyer: Caller, status = "approved") {
	await bindings.DB.prepare(
		`INSERT INTO access_requests (id, listing_id, buyer_tenant_id, seller_tenant_id, buyer_user_id, status,
		   nda_version, nda_accepted_at, created_at, updated_at)
		 VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
	)
		.bind(
			newId("acr"),
			listing.id,
			buyer.tenantId,
			listing.seller_tenant_id,
			buyer.userId,
			status,
			new Date().toISOString(),
			new Date().toISOString(),
			new Date().toISOString(),
		)
		.run();
}

describe("creating and publishing", () => {
	it("creates a draft owned by the caller's tenant, with its confidential details", async () => {
		const seller = await callerOf("seller");
		const listing = await createListing(seller);
		expect(listing).toMatchObject({ status: "draft", seller_tenant_id: seller.tenantId, published_at: null });
		expect(listing.confidential?.legal_name).toBe(SECRET_NAME);
		expect(listing.nda).toEqual({ version: 1, text: "Keep it to yourself." });
	});

	it("stores the confidential details encrypted: the raw row holds no plaintext", async () => {
		const seller = await callerOf("seller");
		const listing = await createListing(seller);
		const row = await bindings.DB.prepare("SELECT * FROM listings WHERE id = ?").bind(listing.id).first();
		const raw = JSON.stringify(row);
		expect(raw).not.toContain(SECRET_NAME);
		expect(raw).not.toContain("acme.example");
		expect(raw).not.toContain("EBITDA");
		expect(String(row?.confidential)).toMatch(/^v1\./);
	});

	it.each([
		["status", { status: "active" }],
		["seller_tenant_id", { seller_tenant_id: "seller_evil" }],
		["id", { id: `lst_${"a".repeat(32)}` }],
		["fee_cents", { fee_cents: 0 }],
		["nda_version", { nda_version: 9 }],
	])("refuses a create that sets %s, and writes nothing", async (field, extra) => {
		const seller = await callerOf("seller");
		const res = await call(seller, "/api/v1/listings", jsonBody("POST", { ...complete, ...extra }));
		expect(res.status).toBe(400);
		const body = (await res.json()) as { errors: { field: string }[] };
		expect(body.errors.map((error) => error.field)).toContain(field);
		const count = await bindings.DB.prepare("SELECT COUNT(*) AS n FROM listings WHERE seller_tenant_id = ?")
			.bind(seller.tenantId)
			.first<{ n: number }>();
		expect(count?.n).toBe(0);
	});

	it.each([
		["a missing title", { title: undefined }, "title"],
		["a negative price", { asking_price_cents: -1 }, "asking_price_cents"],
		["a fractional price", { asking_price_cents: 10.5 }, "asking_price_cents"],
		["an unknown category", { category: "casino" }, "category"],
		["a huge title", { title: "x".repeat(121) }, "title"],
		["too many technologies", { tech_stack: Array.from({ length: 31 }, (_, i) => `t${i}`) }, "tech_stack"],
		["a nested object where text belongs", { summary: { a: { b: { c: 1 } } } }, "summary"],
		["a javascript: URL", { confidential: { website_url: "javascript:alert(1)" } }, "confidential.website_url"],
		["an unknown confidential field", { confidential: { ssn: "1" } }, "confidential"],
	])("refuses %s with a field error", async (_what, change, field) => {
		const seller = await callerOf("seller");
		const res = await call(seller, "/api/v1/listings", jsonBody("POST", { ...complete, ...change }));
		expect(res.status).toBe(400);
		const body = (await res.json()) as { errors: { field: string }[] };
		expect(body.errors.map((error) => error.field)).toContain(field);
	});

	it("publishes a complete draft and refuses an incomplete one", async () => {
		const seller = await callerOf("seller");
		const sparse = await createListing(seller, { title: "Bare", category: "other", asking_price_cents: 0 });
		const refused = await call(seller, `/api/v1/listings/${sparse.id}/publish`, { method: "POST" });
		expect(refused.status).toBe(400);
		const fields = ((await refused.json()) as { errors: { field: string }[] }).errors.map((error) => error.field);
		expect(fields).toEqual(expect.arrayContaining(["summary", "description", "asking_price_cents"]));

		const published = await publishedListing(seller);
		expect(published.status).toBe("active");
		expect(published.published_at).not.toBeNull();
	});

	it("announces a publish through the outbox", async () => {
		const seller = await callerOf("seller");
		const listing = await publishedListing(seller);
		const { results } = await bindings.DB.prepare("SELECT body, sent_at FROM outbox WHERE body LIKE ?")
			.bind(`%${listing.id}%`)
			.all<{ body: string; sent_at: string | null }>();
		const published = results.map((row) => JSON.parse(row.body)).find((body) => body.type === "listing.published");
		expect(published).toMatchObject({
			kind: "listing.event",
			listing_id: listing.id,
			seller_tenant_id: seller.tenantId,
		});
	});
});

/** The listing's events in the D1 outbox, in the order they were written. */
async function outboxEvents(listingId: string): Promise<{ type: string; actor_tenant_id: string | null }[]> {
	const { results } = await bindings.DB.prepare(
		"SELECT body FROM outbox WHERE queue = 'backoffice-jobs' AND body LIKE ? ORDER BY created_at, rowid",
	)
		.bind(`%${listingId}%`)
		.all<{ body: string }>();
	return results.map((row) => JSON.parse(row.body));
}

describe("status changes", () => {
	it("announces each change exactly once, and a repeated or refused move not at all", async () => {
		const seller = await callerOf("seller");
		const listing = await createListing(seller);
		const publish = () => call(seller, `/api/v1/listings/${listing.id}/publish`, { method: "POST" });
		const archive = () => call(seller, `/api/v1/listings/${listing.id}`, { method: "DELETE" });
		expect((await publish()).status).toBe(200);
		expect((await publish()).status).toBe(200);
		expect((await archive()).status).toBe(204);
		expect((await archive()).status).toBe(204);
		const refused = await publish();
		expect(refused.status).toBe(409);
		expect(((await refused.json()) as { detail: string }).detail).toBe(
			"A listing that is archived cannot be published.",
		);
		const events = await outboxEvents(listing.id);
		expect(events.map((event) => event.type)).toEqual(["listing.published", "listing.archived"]);
		expect(events.every((event) => event.actor_tenant_id === seller.tenantId)).toBe(true);
	});

	it("publishes exactly once of simultaneous publishes, with one event", async () => {
		const seller = await callerOf("seller");
		const listing = await createListing(seller);
		const results = await Promise.all(
			Array.from({ length: 5 }, () => call(seller, `/api/v1/listings/${listing.id}/publish`, { method: "POST" })),
		);
		// A publish that read the draft and lost the race is a conflict; one that read it active is a no-op.
		expect(results.every((res) => res.status === 200 || res.status === 409)).toBe(true);
		expect((await outboxEvents(listing.id)).filter((event) => event.type === "listing.published")).toHaveLength(1);
	});

	it("refuses to archive a listing under offer and announces nothing", async () => {
		const seller = await callerOf("seller");
		const listing = await publishedListing(seller);
		await bindings.DB.prepare("UPDATE listings SET status = 'under_offer', claimed_by_offer_id = ? WHERE id = ?")
			.bind(newId("off"), listing.id)
			.run();
		const res = await call(seller, `/api/v1/listings/${listing.id}`, { method: "DELETE" });
		expect(res.status).toBe(409);
		expect(((await res.json()) as { detail: string }).detail).toBe("A listing that is under_offer cannot be archived.");
		expect((await outboxEvents(listing.id)).map((event) => event.type)).toEqual(["listing.published"]);
	});
});

describe("who sees what", () => {
	it("shows a draft only to its owner and admins", async () => {
		const seller = await callerOf("seller");
		const draft = await createListing(seller);
		for (const role of ["guest", "buyer", "investor", "seller"] as const) {
			const res = await call(await callerOf(role), `/api/v1/listings/${draft.id}`);
			expect(res.status, role).toBe(404);
		}
		expect((await call(seller, `/api/v1/listings/${draft.id}`)).status).toBe(200);
		expect((await call(await callerOf("admin"), `/api/v1/listings/${draft.id}`)).status).toBe(200);
	});

	it("gives confidential details to the owner, admins and approved buyers only", async () => {
		const seller = await callerOf("seller");
		const listing = await publishedListing(seller);
		const approved = await callerOf("buyer");
		await approve(listing, approved);
		const pending = await callerOf("investor");
		await approve(listing, pending, "pending");
		const revoked = await callerOf("buyer");
		await approve(listing, revoked, "revoked");

		const sees = async (caller: Caller) => {
			const res = await call(caller, `/api/v1/listings/${listing.id}`);
			expect(res.status).toBe(200);
			return JSON.stringify(await res.json()).includes(SECRET_NAME);
		};
		expect(await sees(seller)).toBe(true);
		expect(await sees(await callerOf("admin"))).toBe(true);
		expect(await sees(approved)).toBe(true);
		expect(await sees(pending)).toBe(false);
		expect(await sees(revoked)).toBe(false);
		expect(await sees(await callerOf("buyer"))).toBe(false);
		expect(await sees(await callerOf("seller"))).toBe(false);
		expect(await sees(await callerOf("guest"))).toBe(false);
	});

	it("never leaks confidential details through browse or search, whoever asks", async () => {
		const seller = await callerOf("seller");
		const listing = await publishedListing(seller);
		const approved = await callerOf("buyer");
		await approve(listing, approved);
		for (const caller of [seller, approved, await callerOf("admin"), await callerOf("guest")]) {
			for (const path of ["/api/v1/listings?limit=100", "/api/v1/listings?q=plumbers&limit=100"]) {
				const text = await (await call(caller, path)).text();
				expect(text).toContain(listing.id);
				expect(text).not.toContain(SECRET_NAME);
				expect(text).not.toContain("confidential");
			}
		}
	});

	it("lists all of a seller's own listings, in every status, and only theirs", async () => {
		const seller = await callerOf("seller");
		const draft = await createListing(seller);
		const active = await publishedListing(seller);
		const archived = await createListing(seller);
		expect((await call(seller, `/api/v1/listings/${archived.id}`, { method: "DELETE" })).status).toBe(204);
		const other = await callerOf("seller");
		await createListing(other);

		const page = (await (await call(seller, "/api/v1/listings/mine?limit=100")).json()) as { items: View[] };
		expect(page.items.map((item) => item.id).sort()).toEqual([draft.id, active.id, archived.id].sort());
		expect(page.items.every((item) => item.confidential?.legal_name === SECRET_NAME)).toBe(true);
		const drafts = (await (await call(seller, "/api/v1/listings/mine?status=draft")).json()) as { items: View[] };
		expect(drafts.items.map((item) => item.id)).toEqual([draft.id]);
	});
});

describe("changing a listing", () => {
	it("patches the owner's listing and bumps the NDA version when its text changes", async () => {
		const seller = await callerOf("seller");
		const listing = await publishedListing(seller);
		const res = await call(
			seller,
			`/api/v1/listings/${listing.id}`,
			jsonBody("PATCH", { asking_price_cents: 24_000_000, nda_text: "New terms." }),
		);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ nda: { version: 2, text: "New terms." }, asking_price_cents: 24_000_000 });
	});

	it.each(["status", "seller_tenant_id", "id", "published_at", "fee_cents"])(
		"refuses a patch of the protected field %s and changes nothing",
		async (field) => {
			const seller = await callerOf("seller");
			const listing = await createListing(seller);
			const res = await call(
				seller,
				`/api/v1/listings/${listing.id}`,
				jsonBody("PATCH", { title: "Hijacked", [field]: "x" }),
			);
			expect(res.status).toBe(400);
			const after = (await (await call(seller, `/api/v1/listings/${listing.id}`)).json()) as View;
			expect(after.title).toBe(complete.title);
		},
	);

	it("answers another tenant's patch, publish and delete with 404 and changes nothing", async () => {
		const seller = await callerOf("seller");
		const listing = await createListing(seller);
		const intruder = await callerOf("seller");
		const attempts = [
			call(intruder, `/api/v1/listings/${listing.id}`, jsonBody("PATCH", { title: "Mine now" })),
			call(intruder, `/api/v1/listings/${listing.id}/publish`, { method: "POST" }),
			call(intruder, `/api/v1/listings/${listing.id}`, { method: "DELETE" }),
		];
		for (const res of await Promise.all(attempts)) expect(res.status).toBe(404);
		const after = (await (await call(seller, `/api/v1/listings/${listing.id}`)).json()) as View;
		expect(after).toMatchObject({ title: complete.title, status: "draft" });
	});

	it("lets an admin patch and archive any listing", async () => {
		const seller = await callerOf("seller");
		const listing = await publishedListing(seller);
		const admin = await callerOf("admin");
		const patched = await call(admin, `/api/v1/listings/${listing.id}`, jsonBody("PATCH", { title: "Moderated" }));
		expect(patched.status, await patched.clone().text()).toBe(200);
		expect((await call(admin, `/api/v1/listings/${listing.id}`, { method: "DELETE" })).status).toBe(204);
		expect((await call(await callerOf("guest"), `/api/v1/listings/${listing.id}`)).status).toBe(404);
	});

	it("archives: the listing leaves the public view, and a second delete is a no-op", async () => {
		const seller = await callerOf("seller");
		const listing = await publishedListing(seller);
		expect((await call(seller, `/api/v1/listings/${listing.id}`, { method: "DELETE" })).status).toBe(204);
		expect((await call(seller, `/api/v1/listings/${listing.id}`, { method: "DELETE" })).status).toBe(204);
		const browse = await (await call(await callerOf("guest"), "/api/v1/listings?limit=100")).text();
		expect(browse).not.toContain(listing.id);
		expect((await call(seller, `/api/v1/listings/${listing.id}`)).status).toBe(200);
		const patch = await call(seller, `/api/v1/listings/${listing.id}`, jsonBody("PATCH", { title: "Back" }));
		expect(patch.status).toBe(409);
	});

	it("keeps an active listing complete: clearing its summary is refused", async () => {
		const seller = await callerOf("seller");
		const listing = await publishedListing(seller);
		const res = await call(seller, `/api/v1/listings/${listing.id}`, jsonBody("PATCH", { summary: "" }));
		expect(res.status).toBe(400);
	});
});

describe("full-text search", () => {
	it("finds listings by words in the title, summary and tech stack, by prefix", async () => {
		const seller = await callerOf("seller");
		const word = `zyx${crypto.randomUUID().slice(0, 8)}`;
		const listing = await publishedListing(seller);
		await call(seller, `/api/v1/listings/${listing.id}`, jsonBody("PATCH", { tech_stack: ["Elixir", word] }));
		const search = async (q: string) =>
			(
				(await (
					await call(await callerOf("guest"), `/api/v1/listings?q=${encodeURIComponent(q)}&limit=100`)
				).json()) as {
					items: View[];
				}
			).items.map((item) => item.id);
		expect(await search(word)).toEqual([listing.id]);
		expect(await search(word.slice(0, 6))).toContain(listing.id);
		expect(await search(`${word} plumbers`)).toEqual([listing.id]);
		expect(await search(`${word} nonexistentword`)).toEqual([]);
		// FTS syntax in the query is just text: no error, no widening.
		for (const q of ['"', "title:x OR *", "NEAR(a b)", "a AND NOT b", "^x"]) {
			expect((await call(await callerOf("guest"), `/api/v1/listings?q=${encodeURIComponent(q)}`)).status).toBe(200);
		}
	});
});

describe("search pagination", () => {
	it("pages through search results without repeats or gaps while matching listings are published", async () => {
		const seller = await callerOf("seller");
		const word = `qpage${crypto.randomUUID().slice(0, 8)}`;
		const publish = async () => {
			const listing = await createListing(seller, { ...complete, title: `${word} listing` });
			expect((await call(seller, `/api/v1/listings/${listing.id}/publish`, { method: "POST" })).status).toBe(200);
			return listing.id;
		};
		const before: string[] = [];
		for (let i = 0; i < 7; i++) before.push(await publish());

		const guest = await callerOf("guest");
		const seen: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const path = `/api/v1/listings?q=${word}&limit=3${cursor ? `&cursor=${cursor}` : ""}`;
			const page = (await (await call(guest, path)).json()) as { items: View[]; next_cursor: string | null };
			seen.push(...page.items.map((item) => item.id));
			cursor = page.next_cursor;
			// A newer match published mid-way lands before the cursor and never shows up in later pages.
			if (pages === 0) await publish();
			pages++;
		} while (cursor && pages < 10);
		expect(new Set(seen).size).toBe(seen.length);
		expect([...seen].sort()).toEqual([...before].sort());
	});
});
