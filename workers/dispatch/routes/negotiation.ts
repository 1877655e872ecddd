/**
 * `GET /parties/negotiation-room/{offerId}`: the negotiation WebSocket. The caller is
 * authenticated by the edge chain before the room is touched (token in `?token=`, the session
 * cookie or `Authorization`); here the D1 registry decides whether it is a party to the thread
 * (or an admin), and only then is the upgrade handed to the room, with the caller's identity in
 * headers only the dispatch Worker can set (the room is reachable through its binding alone).
 *
 * A cookie-authenticated upgrade must come from the request's own origin: browsers send cookies
 * on cross-site WebSocket handshakes, and the same-origin policy does not cover WebSockets.
 */
import {
	ACTOR_HEADER,
	ROLE_HEADER,
	SESSION_HEADER,
	USER_HEADER,
} from "../../../durable-objects/negotiation-room/negotiation-room.ts";
import { contractApp } from "../../../shared/contract/app.ts";
import { platformRoutes as r } from "../../../shared/contract/routes/platform.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import type { DispatchHono } from "../types.ts";

export const negotiation = contractApp<DispatchHono>().openapi(r.joinNegotiationRoom, async (c) => {
	const { offerId } = c.req.valid("param");
	if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
		throw new HttpProblem({ reason: "bad_request", detail: "This endpoint speaks WebSocket only." });
	}
	const principal = c.get("principal");
	if (!principal) throw new HttpProblem({ reason: "unauthorized" });
	if (principal.credentials === "cookie" && c.req.header("Origin") !== new URL(c.req.url).origin) {
		throw new HttpProblem({ reason: "forbidden", detail: "Cross-origin WebSocket connections are not accepted." });
	}
	const admin = principal.role === "admin";
	const party = await c.env.DB.prepare(
		"SELECT 1 AS ok FROM offers WHERE id = ? AND (? = 1 OR buyer_tenant_id = ? OR seller_tenant_id = ?)",
	)
		.bind(offerId, admin ? 1 : 0, principal.tenantId, principal.tenantId)
		.first();
	if (!party) throw new HttpProblem({ reason: "not_found" });

	const headers = new Headers(c.req.raw.headers);
	for (const name of ["Authorization", "Cookie", ACTOR_HEADER, ROLE_HEADER, USER_HEADER, SESSION_HEADER]) {
		headers.delete(name);
	}
	headers.set(ACTOR_HEADER, principal.tenantId);
	headers.set(ROLE_HEADER, principal.role);
	headers.set(USER_HEADER, principal.userId);
	headers.set(SESSION_HEADER, principal.sessionId);
	const url = new URL(c.req.url);
	url.searchParams.delete("token");
	return c.env.NegotiationRoom.getByName(offerId).fetch(new Request(url, { headers }));
});
