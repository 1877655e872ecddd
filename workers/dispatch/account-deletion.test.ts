/**
 * Deleting one's own account over the dispatch Worker (routes/account-deletion.ts): the password
 * and two-factor checks, the refusals while money is in flight or a negotiation is open (409,
 * nothing changed), and what remains afterwards — an anonymised user row, the payments and audit
 * log under the tenant id, the seller's listings archived with their event, no session, and the
 * address free for a new sign-up. Listings, offers, deals and payments are written straight into
 * D1 as setup: how they come to be is other tests' business.
 */
import { describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../shared/crypto/totp.ts";
import { newId } from "../../shared/encoding.ts";
import { bindings, call, get, type NewAccount, PASSWORD, post, problemOf, signUp } from "./recovery.test.helpers.ts";

const remove = (token: string, body: unknown) =>
	call("/api/v1/me", {
		method: "DELETE",
		headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
		body: JSON.stringify(body),
	});
const login = (email: string, password = PASSWORD) => post("/api/v1/auth/login", { email, password });
const at = () => new Date().toISOString();

async function listing(seller: NewAccount, status: "draft" | "active" | "under_offer" | "sold", claimedBy?: string) {
	const id = newId("lst");
	await bindings.DB.prepare(
		`INSERT INTO listings (id, seller_tenant_id, title, category, asking_price_cents, status, claimed_by_offer_id, created_at, updated_at)
		 VALUES (?1, ?2, 'A tidy SaaS', 'saas', 100000, ?3, ?4, ?5, ?5)`,
	)
		.bind(id, seller.tenantId, status, claimedBy ?? null, at())
		.run();
	return id;
}

/** An offer thread between the two, recorded in `offers` and `deals` with `status`. */
async function thread(seller: NewAccount, buyer: NewAccount, listingId: string, status: string) {
	const offerId = newId("off");
	await bindings.DB.batch([
		bindings.DB.prepare(
			"INSERT INTO offers (id, listing_id, buyer_tenant_id, seller_tenant_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
		).bind(offerId, listingId, buyer.tenantId, seller.tenantId, at()),
		bindings.DB.prepare(
			`INSERT INTO deals (offer_id, listing_id, buyer_tenant_id, seller_tenant_id, status, amount_cents, currency, version, opened_at, events, updated_at)
			 VALUES (?1, ?2, ?3, ?4, ?5, 90000, 'USD', 1, ?6, 1, ?6)`,
		).bind(offerId, listingId, buyer.tenantId, seller.tenantId, status, at()),
	]);
	return offerId;
}

async function payment(seller: NewAccount, buyer: NewAccount, status: string) {
	const listingId = await listing(seller, "sold");
	const offerId = await thread(seller, buyer, listingId, "accepted");
	const id = newId("pay");
	await bindings.DB.prepare(
		`INSERT INTO payments (id, offer_id, attempt, listing_id, buyer_tenant_id, seller_tenant_id, status, amount_cents, fee_cents,
		   seller_payout_cents, currency, checkout_session_id, stripe_account_id, created_at, updated_at)
		 VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, 90000, 4500, 85500, 'USD', ?7, 'acct_test', ?8, ?8)`,
	)
		.bind(id, offerId, listingId, buyer.tenantId, seller.tenantId, status, `cs_${id}`, at())
		.run();
	return id;
}

const userRow = (userId: string) =>
	bindings.DB.prepare(
		"SELECT email, name, password_hash, mfa_secret, mfa_pending_secret, email_verified_at, deleted_at FROM users WHERE id = ?1",
	)
		.bind(userId)
		.first<Record<string, string | null>>();

describe("deleting one's own account", () => {
	it("checks the password and refuses a wrong one, changing nothing", async () => {
		const account = await signUp();
		const res = await remove(account.token, { password: "not the password at all" });
		expect(res.status).toBe(400);
		expect(await problemOf(res)).toMatchObject({ errors: [{ field: "password", message: "is wrong" }] });
		expect((await userRow(account.userId))?.deleted_at).toBeNull();
		expect((await get("/api/v1/me", account.token)).status).toBe(200);
	});

	it("needs a current code when two-factor sign-in is on", async () => {
		const account = await signUp();
		const auth = { Authorization: `Bearer ${account.token}` };
		const setup = await call("/api/v1/auth/mfa/setup", { method: "POST", headers: auth });
		const { secret } = (await setup.json()) as { secret: string };
		const enabled = await post(
			"/api/v1/auth/mfa/enable",
			{ otp: await totpCode(secret, totpStep(Date.now()) - 1) },
			account.token,
		);
		expect(enabled.status).toBe(200);
		const without = await remove(account.token, { password: PASSWORD });
		expect(without.status).toBe(400);
		expect(await problemOf(without)).toMatchObject({ errors: [{ field: "otp", message: "is required" }] });
		const wrong = await remove(account.token, { password: PASSWORD, otp: "000000" });
		expect(wrong.status).toBe(400);
		const done = await remove(account.token, { password: PASSWORD, otp: await totpCode(secret, totpStep(Date.now())) });
		expect(done.status).toBe(204);
		expect(await userRow(account.userId)).toMatchObject({ mfa_secret: null, mfa_pending_secret: null });
	});

	it("leaves the one-time code unspent when it refuses with 409, so the retry can use it", async () => {
		const seller = await signUp("seller");
		const buyer = await signUp("buyer");
		const setup = await call("/api/v1/auth/mfa/setup", {
			method: "POST",
			headers: { Authorization: `Bearer ${buyer.token}` },
		});
		const { secret } = (await setup.json()) as { secret: string };
		const enabled = await post(
			"/api/v1/auth/mfa/enable",
			{ otp: await totpCode(secret, totpStep(Date.now()) - 1) },
			buyer.token,
		);
		expect(enabled.status).toBe(200);
		const open = await thread(seller, buyer, await listing(seller, "active"), "countered");
		const otp = await totpCode(secret, totpStep(Date.now()));
		const refused = await remove(buyer.token, { password: PASSWORD, otp });
		expect(refused.status).toBe(409);
		await bindings.DB.prepare("UPDATE deals SET status = 'withdrawn' WHERE offer_id = ?1").bind(open).run();
		const done = await remove(buyer.token, { password: PASSWORD, otp });
		expect(done.status).toBe(204);
		// …and spent by the deletion that went through.
		expect((await userRow(buyer.userId))?.deleted_at).not.toBeNull();
	});

	it.each(["pending", "paid", "disputed"])(
		"refuses with 409 while a payment is %s, for buyer and seller",
		async (status) => {
			const seller = await signUp("seller");
			const buyer = await signUp("buyer");
			const id = await payment(seller, buyer, status);
			for (const account of [buyer, seller]) {
				const res = await remove(account.token, { password: PASSWORD });
				expect(res.status).toBe(409);
				expect((await problemOf(res)).detail).toContain(`money is in flight: payment ${id}`);
				expect((await userRow(account.userId))?.deleted_at).toBeNull();
				expect((await get("/api/v1/me", account.token)).status).toBe(200);
			}
		},
	);

	it("refuses with 409 while a negotiation is open or an accepted offer waits for payment", async () => {
		const seller = await signUp("seller");
		const buyer = await signUp("buyer");
		const open = await thread(seller, buyer, await listing(seller, "active"), "countered");
		for (const account of [buyer, seller]) {
			const res = await remove(account.token, { password: PASSWORD });
			expect(res.status).toBe(409);
			expect((await problemOf(res)).detail).toContain(`offer ${open} is countered`);
		}
		await bindings.DB.prepare("UPDATE deals SET status = 'withdrawn' WHERE offer_id = ?1").bind(open).run();
		const claimed = await listing(seller, "active");
		const accepted = await thread(seller, buyer, claimed, "accepted");
		await bindings.DB.prepare("UPDATE listings SET status = 'under_offer', claimed_by_offer_id = ?2 WHERE id = ?1")
			.bind(claimed, accepted)
			.run();
		for (const account of [buyer, seller]) {
			const res = await remove(account.token, { password: PASSWORD });
			expect(res.status).toBe(409);
			expect((await problemOf(res)).detail).toContain(`listing ${claimed} is under offer`);
		}
	});

	it("anonymises the user, archives the seller's listings, keeps payments and audits; the address can sign up again", async () => {
		const seller = await signUp("seller");
		const buyer = await signUp("buyer");
		const released = await payment(seller, buyer, "released");
		const draft = await listing(seller, "draft");
		const active = await listing(seller, "active");
		const sent = newId("evt");
		await bindings.DB.prepare(
			`INSERT INTO emails (job_id, to_email, template, status, created_at, updated_at)
			 VALUES (?1, ?2, 'verify-email', 'sent', ?3, ?3)`,
		)
			.bind(sent, seller.email, at())
			.run();
		const res = await remove(seller.token, { password: PASSWORD });
		expect(res.status).toBe(204);
		expect(res.headers.get("Set-Cookie")).toMatch(/__Host-session=;/);

		const row = await userRow(seller.userId);
		expect(row?.email).toMatch(new RegExp(`^deleted-${seller.userId}-[0-9a-f]{16}@deleted\\.invalid$`));
		expect(row).toMatchObject({
			name: "",
			password_hash: "deleted",
			mfa_secret: null,
			email_verified_at: null,
		});
		expect((await userRow(seller.userId))?.deleted_at).not.toBeNull();
		expect((await get("/api/v1/me", seller.token)).status).toBe(401);
		expect((await login(seller.email)).status).toBe(401);

		const kept = await bindings.DB.prepare("SELECT seller_tenant_id, status FROM payments WHERE id = ?1")
			.bind(released)
			.first();
		expect(kept).toEqual({ seller_tenant_id: seller.tenantId, status: "released" });
		const { results: listings } = await bindings.DB.prepare("SELECT id, status FROM listings WHERE id IN (?1, ?2)")
			.bind(draft, active)
			.all<{ id: string; status: string }>();
		expect(listings.map((row) => row.status)).toEqual(["archived", "archived"]);
		const { results: events } = await bindings.DB.prepare("SELECT body FROM outbox WHERE body LIKE ?1")
			.bind(`%${active}%`)
			.all<{ body: string }>();
		expect(events.map((row) => (JSON.parse(row.body) as { type: string }).type)).toContain("listing.archived");
		const audit = await bindings.DB.prepare(
			"SELECT action, actor_user_id, subject_tenant_id, detail FROM audit_log WHERE subject_tenant_id = ?1",
		)
			.bind(seller.tenantId)
			.first<{ action: string; actor_user_id: string; detail: string }>();
		expect(audit).toMatchObject({ action: "account.deleted", actor_user_id: seller.userId });
		expect(JSON.parse(audit?.detail ?? "{}")).toMatchObject({ archived_listings: 2 });
		const mail = await bindings.DB.prepare("SELECT to_email FROM emails WHERE job_id = ?1").bind(sent).first();
		expect(mail).toEqual({ to_email: row?.email });
		const tenant = await bindings.DB.prepare("SELECT name FROM tenants WHERE id = ?1").bind(seller.tenantId).first();
		expect(tenant).toEqual({ name: "Deleted account" });

		const again = await post("/api/v1/auth/register", {
			email: seller.email,
			password: PASSWORD,
			name: "Ada again",
			role: "seller",
		});
		expect(again.status).toBe(201);
	});

	it("removes a buyer's saved searches and watchlist, so nothing is e-mailed to the tombstone", async () => {
		const seller = await signUp("seller");
		const buyer = await signUp("buyer");
		const watched = await listing(seller, "active");
		await bindings.DB.batch([
			bindings.DB.prepare(
				"INSERT INTO saved_searches (id, tenant_id, user_id, name, q, created_at) VALUES (?1, ?2, ?3, 'SaaS', 'saas', ?4)",
			).bind(newId("srch"), buyer.tenantId, buyer.userId, at()),
			bindings.DB.prepare(
				"INSERT INTO watchlist (tenant_id, listing_id, user_id, price_cents, created_at) VALUES (?1, ?2, ?3, 100000, ?4)",
			).bind(buyer.tenantId, watched, buyer.userId, at()),
		]);
		expect((await remove(buyer.token, { password: PASSWORD })).status).toBe(204);
		const left = await bindings.DB.prepare(
			`SELECT (SELECT COUNT(*) FROM saved_searches WHERE tenant_id = ?1) AS searches,
			        (SELECT COUNT(*) FROM watchlist WHERE tenant_id = ?1) AS watched`,
		)
			.bind(buyer.tenantId)
			.first();
		expect(left).toEqual({ searches: 0, watched: 0 });
		expect((await get(`/api/v1/listings/${watched}`, seller.token)).status).toBe(200);
	});

	it("is refused to a guest and the session of a deleted account is gone", async () => {
		const account = await signUp();
		const guest = await call("/api/v1/me", {
			method: "DELETE",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ password: PASSWORD }),
		});
		expect(guest.status).toBe(401);
		expect((await remove(account.token, { password: PASSWORD })).status).toBe(204);
		expect((await remove(account.token, { password: PASSWORD })).status).toBe(401);
	});
});
