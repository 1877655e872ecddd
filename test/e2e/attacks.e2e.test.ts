/**
 * Attacks on identity and tenancy, black-box, against the whole local topology: what a hostile
 * client can send over HTTP (forged tokens, spoofed tenants, wrong portals, dead sessions,
 * suspended tenants, privilege escalation, floods, credential stuffing, OTP replay, CSRF). Each
 * test names the defence it exercises and would fail without it; the workerd tests beside the
 * dispatch Worker cover the same ground from inside.
 *
 * One topology for the file. Every test makes its own accounts and poses as its own client IPs,
 * so no test depends on another's state or buckets; the one admin is seeded through D1, as
 * `npm run admin:create` would make it.
 */
import { decodeJwt, type JWTPayload, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { totpCode, totpStep } from "../../shared/crypto/totp.ts";
import { newId } from "../../shared/encoding.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import {
	type Account,
	type E2eClient,
	expectStatus,
	freshIp,
	type SignedInAdmin,
	topologyForFile,
	uniqueEmail,
	waitFor,
} from "./client.ts";

const secrets = testSecrets();
const jwtKey = new TextEncoder().encode(secrets.JWT_SECRET);

let admin: SignedInAdmin;

let topology: Topology;
let client: E2eClient;

topologyForFile({ secrets, admin: "e2e" }, (file) => ({ topology, client, admin } = file));

interface ProblemJson {
	type: string;
	title: string;
	status: number;
	detail: string;
}

/** Asserts an RFC 9457 problem with `status` and returns its body. */
async function expectProblem(res: { status: number; headers: Headers; json(): Promise<unknown> }, status: number) {
	expect(res.status).toBe(status);
	expect(res.headers.get("Content-Type")).toBe("application/problem+json");
	const body = (await res.json()) as ProblemJson;
	expect(body.status).toBe(status);
	return body;
}

/** Status codes of settled responses, counted, with every body drained so no socket is left busy. */
async function countStatuses(responses: Promise<{ status: number; text(): Promise<string> }>[]) {
	const counts: Record<number, number> = {};
	for (const res of await Promise.all(responses)) {
		await res.text();
		counts[res.status] = (counts[res.status] ?? 0) + 1;
	}
	return counts;
}

const remaining = (header: string | null) => Number(/;r=(\d+)/.exec(header ?? "")?.[1] ?? Number.NaN);

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function sign(payload: JWTPayload, options: { alg?: string; secret?: Uint8Array } = {}): Promise<string> {
	return new SignJWT(payload)
		.setProtectedHeader({ alg: options.alg ?? "HS256", typ: "JWT" })
		.sign(options.secret ?? jwtKey);
}

function without(claims: JWTPayload, claim: string): JWTPayload {
	const { [claim]: _dropped, ...rest } = claims;
	return rest;
}

describe("forged and foreign credentials", () => {
	let attacker: Account;
	/** The claims of the attacker's genuine token: every forgery below starts from a live session. */
	let claims: JWTPayload;

	beforeAll(async () => {
		attacker = await client.register("buyer");
		claims = decodeJwt(attacker.token);
	});

	const me = (token: string) => client.call("/api/v1/me", { token });

	it("accepts the genuine token the forgeries are made from", async () => {
		const res = await client.api.call(contract.getMe, { token: attacker.token });
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ user: { id: attacker.user.id } });
	});

	const forgeries: [string, () => Promise<string>][] = [
		["an unsigned token (alg none)", async () => `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`],
		[
			"a token whose payload was changed (role admin) under the original signature",
			async () => {
				const [header, , signature] = attacker.token.split(".");
				return `${header}.${base64url({ ...claims, role: "admin" })}.${signature}`;
			},
		],
		["a token signed with another secret", () => sign(claims, { secret: crypto.getRandomValues(new Uint8Array(32)) })],
		["a token signed with HS512 and the right secret", () => sign(claims, { alg: "HS512" })],
		[
			"an expired token signed with the right secret",
			() => {
				const now = Math.floor(Date.now() / 1000);
				return sign({ ...claims, iat: now - 7200, exp: now - 60 });
			},
		],
		...(["sub", "tid", "role", "sid", "jti", "iat", "exp", "iss", "aud"] as const).map(
			(claim): [string, () => Promise<string>] => [
				`a token without \`${claim}\` signed with the right secret`,
				() => sign(without(claims, claim)),
			],
		),
		["a token from another issuer", () => sign({ ...claims, iss: "https://evil.example" })],
		["a token for another audience", () => sign({ ...claims, aud: "some-other-api" })],
		["an oversized token (> 2048 characters)", () => sign({ ...claims, pad: "x".repeat(2100) })],
		["a token whose session was never opened", () => sign({ ...claims, sid: newId("ses"), jti: newId("ses") })],
		["a token naming the attacker's live session under another user", () => sign({ ...claims, sub: newId("usr") })],
	];

	it.each(forgeries)("refuses %s on GET /api/v1/me with 401", async (_name, forge) => {
		const token = await forge();
		const res = await me(token);
		const body = await expectProblem(res, 401);
		expect(body.type).toMatch(/\/unauthorized$/);
		// Refused as a bad credential (RFC 6750), not merely as a guest on a signed-in route.
		expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
	});

	it("refuses a forged token on a public route instead of serving it as a guest", async () => {
		const token = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
		await expectProblem(await client.call("/api/v1/listings", { token }), 401);
	});

	it("refuses a token claiming another tenant with the attacker's own live session", async () => {
		const victim = await client.register("buyer");
		const token = await sign({ ...claims, tid: victim.tenant.id });
		await expectProblem(await me(token), 401);
		// Still the attacker's session, still live: only the tenant claim was wrong.
		expect((await me(attacker.token)).status).toBe(200);
	});

	it("refuses `Authorization: Basic` with 401, on signed-in and public routes alike", async () => {
		const basic = `Basic ${Buffer.from(`${attacker.email}:${attacker.password}`).toString("base64")}`;
		for (const path of ["/api/v1/me", "/api/v1/listings"]) {
			const res = await client.call(path, { headers: { Authorization: basic } });
			await expectProblem(res, 401);
			expect(res.headers.get("WWW-Authenticate")).toMatch(/error="invalid_token"/);
		}
	});
});

describe("X-Tenant-ID", () => {
	it("refuses a buyer naming another tenant with 403", async () => {
		const [buyer, seller] = await Promise.all([client.register("buyer"), client.register("seller")]);
		const spoofed = await client.call("/api/v1/listings", {
			token: buyer.token,
			headers: { "X-Tenant-ID": seller.tenant.id },
		});
		await expectProblem(spoofed, 403);
		const own = await client.call("/api/v1/listings", {
			token: buyer.token,
			headers: { "X-Tenant-ID": buyer.tenant.id },
		});
		expect(own.status).toBe(200);
		const anonymous = await client.call("/api/v1/listings", { headers: { "X-Tenant-ID": seller.tenant.id } });
		await expectProblem(anonymous, 403);
	});

	it("lets an admin act for a tenant and audits it with that subject tenant", async () => {
		const seller = await client.register("seller");
		const res = await client.call("/api/v1/listings", {
			token: admin.token,
			headers: { "X-Tenant-ID": seller.tenant.id },
		});
		expect(res.status).toBe(200);
		const db = await topology.db();
		const row = await waitFor(async () => {
			const found = await db
				.prepare(
					"SELECT actor_tenant_id, actor_user_id, detail FROM audit_log WHERE action = 'admin.act_for_tenant' AND subject_tenant_id = ?",
				)
				.bind(seller.tenant.id)
				.first<{ actor_tenant_id: string; actor_user_id: string; detail: string }>();
			return found ?? undefined;
		});
		expect(row).toMatchObject({ actor_tenant_id: admin.tenantId, actor_user_id: admin.userId });
		expect(JSON.parse(row.detail)).toMatchObject({ path: expect.stringMatching(/^\/api\/v1\/listings/) });
	});
});

describe("portal hosts", () => {
	const accounts: Partial<Record<"seller" | "buyer" | "investor", Account>> = {};

	beforeAll(async () => {
		const [seller, buyer, investor] = await Promise.all([
			client.register("seller"),
			client.register("buyer"),
			client.register("investor"),
		]);
		Object.assign(accounts, { seller, buyer, investor });
	});

	const tokenOf = (role: "seller" | "buyer" | "investor" | "admin") =>
		role === "admin" ? admin.token : (accounts[role]?.token ?? "");

	it.each([
		["seller", "seller", 200],
		["seller", "buyer", 403],
		["buyer", "seller", 403],
		["investor", "seller", 403],
		["buyer", "buyer", 200],
		["investor", "buyer", 200],
		["admin", "seller", 200],
		["admin", "buyer", 200],
	] as const)("answers %s tokens on the %s portal with %i", async (role, portal, status) => {
		const res = await client.call("/api/v1/me", { host: portal, token: tokenOf(role) });
		if (status === 200) expect(res.status).toBe(200);
		else await expectProblem(res, status);
	});

	it.each(["seller", "buyer"])("serves anonymous listings on the %s portal", async (portal) => {
		const res = await client.call("/api/v1/listings", { host: portal });
		expect(res.status).toBe(200);
	});
});

describe("sessions after logout", () => {
	it("refuses a bearer token once its session has logged out", async () => {
		const account = await client.register("buyer");
		expect((await client.call("/api/v1/me", { token: account.token })).status).toBe(200);
		const logout = await client.api.call(contract.logout, { token: account.token });
		expect(logout.status).toBe(204);
		await expectProblem(await client.call("/api/v1/me", { token: account.token }), 401);
	});

	it("refuses a session cookie once logged out and tells the browser to drop it", async () => {
		const account = await client.register("seller");
		expect((await client.call("/api/v1/me", { cookie: account.token })).status).toBe(200);
		const logout = await client
			.as({ cookie: account.token, headers: { Origin: client.origin() } })
			.call(contract.logout, {});
		expect(logout.status).toBe(204);
		const res = await client.call("/api/v1/me", { cookie: account.token });
		await expectProblem(res, 401);
		const cleared = res.headers.get("Set-Cookie") ?? "";
		expect(cleared).toMatch(/^__Host-session=;/);
		expect(cleared).toMatch(/Max-Age=0/i);
	});
});

describe("suspended tenants", () => {
	const suspend = (id: string, status: "active" | "suspended") =>
		client.api.call(contract.updateTenant, { params: { id }, token: admin.token, body: { status } });

	it("refuses a suspended tenant's requests and logins, and revives logins but not old tokens", async () => {
		const seller = await client.register("seller");
		expect((await client.call("/api/v1/me", { token: seller.token })).status).toBe(200);

		const suspended = await suspend(seller.tenant.id, "suspended");
		expect(suspended.status).toBe(200);
		expect(suspended.body).toMatchObject({ id: seller.tenant.id, status: "suspended" });

		await expectProblem(await client.call("/api/v1/me", { token: seller.token }), 403);
		await expectProblem(await client.login({ email: seller.email, password: seller.password }), 403);

		const listed = await client.api.call(contract.listTenants, { query: { status: "suspended" }, token: admin.token });
		const { items } = expectStatus(listed, 200).body;
		expect(items).toContainEqual(expect.objectContaining({ id: seller.tenant.id, status: "suspended" }));
		expect(items.every((item) => item.status === "suspended")).toBe(true);

		expect((await suspend(seller.tenant.id, "active")).status).toBe(200);
		const fresh = (await client.signIn(seller.email, seller.password)).token;
		expect((await client.call("/api/v1/me", { token: fresh })).status).toBe(200);
		await expectProblem(await client.call("/api/v1/me", { token: seller.token }), 401);
	});
});

describe("admin routes for everyone else", () => {
	it("refuses buyers, sellers and investors with 403 and guests with 401, changing nothing", async () => {
		const [victim, seller, buyer, investor] = await Promise.all([
			client.register("seller"),
			client.register("seller"),
			client.register("buyer"),
			client.register("investor"),
		]);
		const patch = (token?: string) =>
			client.call(`/api/v1/admin/tenants/${victim.tenant.id}`, {
				method: "PATCH",
				json: { status: "suspended", rate_limit: { limit: 1, window_seconds: 86_400, burst: 1 } },
				...(token === undefined ? {} : { token }),
			});
		const list = (token?: string) => client.call("/api/v1/admin/tenants", token === undefined ? {} : { token });

		for (const account of [seller, buyer, investor]) {
			await expectProblem(await list(account.token), 403);
			await expectProblem(await patch(account.token), 403);
		}
		await expectProblem(await list(), 401);
		await expectProblem(await patch(), 401);

		const db = await topology.db();
		const row = await db
			.prepare("SELECT status, rate_limit FROM tenants WHERE id = ?")
			.bind(victim.tenant.id)
			.first<{ status: string; rate_limit: string | null }>();
		expect(row).toEqual({ status: "active", rate_limit: null });
		// The tenant's object holds the enforced state; it was not touched either.
		const me = await client.call("/api/v1/me", { token: victim.token });
		expect(me.status).toBe(200);
		expect(me.headers.get("RateLimit-Policy")).toBe('"seller";q=1000;w=3600');
	});
});

describe("token buckets", () => {
	it("admits 20 sequential anonymous requests from one IP, with rate-limit headers, and refuses the 21st", async () => {
		const ip = freshIp();
		for (let i = 1; i <= 20; i++) {
			const res = await client.call("/api/v1/listings", { ip });
			await res.text();
			expect(res.status, `request ${i}`).toBe(200);
			expect(res.headers.get("RateLimit-Policy")).toBe('"anonymous";q=100;w=3600');
			expect(remaining(res.headers.get("RateLimit"))).toBe(20 - i);
		}
		const refused = await client.call("/api/v1/listings", { ip });
		const body = await expectProblem(refused, 429);
		expect(body.type).toMatch(/\/rate-limited$/);
		expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
		expect(refused.headers.get("RateLimit-Policy")).toBe('"anonymous";q=100;w=3600');
		expect(remaining(refused.headers.get("RateLimit"))).toBe(0);
	});

	it("admits exactly 20 of 60 concurrent anonymous requests from one IP", async () => {
		const ip = freshIp();
		const counts = await countStatuses(Array.from({ length: 60 }, () => client.call("/api/v1/listings", { ip })));
		expect(counts).toEqual({ 200: 20, 429: 40 });
	});

	it("admits exactly 50 of 120 concurrent requests from one buyer", async () => {
		const buyer = await client.register("buyer");
		const counts = await countStatuses(
			Array.from({ length: 120 }, () => client.call("/api/v1/listings", { token: buyer.token })),
		);
		expect(counts).toEqual({ 200: 50, 429: 70 });
	});

	it("counts a seller's remaining requests down by one per request from a burst of 100", async () => {
		const seller = await client.register("seller");
		const seen: number[] = [];
		for (let i = 0; i < 6; i++) {
			const res = await client.call("/api/v1/me", { token: seller.token });
			await res.text();
			expect(res.status).toBe(200);
			expect(res.headers.get("RateLimit-Policy")).toBe('"seller";q=1000;w=3600');
			seen.push(remaining(res.headers.get("RateLimit")));
		}
		expect(seen).toEqual([99, 98, 97, 96, 95, 94]);
	});
});

describe("login throttling", () => {
	it("throttles one account across rotating IPs, even for the right password", async () => {
		const victim = await client.register("buyer");
		for (let i = 1; i <= 5; i++) {
			const res = await client.login({ email: victim.email, password: `wrong password, guess #${i}` }, freshIp());
			await expectProblem(res, 401);
		}
		const sixth = await client.login({ email: victim.email, password: "wrong password, guess #6" }, freshIp());
		await expectProblem(sixth, 429);
		expect(sixth.headers.get("RateLimit-Policy")).toMatch(/^"auth-account";/);
		expect(Number(sixth.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
		const right = await client.login({ email: victim.email, password: victim.password }, freshIp());
		await expectProblem(right, 429);
	});

	it("throttles one IP across many accounts after 10 attempts", async () => {
		const ip = freshIp();
		const counts = await countStatuses(
			Array.from({ length: 10 }, () =>
				client.login({ email: uniqueEmail("nobody"), password: "not the password" }, ip),
			),
		);
		expect(counts).toEqual({ 401: 10 });
		const eleventh = await client.login({ email: uniqueEmail("nobody"), password: "not the password" }, ip);
		await expectProblem(eleventh, 429);
		expect(eleventh.headers.get("RateLimit-Policy")).toMatch(/^"auth-ip";/);
	});
});

describe("two-factor sign-in", () => {
	it("accepts each one-time code once and stores the secret encrypted", async () => {
		const account = await client.register("seller");
		const setup = await client.api.call(contract.setupMfa, { token: account.token });
		const { secret } = expectStatus(setup, 200).body;
		expect(secret).toMatch(/^[A-Z2-7]{32}$/);

		const step = totpStep(Date.now());
		const enable = await client.api.call(contract.enableMfa, {
			token: account.token,
			body: { otp: await totpCode(secret, step) },
		});
		expect(enable.status).toBe(200);
		expect(enable.body).toEqual({ mfa_enabled: true });

		const db = await topology.db();
		const row = await db
			.prepare("SELECT mfa_secret, mfa_pending_secret FROM users WHERE id = ?")
			.bind(account.user.id)
			.first<{ mfa_secret: string | null; mfa_pending_secret: string | null }>();
		expect(row?.mfa_secret).toEqual(expect.any(String));
		expect(row?.mfa_secret).not.toContain(secret);
		expect(row?.mfa_secret?.toUpperCase()).not.toContain(secret);
		expect(row?.mfa_pending_secret).toBeNull();

		const credentials = { email: account.email, password: account.password };
		const withoutCode = await expectProblem(await client.login(credentials), 401);
		expect(withoutCode.type).toMatch(/otp-required$/);

		// The next step's code: fresh (enabling spent this step), and valid within the allowed drift.
		const code = await totpCode(secret, step + 1);
		const login = await client.login({ ...credentials, otp: code });
		expect(login.status).toBe(200);
		expect(await login.json()).toMatchObject({ user: { id: account.user.id, mfa_enabled: true } });

		const replay = await expectProblem(await client.login({ ...credentials, otp: code }), 401);
		expect(replay.type).toMatch(/\/unauthorized$/);
	});
});

describe("cross-site request forgery and CORS", () => {
	const evil = "http://evil.example";

	it("refuses cookie-authenticated cross-site writes, leaving the session alive, and accepts a same-origin one", async () => {
		const account = await client.register("buyer");
		const logout = (headers: Record<string, string>) =>
			client.call("/api/v1/auth/logout", { method: "POST", cookie: account.token, body: "x=1", headers });
		const stillSignedIn = async () =>
			expect((await client.call("/api/v1/me", { cookie: account.token })).status).toBe(200);

		await expectProblem(await logout({ Origin: evil, "Content-Type": "application/x-www-form-urlencoded" }), 403);
		await stillSignedIn();
		await expectProblem(await logout({ Origin: evil, "Content-Type": "text/plain" }), 403);
		await stillSignedIn();
		await expectProblem(await logout({ "Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain" }), 403);
		await stillSignedIn();
		// A cookie write that names no origin at all is not shown to be same-origin either.
		await expectProblem(await logout({ "Content-Type": "text/plain" }), 403);
		await stillSignedIn();
		// A storefront is same-site with the portals, but not the same origin.
		await expectProblem(await logout({ Origin: client.origin("some-storefront"), "Content-Type": "text/plain" }), 403);
		await stillSignedIn();

		expect((await logout({ Origin: client.origin(), "Content-Type": "text/plain" })).status).toBe(204);
		await expectProblem(await client.call("/api/v1/me", { cookie: account.token }), 401);
	});

	it("refuses a bearer-authenticated write from a foreign origin", async () => {
		const account = await client.register("buyer");
		const res = await client.call("/api/v1/auth/logout", {
			method: "POST",
			token: account.token,
			headers: { Origin: evil },
		});
		await expectProblem(res, 403);
		expect((await client.call("/api/v1/me", { token: account.token })).status).toBe(200);
	});

	it("answers a preflight from a foreign origin without CORS grants and echoes our own with credentials", async () => {
		const preflight = (origin: string) =>
			client.call("/api/v1/auth/logout", {
				method: "OPTIONS",
				headers: {
					Origin: origin,
					"Access-Control-Request-Method": "POST",
					"Access-Control-Request-Headers": "authorization, content-type",
				},
			});
		const foreign = await preflight(evil);
		expect(foreign.headers.get("Access-Control-Allow-Origin")).toBeNull();
		const portal = client.origin("seller");
		const own = await preflight(portal);
		expect(own.headers.get("Access-Control-Allow-Origin")).toBe(portal);
		expect(own.headers.get("Access-Control-Allow-Credentials")).toBe("true");
	});
});

describe("caching", () => {
	it("marks authenticated responses no-store, the platform's and the user Worker's", async () => {
		const account = await client.register("investor");
		const [me, listings] = await Promise.all([
			client.call("/api/v1/me", { token: account.token }),
			client.call("/api/v1/listings", { token: account.token }),
		]);
		expect(me.status).toBe(200);
		expect(me.headers.get("Cache-Control")).toBe("no-store");
		expect(listings.status).toBe(200);
		expect(listings.headers.get("Cache-Control")).toBe("no-store");
	});
});
