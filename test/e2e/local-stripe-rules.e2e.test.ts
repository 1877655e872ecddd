/**
 * The local Stripe stand-in's API rules and webhook delivery as a client sees them: idempotency
 * keys replayed and refused like Stripe's, unknown parameters, missing keys and missing objects
 * answered with Stripe's errors through the SDK's error classes; deliveries retried until a 2xx,
 * redelivered, reordered on request, and signed so that another secret fails verification.
 */
import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { platformCalls } from "../../stand-ins/stripe/platform-calls.ts";
import { type Harness, nth, openSession, paidByCard, Receiver, startHarness, testApi } from "./local-stripe-harness.ts";

let h: Harness;

beforeAll(async () => {
	h = await startHarness();
});

afterAll(async () => {
	await h?.stop();
});

describe("Stripe's API rules", () => {
	it("replays a request with the same idempotency key, and does it once", async () => {
		const { intent, paymentId } = await paidByCard(h, 100_000);
		const key = `refund-${randomBytes(6).toString("hex")}`;
		const first = await h.stripe.refunds.create(platformCalls.createRefund(intent.id, paymentId, 100), {
			idempotencyKey: key,
		});
		const second = await h.stripe.refunds.create(platformCalls.createRefund(intent.id, paymentId, 100), {
			idempotencyKey: key,
		});
		expect(second.id).toBe(first.id);
		expect(second.lastResponse.headers["idempotent-replayed"]).toBe("true");
		expect((await h.stripe.charges.retrieve(first.charge as string)).amount_refunded).toBe(100);
	});

	it("refuses the same idempotency key with other parameters", async () => {
		const { intent, paymentId } = await paidByCard(h, 100_000);
		const key = `refund-${randomBytes(6).toString("hex")}`;
		await h.stripe.refunds.create(platformCalls.createRefund(intent.id, paymentId, 100), { idempotencyKey: key });
		await expect(
			h.stripe.refunds.create(platformCalls.createRefund(intent.id, paymentId, 200), { idempotencyKey: key }),
		).rejects.toMatchObject({ type: "StripeIdempotencyError", statusCode: 400 });
	});

	it("refuses an unknown parameter with a 400 naming it", async () => {
		await expect(
			h.stripe.accounts.create({
				...platformCalls.createAccount("s", "s@seller.test"),
				nickname: "x",
			} as Stripe.AccountCreateParams),
		).rejects.toMatchObject({
			type: "StripeInvalidRequestError",
			statusCode: 400,
			code: "parameter_unknown",
			param: "nickname",
			message: "Received unknown parameter: nickname",
		});
	});

	it("answers 401 without a valid test key", async () => {
		const bare = await fetch(`${h.base}/v1/accounts/acct_x`);
		expect(bare.status).toBe(401);
		expect(((await bare.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
		const live = new Stripe("sk_live_notatestkey", { ...h.local.sdkConfig, maxNetworkRetries: 0 });
		await expect(live.accounts.retrieve("acct_x")).rejects.toMatchObject({
			type: "StripeAuthenticationError",
			statusCode: 401,
		});
	});

	it("answers 404 resource_missing for an id that names nothing", async () => {
		await expect(h.stripe.checkout.sessions.retrieve("cs_test_missing")).rejects.toMatchObject({
			statusCode: 404,
			code: "resource_missing",
			param: "session",
		});
	});
});

describe("webhook delivery", () => {
	it("retries a failed delivery until the endpoint answers 2xx", async () => {
		const account = await h.stripe.accounts.create(platformCalls.createAccount("seller_r", "r@seller.test"));
		h.receiver.failNext = 2;
		await testApi(h, `/_test/accounts/${account.id}/onboard`);
		await h.receiver.waitFor(account.id, "account.updated");
		await h.local.idle();
		const record = h.local.events().find((event) => event.event.data.object.id === account.id);
		expect(record?.state).toBe("delivered");
		expect(record?.deliveries.map((delivery) => delivery.status)).toEqual([500, 500, 200]);
	});

	it("redelivers an event, and can deliver the same event twice", async () => {
		const account = await h.stripe.accounts.create(platformCalls.createAccount("seller_d", "d@seller.test"));
		await testApi(h, `/_test/accounts/${account.id}/onboard`);
		const event = nth(await h.receiver.waitFor(account.id, "account.updated"));
		const { deliveries } = await testApi<{ deliveries: { ok: boolean }[] }>(h, `/_test/events/${event.id}/redeliver`, {
			times: 2,
		});
		expect(deliveries.map((delivery) => delivery.ok)).toEqual([true, true]);
		expect(h.receiver.about(account.id).map((e) => e.id)).toEqual([event.id, event.id, event.id]);
	});

	it("delivers held events out of order on request", async () => {
		const { session } = await openSession(h, 100_000);
		await testApi(h, "/_test/webhooks/hold");
		await testApi(h, `/_test/checkout/sessions/${session.id}/pay`, { method: "bank" });
		await testApi(h, `/_test/checkout/sessions/${session.id}/settle`);
		const { released } = await testApi<{ released: string[] }>(h, "/_test/webhooks/release", { order: "reverse" });
		expect(released).toHaveLength(2);
		await h.receiver.waitFor(session.id, "checkout.session.completed");
		expect(h.receiver.about(session.id).map((event) => event.type)).toEqual([
			"checkout.session.async_payment_succeeded",
			"checkout.session.completed",
		]);
		const listed = await testApi<{ data: { id: string; type: string; state: string }[] }>(
			h,
			"/_test/events",
			undefined,
			"GET",
		);
		const [first, second] = released.map((id) => listed.data.find((event) => event.id === id));
		expect([first?.type, second?.type]).toEqual([
			"checkout.session.async_payment_succeeded",
			"checkout.session.completed",
		]);
		expect([first?.state, second?.state]).toEqual(["delivered", "delivered"]);

		// A chosen set in a chosen order: completed, then succeeded, then completed again.
		await testApi(h, "/_test/webhooks/deliver", { events: [second?.id, first?.id, second?.id] });
		expect(
			h.receiver
				.about(session.id)
				.map((event) => event.type)
				.slice(2),
		).toEqual(["checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.completed"]);
	});

	it("signs so that another secret fails verification, and gives up after the retries", async () => {
		const stranger = new Receiver("whsec_not_the_platforms_secret");
		const url = await stranger.start();
		await testApi(h, "/_test/webhooks/endpoint", { url });
		try {
			const account = await h.stripe.accounts.create(platformCalls.createAccount("seller_w", "w@seller.test"));
			await testApi(h, `/_test/accounts/${account.id}/onboard`);
			await h.local.idle();
			expect(stranger.rejected).toBe(3);
			expect(stranger.events).toHaveLength(0);
			const record = h.local.events().find((event) => event.event.data.object.id === account.id);
			expect(record?.state).toBe("failed");
			expect(h.logs.some((line) => line.includes(record?.event.id ?? "?") && line.includes("gave up"))).toBe(true);
		} finally {
			await testApi(h, "/_test/webhooks/endpoint", { url: h.receiverUrl });
			stranger.close();
		}
	});
});
