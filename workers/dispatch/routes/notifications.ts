/**
 * Notification preferences and the one-click unsubscribe (shared/contract/routes/notifications.ts),
 * served by the dispatch Worker: preferences are the user's (beside `users` in D1, read and
 * written in shared/notifications/preferences.ts), and the unsubscribe comes from no caller at all,
 * only a signed token (shared/notifications/unsubscribe-token.ts), so there is no tenant to
 * forward it to. The consumers Worker reads the same rows when it sends (workers/consumers/email.ts).
 */
import { contractApp } from "../../../shared/contract/app.ts";
import { notificationsRoutes as r } from "../../../shared/contract/routes/notifications.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { essentialKinds, type NotificationKind, notificationKinds } from "../../../shared/notifications/kinds.ts";
import { type Preferences, readPreferences, updatePreferences } from "../../../shared/notifications/preferences.ts";
import { verifyUnsubscribeToken } from "../../../shared/notifications/unsubscribe-token.ts";
import type { DispatchHono } from "../types.ts";
import { principalOf } from "./auth.ts";

const viewOf = (preferences: Preferences) => ({
	...preferences.kinds,
	digest: preferences.digest,
	essential: [...essentialKinds],
});

const INVALID_LINK = "This unsubscribe link does not work: it is incomplete or was not sent by us.";

export const notifications = contractApp<DispatchHono>()
	.openapi(r.getNotificationPreferences, async (c) => {
		return c.json(viewOf(await readPreferences(c.env.DB, principalOf(c).userId)), 200);
	})
	.openapi(r.updateNotificationPreferences, async (c) => {
		const body = c.req.valid("json");
		const userId = principalOf(c).userId;
		const kinds: Partial<Record<NotificationKind, boolean>> = {};
		for (const kind of notificationKinds) {
			const on = body[kind];
			if (on !== undefined) kinds[kind] = on;
		}
		await updatePreferences(c.env.DB, userId, { kinds, digest: body.digest }, new Date());
		return c.json(viewOf(await readPreferences(c.env.DB, userId)), 200);
	})
	.openapi(r.unsubscribe, async (c) => {
		const { token } = c.req.valid("query");
		const claims = await verifyUnsubscribeToken(c.env.UNSUBSCRIBE_SECRET, token);
		if (!claims) {
			throw new HttpProblem({
				reason: "bad_request",
				detail: INVALID_LINK,
				errors: [{ field: "token", message: "is not a valid unsubscribe token" }],
			});
		}
		// The body (`List-Unsubscribe=One-Click`) says nothing the token does not; drain it unread.
		await c.req.raw.body?.cancel();
		await updatePreferences(c.env.DB, claims.userId, { kinds: { [claims.kind]: false } }, new Date());
		return c.json({ kind: claims.kind, unsubscribed: true as const }, 200);
	});
