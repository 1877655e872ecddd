/** The unsubscribe token: round trip, and every way of forging or altering one fails. */
import { describe, expect, it } from "vitest";
import { readUnsubscribeToken, unsubscribeToken, verifyUnsubscribeToken } from "./unsubscribe-token.ts";

const SECRET = "a".repeat(64);
const USER = "usr_0123456789abcdef0123456789abcdef";
const OTHER = "usr_fedcba9876543210fedcba9876543210";

describe("unsubscribe token", () => {
	it("verifies its own user and kind, and is readable for display", async () => {
		const token = await unsubscribeToken(SECRET, USER, "offer_received");
		expect(token.startsWith(`v1.${USER}.offer_received.`)).toBe(true);
		expect(await verifyUnsubscribeToken(SECRET, token)).toEqual({ userId: USER, kind: "offer_received" });
		expect(readUnsubscribeToken(token)).toEqual({ userId: USER, kind: "offer_received" });
	});

	it("refuses another key, another user, another kind, a changed MAC and junk", async () => {
		const token = await unsubscribeToken(SECRET, USER, "offer_received");
		const mac = token.slice(token.lastIndexOf(".") + 1);
		const flipped = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
		const forged = [
			await unsubscribeToken("b".repeat(64), USER, "offer_received"),
			`v1.${OTHER}.offer_received.${mac}`,
			`v1.${USER}.payment_paid.${mac}`,
			`v1.${USER}.verification.${mac}`,
			`v2.${USER}.offer_received.${mac}`,
			flipped,
			`${token}.x`,
			"",
			"v1...",
			"x".repeat(500),
		];
		for (const candidate of forged) expect(await verifyUnsubscribeToken(SECRET, candidate), candidate).toBeNull();
	});
});
