/**
 * Archiving a listing for moderation (`POST /api/v1/admin/listings/{id}/archive`), inside workerd:
 * the listing's move, the moderation record and the outbox rows written with it (the
 * `listing.archived` event, the audit record, the seller's e-mail), and the refusals that write
 * nothing. The e-mail's delivery and the audit row the consumer writes are followed end to end in
 * test/e2e/operations.e2e.test.ts.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hexId, listingInsert } from "../../test/support/listings.ts";
import { bearer, signedIn, type TestSession } from "../../test/support/sessions.ts";

const worker = (exports as unknown as { default: Fetcher }).default;
const bindings = env as unknown as DispatchEnv;

function archive(session: TestSession, id: string, body: unknown): Promise<Response> {
	return worker.fetch(`https://techflunky.com/api/v1/admin/listings/${id}/archive`, {
		method: "POST",
		headers: {
			...bearer(session),
			"CF-Connecting-IP": `198.51.100.${crypto.randomUUID()}`,
			"Content-Type": "application/json",
		},
		body: JSON.stringify(body),
	});
}

let serial = 0;
async function listingOf(
	seller: TestSession,
	status: "draft" | "active" | "under_offer" | "sold" | "archived" = "active",
): Promise<string> {
	serial += 1;
	const id = hexId("lst", 0x0de000 + serial + Math.floor(Math.random() * 0xffffff) * 0x1000);
	const seed = listingInsert({ id, seller_tenant_id: seller.tenantId, title: `Moderated ${serial}`, status });
	await bindings.DB.prepare(seed.sql)
		.bind(...seed.values)
		.run();
	return id;
}

const statusOf = async (id: string) =>
	(await bindings.DB.prepare("SELECT status FROM listings WHERE id = ?").bind(id).first<{ status: string }>())?.status;

/** The outbox rows about `listingId`: their kind and the fields that say what they are. */
async function outboxFor(listingId: string) {
	const { results } = await bindings.DB.prepare(
		`SELECT json_extract(body, '$.kind') AS kind, body FROM outbox
		 WHERE json_extract(body, '$.listing_id') = ?1 OR json_extract(body, '$.detail.listing_id') = ?1
		    OR json_extract(body, '$.data.listing_url') LIKE '%' || ?1
		 ORDER BY created_at, rowid`,
	)
		.bind(listingId)
		.all<{ kind: string; body: string }>();
	return results.map((row) => ({ kind: row.kind, body: JSON.parse(row.body) as Record<string, unknown> }));
}

const moderations = async (listingId: string) =>
	(await bindings.DB.prepare("SELECT * FROM listing_moderations WHERE listing_id = ?").bind(listingId).all()).results;

describe("archiving a listing for moderation", () => {
	it("archives it with its event, a moderation record, an audit record and an e-mail to the seller", async () => {
		const [admin, seller] = await Promise.all([signedIn(bindings, "admin"), signedIn(bindings, "seller")]);
		const id = await listingOf(seller);
		const reason = "  The revenue figures cannot be verified.  ";
		const res = await archive(admin, id, { reason });
		expect(res.status).toBe(200);
		const record = (await res.json()) as Record<string, string>;
		expect(record).toMatchObject({
			listing_id: id,
			seller_tenant_id: seller.tenantId,
			admin_user_id: admin.userId,
			action: "archived",
			reason: "The revenue figures cannot be verified.",
		});
		expect(record.id).toMatch(/^mod_[0-9a-f]{32}$/);
		expect(await statusOf(id)).toBe("archived");
		expect(await moderations(id)).toEqual([
			expect.objectContaining({ id: record.id, reason: "The revenue figures cannot be verified." }),
		]);

		const rows = await outboxFor(id);
		expect(rows.map((row) => row.kind)).toEqual(["listing.event", "audit.record", "email.send"]);
		expect(rows[0]?.body).toMatchObject({ type: "listing.archived", actor_tenant_id: admin.tenantId });
		expect(rows[1]?.body).toMatchObject({
			action: "admin.listing_archived",
			actor_user_id: admin.userId,
			actor_tenant_id: admin.tenantId,
			subject_tenant_id: seller.tenantId,
			detail: { listing_id: id, moderation_id: record.id, reason: "The revenue figures cannot be verified." },
		});
		expect(rows[2]?.body).toMatchObject({
			to: { email: `${seller.userId}@example.test`, name: "Test User" },
			template: "listing-moderated",
			data: {
				listing_title: expect.stringMatching(/^Moderated /),
				reason: "The revenue figures cannot be verified.",
				// The apex of this request's root domain (ROOT_DOMAIN), where the seller's listing page is.
				listing_url: expect.stringMatching(new RegExp(`^https://[^/]+/seller/listings/${id}$`)),
			},
		});
	});

	it("answers a second archive 409 and writes or sends nothing more", async () => {
		const [admin, seller] = await Promise.all([signedIn(bindings, "admin"), signedIn(bindings, "seller")]);
		const id = await listingOf(seller);
		expect((await archive(admin, id, { reason: "Spam." })).status).toBe(200);
		const res = await archive(admin, id, { reason: "Spam again." });
		expect(res.status).toBe(409);
		expect(((await res.json()) as { detail: string }).detail).toBe("The listing is already archived.");
		expect(await moderations(id)).toHaveLength(1);
		expect((await outboxFor(id)).map((row) => row.kind)).toEqual(["listing.event", "audit.record", "email.send"]);
	});

	it.each([
		["under_offer", "A listing that is under offer cannot be archived."],
		["sold", "A listing that is sold cannot be archived."],
		["archived", "The listing is already archived."],
	] as const)("refuses a listing that is %s (409, naming why), changing nothing", async (status, detail) => {
		const [admin, seller] = await Promise.all([signedIn(bindings, "admin"), signedIn(bindings, "seller")]);
		const id = await listingOf(seller, status);
		const res = await archive(admin, id, { reason: "Suspicious." });
		expect(res.status).toBe(409);
		expect(((await res.json()) as { detail: string }).detail).toBe(detail);
		expect(await statusOf(id)).toBe(status);
		expect(await moderations(id)).toEqual([]);
		expect(await outboxFor(id)).toEqual([]);
	});

	it("archives a draft too", async () => {
		const [admin, seller] = await Promise.all([signedIn(bindings, "admin"), signedIn(bindings, "seller")]);
		const id = await listingOf(seller, "draft");
		expect((await archive(admin, id, { reason: "Test listing." })).status).toBe(200);
		expect(await statusOf(id)).toBe("archived");
	});

	it.each([
		[{ reason: "   " }],
		[{ reason: "x".repeat(1001) }],
		[{}],
		[{ reason: "ok", notify: false }],
		[{ reason: 42 }],
	])("refuses a bad body (%j) with 400, changing nothing", async (body) => {
		const [admin, seller] = await Promise.all([signedIn(bindings, "admin"), signedIn(bindings, "seller")]);
		const id = await listingOf(seller);
		const res = await archive(admin, id, body);
		expect(res.status).toBe(400);
		expect(await statusOf(id)).toBe("active");
		expect(await moderations(id)).toEqual([]);
		expect(await outboxFor(id)).toEqual([]);
	});

	it("takes a reason of exactly 1000 characters", async () => {
		const [admin, seller] = await Promise.all([signedIn(bindings, "admin"), signedIn(bindings, "seller")]);
		const id = await listingOf(seller);
		const reason = "r".repeat(1000);
		expect((await archive(admin, id, { reason })).status).toBe(200);
		const audit = (await outboxFor(id)).find((row) => row.kind === "audit.record");
		expect((audit?.body.detail as { reason?: string } | undefined)?.reason).toHaveLength(500);
		expect((await moderations(id))[0]).toMatchObject({ reason });
	});

	it("answers an unknown listing 404 and a malformed id 400", async () => {
		const admin = await signedIn(bindings, "admin");
		expect((await archive(admin, hexId("lst", 0xdeadbeef), { reason: "Spam." })).status).toBe(404);
		expect((await archive(admin, "lst_nope", { reason: "Spam." })).status).toBe(400);
	});
});
