/**
 * The dispatch Worker's own routes against their declarations (shared/contract/routes/platform.ts,
 * auth.ts, admin.ts): every answer is one the route declares, and its body is of the declared
 * schema (response objects are strict, so an undeclared field fails too).
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessMatrix } from "../../shared/access/matrix.ts";
import { type ContractRoute, policyOf, responseSchema, routingPath } from "../../shared/contract/policy.ts";
import { adminRoutes } from "../../shared/contract/routes/admin.ts";
import { authRoutes } from "../../shared/contract/routes/auth.ts";
import { platformRoutes } from "../../shared/contract/routes/platform.ts";
import { totpCode, totpStep } from "../../shared/crypto/totp.ts";
import { hexId, listingInsert, tenantInsert } from "../../test/support/listings.ts";
import { bearer, signedIn } from "../../test/support/sessions.ts";

const worker = (exports as unknown as { default: Fetcher }).default;
const bindings = env as unknown as DispatchEnv;
const PASSWORD = "correct horse battery staple";
const ORIGIN = "https://techflunky.com";

/** Each call from its own client IP, so no bucket interferes. */
function call(path: string, init: RequestInit = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set("CF-Connecting-IP", `192.0.2.${crypto.randomUUID()}`);
	return worker.fetch(`${ORIGIN}${path}`, { ...init, headers });
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
	call(path, {
		method: "POST",
		headers: { "Content-Type": "application/json", ...headers },
		body: JSON.stringify(body),
	});

/** Asserts `res` is an answer `route` declares; a JSON body must be of the declared schema. Returns the body. */
async function declared(route: ContractRoute, res: Response): Promise<unknown> {
	expect(Object.keys(route.responses), `${route.operationId} declares ${res.status}`).toContain(String(res.status));
	const schema = responseSchema(route, res.status);
	if (res.status === 204 || res.status === 101) {
		expect(schema, `${route.operationId} ${res.status} has no body`).toBeNull();
		return undefined;
	}
	expect(schema, `${route.operationId} ${res.status} has a JSON schema`).not.toBeNull();
	const body = await res.json();
	expect(schema?.safeParse(body).error?.issues ?? [], `${route.operationId} ${res.status}`).toEqual([]);
	return body;
}

const uniqueEmail = () => `contract-${crypto.randomUUID()}@example.test`;

async function register(role = "buyer") {
	const email = uniqueEmail();
	const res = await post("/api/v1/auth/register", { email, password: PASSWORD, name: "Ada", role });
	const body = (await declared(authRoutes.register, res)) as { token: string; tenant: { id: string } };
	expect(res.status).toBe(201);
	return { email, token: body.token, tenantId: body.tenant.id, auth: { Authorization: `Bearer ${body.token}` } };
}

describe("the dispatch Worker's route declarations", () => {
	const routes: ContractRoute[] = [
		...Object.values(platformRoutes),
		...Object.values(authRoutes),
		...Object.values(adminRoutes),
	];

	it("declares each route's policy as the access matrix has it", () => {
		for (const route of routes) {
			const rule = accessMatrix.find(
				(candidate) => candidate.method === route.method.toUpperCase() && candidate.path === routingPath(route),
			);
			expect(rule, `${route.method} ${route.path}`).toBeDefined();
			expect(policyOf(route).allow).toEqual(rule?.allow);
			expect(policyOf(route).note).toBe(rule?.note);
			expect(policyOf(route).servedBy).toBe("dispatch");
		}
	});

	it("names each operation as its route and asks for a credential wherever one is taken", () => {
		const named: Record<string, ContractRoute> = { ...platformRoutes, ...authRoutes, ...adminRoutes };
		for (const [name, route] of Object.entries(named)) {
			expect(route.operationId).toBe(name);
			const { allow, credentials } = policyOf(route);
			const guests = allow.includes("guest");
			// Signed-in routes name the bearer token and the cookie; sign-in names none, as it ignores both.
			if (credentials === "ignored") expect(route.security, name).toEqual([]);
			else if (!guests) expect(route.security, name).toEqual([{ bearer: [] }, { cookie: [] }]);
		}
	});
});

describe("the platform routes' answers", () => {
	it("answers /healthz as declared", async () => {
		const body = await declared(platformRoutes.healthCheck, await call("/healthz"));
		expect(body).toEqual({ status: "ok" });
	});

	it("answers a broken credential on /healthz with a declared 401", async () => {
		const res = await call("/healthz", { headers: { Authorization: "Bearer not-a-token" } });
		expect(res.status).toBe(401);
		await declared(platformRoutes.healthCheck, res);
	});
});

describe("the auth routes' answers", () => {
	it("answers sign-up, a duplicate and an invalid body as declared", async () => {
		const route = authRoutes.register;
		const account = await register("seller");
		const duplicate = await post("/api/v1/auth/register", {
			email: account.email,
			password: PASSWORD,
			name: "Eve",
			role: "buyer",
		});
		expect(duplicate.status).toBe(409);
		await declared(route, duplicate);
		const short = await post("/api/v1/auth/register", {
			email: uniqueEmail(),
			password: "short",
			name: "Ada",
			role: "buyer",
		});
		expect(short.status).toBe(400);
		expect(await declared(route, short)).toMatchObject({ errors: [{ field: "password" }] });
	});

	it("answers sign-in, wrong credentials, a body that is not JSON and malformed JSON as declared", async () => {
		const route = authRoutes.login;
		const account = await register();
		const ok = await post("/api/v1/auth/login", { email: account.email, password: PASSWORD });
		expect(ok.status).toBe(200);
		await declared(route, ok);
		const wrong = await post("/api/v1/auth/login", { email: account.email, password: "wrong, but long enough" });
		expect(wrong.status).toBe(401);
		await declared(route, wrong);
		const text = await call("/api/v1/auth/login", {
			method: "POST",
			headers: { "Content-Type": "text/plain" },
			body: JSON.stringify({ email: account.email, password: PASSWORD }),
		});
		expect(text.status).toBe(415);
		await declared(route, text);
		const malformed = await call("/api/v1/auth/login", {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: "{",
		});
		expect(malformed.status).toBe(400);
		expect(await declared(route, malformed)).toMatchObject({ detail: "The request body is not valid JSON." });
	});

	it("answers /me, a password change and logout as declared", async () => {
		const account = await register("investor");
		const me = await call("/api/v1/me", { headers: account.auth });
		expect(me.status).toBe(200);
		expect(await declared(authRoutes.getMe, me)).toMatchObject({ user: { email: account.email } });

		const wrong = await post(
			"/api/v1/auth/password",
			{ current_password: "not the password", new_password: "a brand new passphrase" },
			account.auth,
		);
		expect(wrong.status).toBe(400);
		await declared(authRoutes.changePassword, wrong);
		const changed = await post(
			"/api/v1/auth/password",
			{ current_password: PASSWORD, new_password: "a brand new passphrase" },
			account.auth,
		);
		expect(changed.status).toBe(200);
		const fresh = (await declared(authRoutes.changePassword, changed)) as { token: string };

		const out = await call("/api/v1/auth/logout", {
			method: "POST",
			headers: { Authorization: `Bearer ${fresh.token}` },
		});
		expect(out.status).toBe(204);
		await declared(authRoutes.logout, out);
		const after = await call("/api/v1/me", { headers: { Authorization: `Bearer ${fresh.token}` } });
		expect(after.status).toBe(401);
		await declared(authRoutes.getMe, after);
	});

	it("answers two-factor setup, enabling and disabling as declared", async () => {
		const account = await register();
		const setup = await call("/api/v1/auth/mfa/setup", { method: "POST", headers: account.auth });
		expect(setup.status).toBe(200);
		const { secret } = (await declared(authRoutes.setupMfa, setup)) as { secret: string };

		const enabled = await post(
			"/api/v1/auth/mfa/enable",
			{ otp: await totpCode(secret, totpStep(Date.now()) - 1) },
			account.auth,
		);
		expect(enabled.status).toBe(200);
		expect(await declared(authRoutes.enableMfa, enabled)).toEqual({ mfa_enabled: true });
		const again = await call("/api/v1/auth/mfa/setup", { method: "POST", headers: account.auth });
		expect(again.status).toBe(409);
		await declared(authRoutes.setupMfa, again);

		const right = await totpCode(secret, totpStep(Date.now()));
		const badCode = await post(
			"/api/v1/auth/mfa/disable",
			{ otp: right === "000000" ? "111111" : "000000" },
			account.auth,
		);
		expect(badCode.status).toBe(400);
		await declared(authRoutes.disableMfa, badCode);
		const disabled = await post("/api/v1/auth/mfa/disable", { otp: right }, account.auth);
		expect(disabled.status).toBe(200);
		expect(await declared(authRoutes.disableMfa, disabled)).toEqual({ mfa_enabled: false });
		const off = await post("/api/v1/auth/mfa/disable", { otp: right }, account.auth);
		expect(off.status).toBe(409);
		await declared(authRoutes.disableMfa, off);
	});
});

describe("the admin routes' answers", () => {
	it("answers the tenant list, a change, an unknown tenant and a bad query as declared", async () => {
		const admin = await signedIn(bindings, "admin");
		const seller = await signedIn(bindings, "seller");
		const list = await call("/api/v1/admin/tenants?kind=seller&limit=2", { headers: bearer(admin) });
		expect(list.status).toBe(200);
		const page = (await declared(adminRoutes.listTenants, list)) as { items: unknown[]; next_cursor: string | null };
		expect(page.items.length).toBeGreaterThan(0);
		if (page.next_cursor) {
			const next = await call(`/api/v1/admin/tenants?kind=seller&limit=2&cursor=${page.next_cursor}`, {
				headers: bearer(admin),
			});
			await declared(adminRoutes.listTenants, next);
		}
		const badQuery = await call("/api/v1/admin/tenants?limit=0&plan=gold", { headers: bearer(admin) });
		expect(badQuery.status).toBe(400);
		await declared(adminRoutes.listTenants, badQuery);
		const notAdmin = await call("/api/v1/admin/tenants", { headers: bearer(seller) });
		expect(notAdmin.status).toBe(403);
		await declared(adminRoutes.listTenants, notAdmin);

		const patch = (id: string, body: unknown) =>
			call(`/api/v1/admin/tenants/${id}`, {
				method: "PATCH",
				headers: { "Content-Type": "application/json", ...bearer(admin) },
				body: JSON.stringify(body),
			});
		const limited = await patch(seller.tenantId, { rate_limit: { limit: 5, window_seconds: 60, burst: 2 } });
		expect(limited.status).toBe(200);
		expect(await declared(adminRoutes.updateTenant, limited)).toMatchObject({ id: seller.tenantId, users: 1 });
		const cleared = await patch(seller.tenantId, { rate_limit: null });
		expect(await declared(adminRoutes.updateTenant, cleared)).toMatchObject({ rate_limit: null });
		const unknown = await patch(`seller_${"0".repeat(32)}`, { status: "suspended" });
		expect(unknown.status).toBe(404);
		await declared(adminRoutes.updateTenant, unknown);
		const badId = await patch("not-a-tenant", { status: "suspended" });
		expect(badId.status).toBe(400);
		await declared(adminRoutes.updateTenant, badId);
		const own = await patch(admin.tenantId, { status: "suspended" });
		expect(own.status).toBe(409);
		await declared(adminRoutes.updateTenant, own);
	});
});

describe("the negotiation handshake's answers", () => {
	const route = platformRoutes.joinNegotiationRoom;
	const upgrade = { Upgrade: "websocket" };

	async function thread() {
		const seller = hexId("seller", Math.floor(Math.random() * 1e9));
		const buyer = hexId("buyer", Math.floor(Math.random() * 1e9));
		const listingId = hexId("lst", Math.floor(Math.random() * 1e9));
		const offerId = hexId("off", Math.floor(Math.random() * 1e9));
		const statements = [
			tenantInsert(seller, "seller"),
			tenantInsert(buyer, "buyer"),
			listingInsert({ id: listingId, seller_tenant_id: seller, title: "Room with a view" }),
		];
		await bindings.DB.batch([
			...statements.map((statement) => bindings.DB.prepare(statement.sql).bind(...statement.values)),
			bindings.DB.prepare(
				"INSERT INTO offers (id, listing_id, buyer_tenant_id, seller_tenant_id, created_at) VALUES (?, ?, ?, ?, ?)",
			).bind(offerId, listingId, buyer, seller, new Date().toISOString()),
		]);
		return offerId;
	}

	it("answers a request without Upgrade and a malformed offer id with declared 400s", async () => {
		const buyer = await signedIn(bindings, "buyer");
		const plain = await call(`/parties/negotiation-room/${await thread()}`, { headers: bearer(buyer) });
		expect(plain.status).toBe(400);
		expect(await declared(route, plain)).toMatchObject({ detail: "This endpoint speaks WebSocket only." });
		const malformed = await call("/parties/negotiation-room/not-an-offer", {
			headers: { ...upgrade, ...bearer(buyer) },
		});
		expect(malformed.status).toBe(400);
		await declared(route, malformed);
	});

	it("answers an outsider with a declared 404 and a guest with a declared 401", async () => {
		const offerId = await thread();
		const outsider = await signedIn(bindings, "buyer");
		const viaQuery = await call(`/parties/negotiation-room/${offerId}?token=${outsider.token}`, { headers: upgrade });
		expect(viaQuery.status).toBe(404);
		await declared(route, viaQuery);
		const guest = await call(`/parties/negotiation-room/${offerId}`, { headers: upgrade });
		expect(guest.status).toBe(401);
		await declared(route, guest);
	});

	it("answers a cookie handshake from another origin with a declared 403", async () => {
		const buyer = await signedIn(bindings, "buyer");
		const res = await call(`/parties/negotiation-room/${await thread()}`, {
			headers: { ...upgrade, Cookie: `__Host-session=${buyer.token}`, Origin: "https://evil.example" },
		});
		expect(res.status).toBe(403);
		await declared(route, res);
	});
});
