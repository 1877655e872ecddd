import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { buildEvent, signatureHeader } from "./webhooks.ts";

const secret = "whsec_unit_secret";
const event = buildEvent(
	{ type: "account.updated", object: { id: "acct_1", object: "account" } as never, account: "acct_1" },
	{ apiVersion: Stripe.API_VERSION, created: 1_800_000_000, request: { id: null, idempotency_key: null } },
);
const payload = JSON.stringify(event);

describe("webhook signatures", () => {
	it("are what the SDK's constructEventAsync verifies", async () => {
		const now = Math.floor(Date.now() / 1000);
		const verified = await Stripe.webhooks.constructEventAsync(payload, signatureHeader(secret, payload, now), secret);
		expect(verified.id).toBe(event.id);
		expect(verified.type).toBe("account.updated");
	});

	it("fail verification with another secret", async () => {
		const header = signatureHeader(secret, payload, Math.floor(Date.now() / 1000));
		await expect(Stripe.webhooks.constructEventAsync(payload, header, "whsec_other")).rejects.toThrow(
			/No signatures found matching the expected signature/,
		);
	});

	it("fail verification when the body was changed", async () => {
		const header = signatureHeader(secret, payload, Math.floor(Date.now() / 1000));
		await expect(Stripe.webhooks.constructEventAsync(`${payload} `, header, secret)).rejects.toThrow();
	});

	it("fail verification outside the SDK's 300 s tolerance", async () => {
		const old = Math.floor(Date.now() / 1000) - 301;
		await expect(
			Stripe.webhooks.constructEventAsync(payload, signatureHeader(secret, payload, old), secret),
		).rejects.toThrow(/Timestamp outside the tolerance zone/);
	});
});

describe("events", () => {
	it("are shaped like Stripe's, Connect events naming their account", () => {
		expect(event).toMatchObject({
			object: "event",
			type: "account.updated",
			account: "acct_1",
			livemode: false,
			api_version: Stripe.API_VERSION,
			data: { object: { id: "acct_1" } },
		});
		expect(event.id).toMatch(/^evt_/);
	});
});
