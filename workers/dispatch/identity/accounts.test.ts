import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signedIn } from "../../../test/support/sessions.ts";
import { claimTotpStep, disableMfa, enableMfa, setPendingMfa } from "./accounts.ts";

const bindings = env as unknown as DispatchEnv;
const at = () => new Date().toISOString();

describe("single-use TOTP steps in D1", () => {
	it("lets only the first of two claims on one step through", async () => {
		const { userId } = await signedIn(bindings, "buyer");
		const [first, second] = await Promise.all([
			claimTotpStep(bindings.DB, userId, 1000, at()),
			claimTotpStep(bindings.DB, userId, 1000, at()),
		]);
		expect([first, second].sort()).toEqual([false, true]);
	});

	it("refuses a step at or before the last one used, and accepts a later one", async () => {
		const { userId } = await signedIn(bindings, "buyer");
		expect(await claimTotpStep(bindings.DB, userId, 500, at())).toBe(true);
		expect(await claimTotpStep(bindings.DB, userId, 499, at())).toBe(false);
		expect(await claimTotpStep(bindings.DB, userId, 500, at())).toBe(false);
		expect(await claimTotpStep(bindings.DB, userId, 501, at())).toBe(true);
	});

	it("spends the enabling and disabling codes' steps too", async () => {
		const { userId } = await signedIn(bindings, "seller");
		await setPendingMfa(bindings.DB, userId, "v1.pending", at());
		expect(await enableMfa(bindings.DB, userId, "v1.enabled", 700, at())).toBe(true);
		expect(await claimTotpStep(bindings.DB, userId, 700, at())).toBe(false);
		expect(await disableMfa(bindings.DB, userId, 700, at())).toBe(false);
		expect(await disableMfa(bindings.DB, userId, 701, at())).toBe(true);
		expect(await claimTotpStep(bindings.DB, userId, 701, at())).toBe(false);
	});
});
