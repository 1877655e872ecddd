/**
 * Notification preferences and the one-click unsubscribe over the dispatch Worker (workerd):
 * defaults on, a PATCH changes only what it names, essential kinds refuse `false` naming the field,
 * and `POST /api/v1/notifications/unsubscribe` turns one kind off for a genuine token, without a
 * session, while a forged, altered or malformed one is a 400 that changes nothing.
 */
import { describe, expect, it } from "vitest";
import { notificationKinds } from "../../shared/notifications/kinds.ts";
import { isEnabled } from "../../shared/notifications/preferences.ts";
import { unsubscribeToken } from "../../shared/notifications/unsubscribe-token.ts";
import { bindings, call, get, signUp } from "./recovery.test.helpers.ts";

const PATH = "/api/v1/me/notifications";

const patch = (token: string, body: unknown) =>
	call(PATH, {
		method: "PATCH",
		headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
		body: JSON.stringify(body),
	});

const oneClick = (token: string, headers: Record<string, string> = {}) =>
	call(`/api/v1/notifications/unsubscribe?token=${encodeURIComponent(token)}`, {
		method: "POST",
		headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
		body: "List-Unsubscribe=One-Click",
	});

describe("GET/PATCH /api/v1/me/notifications", () => {
	it("starts with every kind on and instant matches", async () => {
		const account = await signUp("buyer");
		const res = await get(PATH, account.token);
		expect(res.status).toBe(200);
		const body = (await res.json()) as Record<string, unknown>;
		for (const kind of notificationKinds) expect(body[kind]).toBe(true);
		expect(body.digest).toBe("instant");
		expect(body.essential).toEqual(["verification", "password_reset", "password_changed", "email_change"]);
	});

	it("changes only the kinds it names, and back again", async () => {
		const account = await signUp("seller");
		const off = await patch(account.token, { offer_received: false, payment_paid: false, digest: "daily" });
		expect(off.status).toBe(200);
		const body = (await off.json()) as Record<string, unknown>;
		expect(body).toMatchObject({ offer_received: false, payment_paid: false, offer_countered: true, digest: "daily" });
		expect(await isEnabled(bindings.DB, account.userId, "offer_received")).toBe(false);
		expect(await isEnabled(bindings.DB, account.userId, "offer_countered")).toBe(true);

		const on = await patch(account.token, { offer_received: true });
		expect(((await on.json()) as Record<string, unknown>).offer_received).toBe(true);
		const again = (await (await get(PATH, account.token)).json()) as Record<string, unknown>;
		expect(again).toMatchObject({ offer_received: true, payment_paid: false, digest: "daily" });
	});

	it("refuses to turn an essential e-mail off, naming the field, and changes nothing", async () => {
		const account = await signUp("buyer");
		const res = await patch(account.token, { password_reset: false, offer_received: false });
		expect(res.status).toBe(400);
		const problem = (await res.json()) as { errors: { field: string; message: string }[] };
		expect(problem.errors.map((error) => error.field)).toContain("password_reset");
		expect(await isEnabled(bindings.DB, account.userId, "offer_received")).toBe(true);
		// Naming an essential kind as `true` is allowed (a form may send every box).
		expect((await patch(account.token, { verification: true })).status).toBe(200);
	});

	it("refuses unknown kinds, bad values and a missing session", async () => {
		const account = await signUp("buyer");
		expect((await patch(account.token, { offers: false })).status).toBe(400);
		expect((await patch(account.token, { digest: "weekly" })).status).toBe(400);
		expect((await patch(account.token, { offer_received: "no" })).status).toBe(400);
		expect((await call(PATH)).status).toBe(401);
	});
});

describe("POST /api/v1/notifications/unsubscribe", () => {
	it("turns the token's kind off without a session, and a repeat is the same 200", async () => {
		const account = await signUp("seller");
		const token = await unsubscribeToken(bindings.UNSUBSCRIBE_SECRET, account.userId, "offer_received");
		const res = await oneClick(token);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ kind: "offer_received", unsubscribed: true });
		expect(await isEnabled(bindings.DB, account.userId, "offer_received")).toBe(false);
		expect(await isEnabled(bindings.DB, account.userId, "offer_accepted")).toBe(true);
		expect((await oneClick(token)).status).toBe(200);
		// A stale session cookie and no body at all are no obstacle either.
		const bare = await call(`/api/v1/notifications/unsubscribe?token=${encodeURIComponent(token)}`, {
			method: "POST",
			headers: { Cookie: "__Host-session=stale" },
		});
		expect(bare.status).toBe(200);
	});

	it("refuses forged, altered and malformed tokens with a 400 that changes nothing", async () => {
		const account = await signUp("seller");
		const genuine = await unsubscribeToken(bindings.UNSUBSCRIBE_SECRET, account.userId, "offer_received");
		const otherKey = await unsubscribeToken("not-our-secret", account.userId, "offer_received");
		const otherKind = genuine.replace(".offer_received.", ".payment_paid.");
		const victim = await signUp("buyer");
		const otherUser = genuine.replace(account.userId, victim.userId);
		for (const token of [otherKey, otherKind, otherUser, "v1.garbage", `${genuine}x`, "x".repeat(300)]) {
			const res = await oneClick(token);
			expect(res.status, token).toBe(400);
		}
		expect((await call("/api/v1/notifications/unsubscribe", { method: "POST" })).status).toBe(400);
		expect(await isEnabled(bindings.DB, account.userId, "offer_received")).toBe(true);
		expect(await isEnabled(bindings.DB, account.userId, "payment_paid")).toBe(true);
		expect(await isEnabled(bindings.DB, victim.userId, "offer_received")).toBe(true);
	});
});
