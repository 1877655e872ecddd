/**
 * The notification routes' contract (see ../policy.ts): a signed-in user's e-mail preferences
 * (`GET/PATCH /api/v1/me/notifications`) and the one-click unsubscribe of RFC 8058 (`POST
 * /api/v1/notifications/unsubscribe?token=`). Served by the dispatch Worker: preferences belong to a
 * user, not to a tenant's data, and live beside `users` in D1 like the other account settings; and
 * the unsubscribe has no caller at all (a mail provider posts it), so no tenant to route it to.
 *
 * The body of a PATCH names only what changes. An essential kind (verification, reset, password
 * changed, e-mail change) may be named only as `true`: `false` is a 400 naming that field, because
 * those e-mails cannot be turned off. The unsubscribe's body is the form-encoded
 * `List-Unsubscribe=One-Click` a mail client sends; it is read as raw bytes and not required, so a
 * client that sends something else, or nothing, still unsubscribes: the token is the authority.
 */
import { z } from "@hono/zod-openapi";
import { digestChoices, essentialKinds, notificationKinds } from "../../notifications/kinds.ts";
import { anyone, type ContractRoute, defineRoute, signedIn } from "../policy.ts";
import { json, jsonBody, problems, signedInSecurity } from "../schemas.ts";

const kindFlags = Object.fromEntries(notificationKinds.map((kind) => [kind, z.boolean()])) as {
	[K in (typeof notificationKinds)[number]]: z.ZodBoolean;
};
const essentialFlags = Object.fromEntries(
	essentialKinds.map((kind) => [
		kind,
		z.literal(true, { error: "is an essential e-mail and cannot be turned off" }).optional(),
	]),
) as { [K in (typeof essentialKinds)[number]]: z.ZodOptional<z.ZodLiteral<true>> };

const digest = z.enum(digestChoices).openapi({
	description: "how saved-search matches arrive: one e-mail per match, or at most one per saved search a day",
});

export const notificationPreferencesView = z
	.object({
		...kindFlags,
		digest,
		essential: z
			.array(z.enum(essentialKinds))
			.openapi({ description: "the e-mails that are always sent and cannot be turned off" }),
	})
	.strict()
	.openapi("NotificationPreferences");

export const notificationPreferencesBody = z
	.object({ ...z.object(kindFlags).partial().shape, ...essentialFlags, digest: digest.optional() })
	.strict();

export const unsubscribedView = z
	.object({ kind: z.enum(notificationKinds), unsubscribed: z.literal(true) })
	.strict()
	.openapi("Unsubscribed");

const tags = ["Notifications"];
const signedInJson = { allow: signedIn, bucket: "caller", credentials: "accepted", servedBy: "dispatch" } as const;

export const notificationsRoutes = {
	getNotificationPreferences: defineRoute({
		method: "get",
		path: "/api/v1/me/notifications",
		operationId: "getNotificationPreferences",
		tags,
		summary: "The signed-in user's e-mail notification preferences",
		description: "Every non-essential kind, on (`true`, the default) or off, and the saved-search digest choice.",
		security: signedInSecurity,
		responses: { 200: json(notificationPreferencesView, "The preferences"), ...problems(401, 403, 429, 503) },
		"x-policy": { ...signedInJson, body: "none" },
	}),
	updateNotificationPreferences: defineRoute({
		method: "patch",
		path: "/api/v1/me/notifications",
		operationId: "updateNotificationPreferences",
		tags,
		summary: "Turn notification e-mails on or off, kind by kind",
		description:
			"Names only what changes; answers the preferences after the change. An essential kind set to `false` is a 400 naming it. Applies to e-mails already queued: the preference is read when an e-mail is sent.",
		security: signedInSecurity,
		request: { body: jsonBody(notificationPreferencesBody) },
		responses: {
			200: json(notificationPreferencesView, "The preferences after the change"),
			...problems(400, 401, 403, 413, 415, 429, 503),
		},
		"x-policy": { ...signedInJson, body: "json" },
	}),
	unsubscribe: defineRoute({
		method: "post",
		path: "/api/v1/notifications/unsubscribe",
		operationId: "unsubscribe",
		tags,
		summary: "One-click unsubscribe (RFC 8058) from one kind of e-mail",
		description:
			"The `token` of the e-mail's `List-Unsubscribe` link names the user and the kind and is signed, so it needs no session; the body (`List-Unsubscribe=One-Click`, form-encoded) is not needed. Turns that kind off (again: a repeat is the same 200). A token that is malformed or not ours is 400 and changes nothing.",
		security: [],
		request: {
			query: z.object({
				token: z.string().min(1).max(200).openapi({ description: "the token of the unsubscribe link" }),
			}),
			body: {
				required: false,
				content: {
					"application/x-www-form-urlencoded": {
						schema: { type: "object", description: "List-Unsubscribe=One-Click" },
					},
				},
			},
		},
		responses: { 200: json(unsubscribedView, "That kind is turned off"), ...problems(400, 413, 429, 503) },
		"x-policy": {
			allow: anyone,
			bucket: "caller",
			body: "raw",
			credentials: "ignored",
			servedBy: "dispatch",
			note: "authorized by the signed token, not by a caller; no cookie is read (a foreign `Origin` is still refused; mail providers send none)",
		},
	}),
} satisfies Record<string, ContractRoute>;
