/**
 * Who is calling and for which tenant, before anything is served.
 *
 * 1. The host: `seller.<domain>`, `buyer.<domain>`, the apex or a storefront (ROOT_DOMAIN).
 * 2. The credential: `Authorization: Bearer` (API clients), the `__Host-session` cookie
 *    (browsers), or `?token=` on the negotiation WebSocket alone (handshakes carry no headers). A presented credential that does not verify is a 401, never a silent downgrade
 *    to guest. Sign-in routes ignore credentials, so a stale cookie cannot block signing in again.
 * 3. The tenant: the token's `tid`; an `X-Tenant-ID` must equal it, unless the caller is an admin
 *    acting for that tenant (audited by ./authorize.ts once the session is known live); else 403.
 * 4. The portal: a seller token on the buyer portal, or a buyer/investor token on the seller
 *    portal, is a 403.
 * 5. CSRF: a cookie-authenticated write needs a same-origin `Origin` (or `Sec-Fetch-Site:
 *    same-origin`); any write from a foreign `Origin` is refused.
 *
 * The token verifies under `JWT_SECRET`, or under `JWT_SECRET_PREVIOUS` while a rotation overlaps
 * (shared/auth/rotation.ts); it is always issued under the current one.
 *
 * The token says who the caller was when it was issued; whether its session is still live is
 * decided next, by the rate-limit middleware, in the same Durable Object call as the bucket.
 */
import { createMiddleware } from "hono/factory";
import { verifyToken } from "../../../shared/auth/jwt.ts";
import { secretValues } from "../../../shared/auth/rotation.ts";
import { type Credentials, classifyHost, csrfVerdict, type HostKind } from "../../../shared/http/origins.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { sessionCookie } from "../identity/sessions.ts";
import { noteSecurityEvent } from "../metrics/security.ts";
import type { DispatchHono, Principal } from "../types.ts";

const TENANT_ID = /^(seller|buyer|investor|admin)_[0-9a-z]{1,40}$/;

/** The `Set-Cookie` that makes a browser forget a session cookie that no longer works. */
export const CLEAR_SESSION_COOKIE = "__Host-session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax";

/** 401 for a credential that does not (or no longer does) authenticate; a browser's cookie is cleared. */
export function invalidCredential(credentials: Credentials, detail: string): HttpProblem {
	const headers = new Headers({ "WWW-Authenticate": 'Bearer realm="techflunky", error="invalid_token"' });
	if (credentials === "cookie") headers.set("Set-Cookie", CLEAR_SESSION_COOKIE);
	return new HttpProblem({ reason: "unauthorized", detail }, { headers });
}

function portalAdmits(host: HostKind, role: Principal["role"]): boolean {
	if (host.kind === "seller_portal") return role === "seller" || role === "admin";
	if (host.kind === "buyer_portal") return role !== "seller";
	return true;
}

export const authenticate = createMiddleware<DispatchHono>(async (c, next) => {
	const url = new URL(c.req.url);
	const host = classifyHost(url.host, c.env.ROOT_DOMAIN);
	c.set("host", host);

	const authorization = c.req.header("Authorization");
	let token: string | undefined;
	let credentials: Credentials = "none";
	// The route's policy says how it takes credentials: sign-in ignores whatever the client still
	// holds; only a WebSocket handshake (which carries no headers from a browser) may use `?token=`.
	const accepts = c.get("route")?.["x-policy"].credentials ?? "accepted";
	if (accepts !== "ignored") {
		if (authorization !== undefined) {
			const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(authorization);
			if (!match?.[1]) throw invalidCredential("bearer", "Use `Authorization: Bearer <token>`.");
			token = match[1];
			credentials = "bearer";
		} else if (accepts === "query" && c.req.query("token") !== undefined) {
			// Browsers cannot set headers on a WebSocket handshake; the token may ride in the query.
			token = c.req.query("token");
			credentials = "bearer";
		} else {
			token = sessionCookie(c);
			if (token !== undefined) credentials = "cookie";
		}
	}

	let principal: Principal | null = null;
	if (token !== undefined && credentials !== "none") {
		const claims = await verifyToken(token, secretValues(c.env, "JWT_SECRET"), Date.now());
		if (!claims) {
			noteSecurityEvent(c, "token_rejected");
			throw invalidCredential(credentials, "The token is invalid or has expired.");
		}
		principal = { userId: claims.sub, tenantId: claims.tid, role: claims.role, sessionId: claims.sid, credentials };
	}

	if (principal && !portalAdmits(host, principal.role)) {
		noteSecurityEvent(c, "cross_tenant_denied", principal.tenantId);
		throw new HttpProblem({ reason: "forbidden", detail: "This portal is not for your account type." });
	}

	const requested = c.req.header("X-Tenant-ID");
	let tenantId = principal?.tenantId ?? null;
	let actorTenantId: string | null = null;
	if (requested !== undefined && requested !== tenantId) {
		if (principal?.role !== "admin") {
			noteSecurityEvent(c, "cross_tenant_denied", principal?.tenantId);
			throw new HttpProblem({ reason: "forbidden", detail: "X-Tenant-ID must name your own tenant." });
		}
		if (!TENANT_ID.test(requested)) {
			throw new HttpProblem({ reason: "bad_request", detail: "X-Tenant-ID is not a tenant id." });
		}
		tenantId = requested;
		actorTenantId = principal.tenantId;
	}

	const verdict = csrfVerdict({
		method: c.req.method,
		credentials,
		origin: c.req.header("Origin") ?? null,
		secFetchSite: c.req.header("Sec-Fetch-Site") ?? null,
		requestOrigin: url.origin,
		rootDomain: c.env.ROOT_DOMAIN,
	});
	if (verdict !== "ok") {
		noteSecurityEvent(c, "csrf_rejected", principal?.tenantId);
		throw new HttpProblem({ reason: "forbidden", detail: "Cross-origin writes are not accepted." });
	}

	c.set("principal", principal);
	c.set("tenant", {
		request_id: c.get("requestId"),
		tenant_id: tenantId,
		user_id: principal?.userId ?? null,
		role: principal?.role ?? "guest",
		actor_tenant_id: actorTenantId,
		client_ip: c.get("clientIp"),
	});
	await next();

	// Anything answered to a signed-in caller, or by a route that ignores credentials because it
	// hands them out (sign-in, sign-up), is private to that caller.
	if (principal || accepts === "ignored") c.res.headers.set("Cache-Control", "no-store");
});
