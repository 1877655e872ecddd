import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../shared/crypto/totp.ts";
import { bearer, signedIn } from "../../test/support/sessions.ts";

const worker = (exports as unknown as { default: Fetcher }).default;
const bindings = env as unknown as DispatchEnv;
const PASSWORD = "correct horse battery staple";

/** Each call from its own client IP unless one is given, so auth buckets never interfere. */
function call(path: string, init: RequestInit & { ip?: string; origin?: string } = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", init.ip ?? `192.0.2.${crypto.randomUUID()}`);
	const base = init.origin ?? "https://techflunky.com";
	return worker.fetch(`${base}${path}`, { ...init, headers });
}

const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
	method,
	headers: { "Content-Type": "application/json", ...headers },
	body: JSON.stringify(body),
});

interface SignedInBody {
	user: { id: string; email: string; role: string; tenant_id: string; mfa_enabled: boolean };
	tenant: { id: string; kind: string; status: string };
	token: string;
	expires_at: string;
}

const uniqueEmail = () => `user-${crypto.randomUUID()}@example.test`;

async function register(role = "buyer", email = uniqueEmail()): Promise<SignedInBody & { email: string }> {
	const res = await call("/api/v1/auth/register", json("POST", { email, password: PASSWORD, name: "Ada", role }));
	expect(res.status).toBe(201);
	return { ...((await res.json()) as SignedInBody), email };
}

const login = (body: Record<string, unknown>, ip?: string) =>
	call("/api/v1/auth/login", { ...json("POST", body), ...(ip ? { ip } : {}) });

const me = (token: string, init: RequestInit & { origin?: string } = {}) =>
	call("/api/v1/me", {
		...init,
		headers: { ...Object.fromEntries(new Headers(init.headers)), Authorization: `Bearer ${token}` },
	});

describe("registration", () => {
	it("creates a user and tenant and signs them in", async () => {
		const email = `Mixed.Case-${crypto.randomUUID()}@Example.test`;
		const res = await call(
			"/api/v1/auth/register",
			json("POST", { email, password: PASSWORD, name: " Ada ", role: "seller" }),
		);
		expect(res.status).toBe(201);
		const body = (await res.json()) as SignedInBody;
		expect(body.user).toMatchObject({ email: email.toLowerCase(), role: "seller", mfa_enabled: false });
		expect(body.tenant).toMatchObject({ kind: "seller", status: "active", name: "Ada" });
		expect(body.tenant.id).toMatch(/^seller_[0-9a-f]{32}$/);
		expect(body.user.tenant_id).toBe(body.tenant.id);
		expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(29 * 86_400_000);
		expect(res.headers.get("Cache-Control")).toBe("no-store");
		const cookie = res.headers.get("Set-Cookie") ?? "";
		expect(cookie).toMatch(/^__Host-session=[\w.-]+;/);
		for (const attribute of ["Max-Age=2592000", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"]) {
			expect(cookie).toContain(attribute);
		}
		expect(cookie).not.toMatch(/Domain=/i);
		expect((await me(body.token)).status).toBe(200);
	});

	it("answers a second account with the same email, in any case, with 409", async () => {
		const first = await register();
		const res = await call(
			"/api/v1/auth/register",
			json("POST", { email: first.email.toUpperCase(), password: PASSWORD, name: "Eve", role: "seller" }),
		);
		expect(res.status).toBe(409);
		const { results } = await bindings.DB.prepare("SELECT id FROM users WHERE email = ?").bind(first.email).all();
		expect(results).toHaveLength(1);
	});

	it.each([
		["a password under 12 characters", { password: "short-pass1" }, "password"],
		["the admin role", { role: "admin" }, "role"],
		["a malformed email", { email: "not-an-email" }, "email"],
		["an unknown field", { is_admin: true }, "(body)"],
	])("refuses %s with 400 and writes nothing", async (_what, change, field) => {
		const email = uniqueEmail();
		const res = await call(
			"/api/v1/auth/register",
			json("POST", { email, password: PASSWORD, name: "Ada", role: "buyer", ...change }),
		);
		expect(res.status).toBe(400);
		const body = (await res.json()) as { errors: { field: string }[] };
		expect(body.errors.map((error) => error.field)).toContain(field);
		const row = await bindings.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first();
		expect(row).toBeNull();
	});
});

describe("login", () => {
	it("signs in with the right password and answers the contract's shape", async () => {
		const account = await register("investor");
		const res = await login({ email: account.email, password: PASSWORD });
		expect(res.status).toBe(200);
		const body = (await res.json()) as SignedInBody;
		expect(body.user.id).toBe(account.user.id);
		expect(body.tenant.id).toBe(account.tenant.id);
		expect(body.token).not.toBe(account.token);
		expect(res.headers.get("Set-Cookie")).toMatch(/^__Host-session=/);
	});

	it("answers an unknown email exactly like a wrong password", async () => {
		const account = await register();
		const wrong = await login({ email: account.email, password: "wrong password, long enough" });
		const unknown = await login({ email: uniqueEmail(), password: "wrong password, long enough" });
		expect(wrong.status).toBe(401);
		expect(unknown.status).toBe(401);
		// Alike in every member but `instance`, which names each request.
		const { instance: wrongInstance, ...wrongBody } = (await wrong.json()) as { instance: string };
		const { instance: unknownInstance, ...unknownBody } = (await unknown.json()) as { instance: string };
		expect(wrongBody).toEqual(unknownBody);
		expect(wrongInstance).not.toBe(unknownInstance);
	});

	it("ignores a stale credential, so a browser with a dead cookie can sign in again", async () => {
		const account = await register();
		const res = await call("/api/v1/auth/login", {
			...json("POST", { email: account.email, password: PASSWORD }),
			headers: { "Content-Type": "application/json", Authorization: "Bearer garbage", Cookie: "__Host-session=x" },
		});
		expect(res.status).toBe(200);
	});

	it("throttles one account across rotating IPs, per the auth policy", async () => {
		const account = await register();
		const statuses: number[] = [];
		for (let i = 0; i < 7; i++)
			statuses.push((await login({ email: account.email, password: "wrong-wrong-wrong" })).status);
		expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
		expect(statuses.slice(5)).toEqual([429, 429]);
		// The account bucket holds even for the right password from yet another IP.
		const blocked = await login({ email: account.email, password: PASSWORD });
		expect(blocked.status).toBe(429);
		expect(blocked.headers.get("RateLimit-Policy")).toBe('"auth-account";q=10;w=900');
		expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
	});

	it("throttles one IP across many accounts", async () => {
		const ip = `198.51.100.${crypto.randomUUID()}`;
		const statuses: number[] = [];
		for (let i = 0; i < 11; i++)
			statuses.push((await login({ email: uniqueEmail(), password: "x".repeat(12) }, ip)).status);
		expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
		expect(statuses[10]).toBe(429);
	});

	it("throttles one client across the addresses of its IPv6 /64", async () => {
		const subnet = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
		const statuses: number[] = [];
		for (let i = 0; i < 11; i++) {
			const ip = `${subnet}:${i.toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}::1`;
			statuses.push((await login({ email: uniqueEmail(), password: "x".repeat(12) }, ip)).status);
		}
		expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
		expect(statuses[10]).toBe(429);
	});

	it("caps sign-in attempts from one IPv4 /24 at ten clients' worth", async () => {
		const net = `198.18.${Math.floor(Math.random() * 256)}`;
		const statuses = await Promise.all(
			Array.from({ length: 120 }, (_, i) =>
				login({ email: uniqueEmail(), password: "x".repeat(12) }, `${net}.${i}`).then((res) => res.status),
			),
		);
		expect(statuses.filter((status) => status === 401)).toHaveLength(100);
		expect(statuses.filter((status) => status === 429)).toHaveLength(20);
	});
});

describe("sessions", () => {
	it("revokes the token at once on logout", async () => {
		const account = await register();
		expect((await me(account.token)).status).toBe(200);
		const out = await call("/api/v1/auth/logout", {
			method: "POST",
			headers: { Authorization: `Bearer ${account.token}` },
		});
		expect(out.status).toBe(204);
		expect(out.headers.get("Set-Cookie")).toMatch(/^__Host-session=;.*Max-Age=0/);
		expect((await me(account.token)).status).toBe(401);
	});

	it("ends every session of the user on a password change and hands back a new one", async () => {
		const account = await register();
		const other = (await (await login({ email: account.email, password: PASSWORD })).json()) as SignedInBody;
		const res = await call(
			"/api/v1/auth/password",
			json(
				"POST",
				{ current_password: PASSWORD, new_password: "a brand new passphrase" },
				{ Authorization: `Bearer ${account.token}` },
			),
		);
		expect(res.status).toBe(200);
		const fresh = (await res.json()) as SignedInBody;
		expect((await me(account.token)).status).toBe(401);
		expect((await me(other.token)).status).toBe(401);
		expect((await me(fresh.token)).status).toBe(200);
		expect((await login({ email: account.email, password: PASSWORD })).status).toBe(401);
		expect((await login({ email: account.email, password: "a brand new passphrase" })).status).toBe(200);
	});

	it("answers /me with the user and tenant, privately", async () => {
		const account = await register("seller");
		const res = await me(account.token);
		expect(res.headers.get("Cache-Control")).toBe("no-store");
		expect(await res.json()).toMatchObject({ user: { id: account.user.id }, tenant: { id: account.tenant.id } });
	});

	it("accepts the session cookie for reads and refuses a cookie write from another origin", async () => {
		const account = await register();
		const cookie = { Cookie: `__Host-session=${account.token}` };
		expect((await call("/api/v1/me", { headers: cookie })).status).toBe(200);
		const forged = await call("/api/v1/auth/logout", {
			method: "POST",
			headers: { ...cookie, Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" },
		});
		expect(forged.status).toBe(403);
		const noOrigin = await call("/api/v1/auth/logout", { method: "POST", headers: cookie });
		expect(noOrigin.status).toBe(403);
		expect((await call("/api/v1/me", { headers: cookie })).status).toBe(200);
		const sameOrigin = await call("/api/v1/auth/logout", {
			method: "POST",
			headers: { ...cookie, Origin: "https://techflunky.com" },
		});
		expect(sameOrigin.status).toBe(204);
		const after = await call("/api/v1/me", { headers: cookie });
		expect(after.status).toBe(401);
		expect(after.headers.get("Set-Cookie")).toMatch(/^__Host-session=;/);
	});
});

describe("two-factor sign-in", () => {
	async function enableMfa(token: string): Promise<string> {
		const setup = await call("/api/v1/auth/mfa/setup", {
			method: "POST",
			headers: { Authorization: `Bearer ${token}` },
		});
		expect(setup.status).toBe(200);
		const { secret, otpauth_uri } = (await setup.json()) as { secret: string; otpauth_uri: string };
		expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\/TechFlunky:/);
		const enable = await call(
			"/api/v1/auth/mfa/enable",
			json("POST", { otp: await totpCode(secret, totpStep(Date.now()) - 1) }, { Authorization: `Bearer ${token}` }),
		);
		expect(enable.status).toBe(200);
		return secret;
	}

	it("stores the secret encrypted and requires a code at login once enabled", async () => {
		const account = await register();
		const secret = await enableMfa(account.token);
		const row = await bindings.DB.prepare("SELECT mfa_secret, mfa_pending_secret FROM users WHERE id = ?")
			.bind(account.user.id)
			.first<{ mfa_secret: string; mfa_pending_secret: string | null }>();
		expect(row?.mfa_secret).toMatch(/^v1\./);
		expect(row?.mfa_secret).not.toContain(secret);
		expect(row?.mfa_pending_secret).toBeNull();

		const without = await login({ email: account.email, password: PASSWORD });
		expect(without.status).toBe(401);
		expect(((await without.json()) as { type: string }).type).toMatch(/otp-required$/);
		const code = await totpCode(secret, totpStep(Date.now()));
		expect((await login({ email: account.email, password: PASSWORD, otp: code })).status).toBe(200);
	});

	it("never accepts the same code twice", async () => {
		const account = await register();
		const secret = await enableMfa(account.token);
		const code = await totpCode(secret, totpStep(Date.now()));
		expect((await login({ email: account.email, password: PASSWORD, otp: code })).status).toBe(200);
		expect((await login({ email: account.email, password: PASSWORD, otp: code })).status).toBe(401);
	});

	it("refuses a wrong code at login and a wrong code for disabling", async () => {
		const account = await register();
		const secret = await enableMfa(account.token);
		const right = await totpCode(secret, totpStep(Date.now()));
		const wrong = right === "000000" ? "111111" : "000000";
		expect((await login({ email: account.email, password: PASSWORD, otp: wrong })).status).toBe(401);
		const disable = (otp: string) =>
			call("/api/v1/auth/mfa/disable", json("POST", { otp }, { Authorization: `Bearer ${account.token}` }));
		expect((await disable(wrong)).status).toBe(400);
		expect((await disable(right)).status).toBe(200);
		expect((await login({ email: account.email, password: PASSWORD })).status).toBe(200);
	});

	it("refuses to enable without setup and to set up twice", async () => {
		const account = await register();
		const auth = { Authorization: `Bearer ${account.token}` };
		expect((await call("/api/v1/auth/mfa/enable", json("POST", { otp: "123456" }, auth))).status).toBe(409);
		await enableMfa(account.token);
		expect((await call("/api/v1/auth/mfa/setup", { method: "POST", headers: auth })).status).toBe(409);
	});
});

describe("tenancy at the edge", () => {
	it("refuses an X-Tenant-ID that is not the caller's own tenant", async () => {
		const buyer = await signedIn(bindings, "buyer");
		const seller = await signedIn(bindings, "seller");
		const spoofed = await call("/api/v1/listings", { headers: { ...bearer(buyer), "X-Tenant-ID": seller.tenantId } });
		expect(spoofed.status).toBe(403);
		const own = await call("/api/v1/listings", { headers: { ...bearer(buyer), "X-Tenant-ID": buyer.tenantId } });
		expect(own.status).toBe(200);
		const anonymous = await call("/api/v1/listings", { headers: { "X-Tenant-ID": seller.tenantId } });
		expect(anonymous.status).toBe(403);
	});

	it("lets an admin act for a tenant", async () => {
		const admin = await signedIn(bindings, "admin");
		const seller = await signedIn(bindings, "seller");
		const res = await call("/api/v1/listings", { headers: { ...bearer(admin), "X-Tenant-ID": seller.tenantId } });
		expect(res.status).toBe(200);
	});

	it.each([
		["seller", "buyer", 403],
		["buyer", "seller", 403],
		["investor", "seller", 403],
		["seller", "seller", 200],
		["investor", "buyer", 200],
		["admin", "seller", 200],
		["admin", "buyer", 200],
	] as const)("answers a %s token on the %s portal with %i", async (role, portal, status) => {
		const session = await signedIn(bindings, role);
		const res = await call("/api/v1/me", { origin: `https://${portal}.localhost`, headers: bearer(session) });
		expect(res.status).toBe(status);
	});

	it("refuses a forged token with 401 and a reason-free body", async () => {
		const res = await call("/api/v1/me", { headers: { Authorization: "Bearer eyJhbGciOiJub25lIn0.e30." } });
		expect(res.status).toBe(401);
		expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer /);
	});
});

describe("admin tenants", () => {
	it("suspends a tenant at once and lists it, then reactivates without reviving old sessions", async () => {
		const admin = await signedIn(bindings, "admin");
		const seller = await signedIn(bindings, "seller");
		const patch = (body: unknown) =>
			call(`/api/v1/admin/tenants/${seller.tenantId}`, json("PATCH", body, bearer(admin)));

		const suspended = await patch({ status: "suspended" });
		expect(suspended.status).toBe(200);
		expect(await suspended.json()).toMatchObject({
			id: seller.tenantId,
			status: "suspended",
			rate_limit: null,
			effective_rate_limit: { limit: 1000, window_seconds: 3600, burst: 100 },
		});
		expect((await call("/api/v1/me", { headers: bearer(seller) })).status).toBe(403);

		const list = await call("/api/v1/admin/tenants?status=suspended&kind=seller&limit=100", { headers: bearer(admin) });
		const { items } = (await list.json()) as { items: { id: string; status: string }[] };
		expect(items.find((item) => item.id === seller.tenantId)?.status).toBe("suspended");

		expect((await patch({ status: "active" })).status).toBe(200);
		expect((await call("/api/v1/me", { headers: bearer(seller) })).status).toBe(401);
	});

	it("overrides a tenant's limits, shown in its RateLimit headers", async () => {
		const admin = await signedIn(bindings, "admin");
		const buyer = await signedIn(bindings, "buyer");
		const res = await call(
			`/api/v1/admin/tenants/${buyer.tenantId}`,
			json("PATCH", { rate_limit: { limit: 5, window_seconds: 60, burst: 2 } }, bearer(admin)),
		);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({
			rate_limit: { limit: 5, window_seconds: 60, burst: 2 },
			effective_rate_limit: { limit: 5, window_seconds: 60, burst: 2 },
		});
		const statuses: number[] = [];
		for (let i = 0; i < 3; i++) statuses.push((await call("/api/v1/listings", { headers: bearer(buyer) })).status);
		expect(statuses).toEqual([200, 200, 429]);
	});

	it.each([
		["an unknown field", { status: "active", plan: "gold" }],
		["an unknown status", { status: "deleted" }],
		["nothing to change", {}],
		["a zero burst", { rate_limit: { limit: 5, window_seconds: 60, burst: 0 } }],
	])("refuses %s with 400", async (_what, body) => {
		const admin = await signedIn(bindings, "admin");
		const seller = await signedIn(bindings, "seller");
		const res = await call(`/api/v1/admin/tenants/${seller.tenantId}`, json("PATCH", body, bearer(admin)));
		expect(res.status).toBe(400);
		expect((await call("/api/v1/me", { headers: bearer(seller) })).status).toBe(200);
	});

	it("answers an unknown tenant with 404 and refuses to suspend the admin's own tenant", async () => {
		const admin = await signedIn(bindings, "admin");
		const unknown = await call(
			`/api/v1/admin/tenants/seller_${"0".repeat(32)}`,
			json("PATCH", { status: "suspended" }, bearer(admin)),
		);
		expect(unknown.status).toBe(404);
		const own = await call(
			`/api/v1/admin/tenants/${admin.tenantId}`,
			json("PATCH", { status: "suspended" }, bearer(admin)),
		);
		expect(own.status).toBe(409);
	});
});

describe("CORS", () => {
	it("answers a preflight from an own origin, echoing it with credentials", async () => {
		const res = await call("/api/v1/me", {
			method: "OPTIONS",
			headers: { Origin: "https://seller.localhost", "Access-Control-Request-Method": "GET" },
		});
		expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://seller.localhost");
		expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
	});

	it("gives a foreign origin no CORS headers", async () => {
		const res = await call("/api/v1/listings", { headers: { Origin: "https://evil.example" } });
		expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
	});
});
