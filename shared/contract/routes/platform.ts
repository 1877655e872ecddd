/**
 * The platform routes' contract (see ../policy.ts), served by the dispatch Worker itself: the
 * health check and the negotiation WebSocket's handshake.
 *
 * The handshake takes its credential as `?token=` too (browsers cannot set headers on a
 * WebSocket), which is what its `credentials: "query"` says; its frames are not HTTP and are
 * described in docs/api.md (the negotiation WebSocket) and shared/offers/protocol.ts, not here.
 */
import { z } from "@hono/zod-openapi";
import { anyone, type ContractRoute, defineRoute, signedIn } from "../policy.ts";
import { json, offerId, problems, signedInSecurity } from "../schemas.ts";

export const healthView = z.object({ status: z.literal("ok") }).strict();

export const platformRoutes = {
	healthCheck: defineRoute({
		method: "get",
		path: "/healthz",
		operationId: "healthCheck",
		tags: ["Platform"],
		summary: "Liveness, never rate limited",
		description: 'Never rate limited. `200 {"status":"ok"}`.',
		responses: {
			200: json(healthView, "The Worker is up"),
			// A credential is still checked when one is sent: a broken one is refused, never ignored.
			...problems(401, 403),
		},
		"x-policy": { allow: anyone, bucket: "none", body: "none", credentials: "accepted", servedBy: "dispatch" },
	}),
	joinNegotiationRoom: defineRoute({
		method: "get",
		path: "/parties/negotiation-room/{offerId}",
		operationId: "joinNegotiationRoom",
		tags: ["Offers"],
		summary: "Open the thread's negotiation WebSocket (`Upgrade: websocket`)",
		description:
			'A WebSocket for a party or an admin (others 404 before the room is touched); the token in `?token=`, the cookie (same-origin `Origin` required) or `Authorization`. Server frames: `{type:"state", offer}` on connect and after every change, to every socket, with `online`; `{type:"chat", from_tenant_id, text, at}`; `{type:"error", status, detail}` to the sender only, with the status and detail the REST route answers for the same refusal (one mapping, `shared/contract/outcomes.ts`); the socket stays open (a session that has ended: 401, then close code 4001). Client frames: `counter {amount_cents, version, message?}`, `accept {version}`, `reject {version}`, `withdraw`, `chat {text}`. Admins may watch, not move (403).',
		security: signedInSecurity,
		request: {
			params: z.object({ offerId }),
			query: z.object({
				token: z
					.string()
					.optional()
					.openapi({ description: "the bearer token, for clients that cannot send `Authorization`" }),
			}),
		},
		responses: {
			101: { description: "Switching Protocols: the socket is open; the room sends the thread's state first" },
			...problems(400, 401, 403, 404, 429, 503),
		},
		"x-policy": {
			allow: signedIn,
			bucket: "caller",
			body: "none",
			credentials: "query",
			servedBy: "dispatch",
			note: "the room admits only the thread's parties and admins",
		},
	}),
} satisfies Record<string, ContractRoute>;
