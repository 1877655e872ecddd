/**
 * `POST /webhooks/stripe` through the whole edge: only a delivery signed with the webhook secret
 * over these exact bytes, within 300 s, is recorded and queued — once, however often Stripe
 * delivers it; anything else is a 400 that records nothing; a queue that refuses is a 503, and the
 * redelivery then queues the event.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { toHex } from "../../shared/encoding.ts";
import { app } from "./app.ts";

const worker = (exports as unknown as { default: Fetcher }).default;
const bindings = env as unknown as DispatchEnv;
const SECRET = bindings.STRIPE_WEBHOOK_SECRET;

async function sign(payload: string, secret: string, timestamp: number): Promise<string> {
	const key = await crypto.subtle.importKey(
		"raw",
		new TextEncoder().encode(secret),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign"],
	);
	const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp}.${payload}`));
	return toHex(new Uint8Array(mac));
}

function stripeEvent(overrides: Record<string, unknown> = {}) {
	return JSON.stringify({
		id: `evt_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
		object: "event",
		api_version: "2025-01-27.acacia",
		created: Math.floor(Date.now() / 1000),
		type: "checkout.session.completed",
		livemode: false,
		pending_webhooks: 1,
		request: { id: null, idempotency_key: null },
		data: { object: { id: "cs_test_1", object: "checkout.session", amount_total: 100 } },
		...overrides,
	});
}

async function signature(payload: string, options: { secret?: string; at?: number; extra?: string[] } = {}) {
	const at = options.at ?? Math.floor(Date.now() / 1000);
	const v1 = await sign(payload, options.secret ?? SECRET, at);
	return [`t=${at}`, ...(options.extra ?? []), `v1=${v1}`].join(",");
}

const deliver = (payload: string, header: string | null) =>
	worker.fetch("https://techflunky.com/webhooks/stripe", {
		method: "POST",
		headers: {
			"Content-Type": "application/json",
			"CF-Connecting-IP": `198.51.100.${Math.floor(Math.random() * 250) + 1}`,
			...(header === null ? {} : { "Stripe-Signature": header }),
		},
		body: payload,
	});

async function recorded(id: string) {
	return bindings.DB.prepare("SELECT id, type, queued_at FROM stripe_events WHERE id = ?")
		.bind(id)
		.first<{ id: string; type: string; queued_at: string | null }>();
}

const idOf = (payload: string) => (JSON.parse(payload) as { id: string }).id;

describe("POST /webhooks/stripe", () => {
	it("records and queues a verified event, and answers a redelivery as a duplicate", async () => {
		const send = vi.spyOn(bindings.PAYMENT_EVENTS, "send");
		const payload = stripeEvent();
		const first = await deliver(payload, await signature(payload));
		expect(first.status).toBe(200);
		expect(await first.json()).toEqual({ received: true, duplicate: false });
		const again = await deliver(payload, await signature(payload));
		expect(await again.json()).toEqual({ received: true, duplicate: true });
		expect(await recorded(idOf(payload))).toMatchObject({
			type: "checkout.session.completed",
			queued_at: expect.any(String),
		});
		const queued = send.mock.calls.filter(([body]) => (body as { id: string }).id === idOf(payload));
		expect(queued).toHaveLength(1);
		expect(queued[0]?.[0]).toMatchObject({ kind: "stripe.event", id: idOf(payload), object: { id: "cs_test_1" } });
		send.mockRestore();
	});

	it("refuses a delivery without a signature header and records nothing", async () => {
		const payload = stripeEvent();
		const res = await deliver(payload, null);
		expect(res.status).toBe(400);
		expect(res.headers.get("Content-Type")).toBe("application/problem+json");
		expect(await recorded(idOf(payload))).toBeNull();
	});

	it("refuses a delivery signed with another secret", async () => {
		const payload = stripeEvent();
		const res = await deliver(payload, await signature(payload, { secret: "whsec_not_ours" }));
		expect(res.status).toBe(400);
		expect(await recorded(idOf(payload))).toBeNull();
	});

	it("refuses a delivery signed more than 300 seconds ago", async () => {
		const payload = stripeEvent();
		const res = await deliver(payload, await signature(payload, { at: Math.floor(Date.now() / 1000) - 301 }));
		expect(res.status).toBe(400);
		expect(await recorded(idOf(payload))).toBeNull();
	});

	it("accepts a delivery with two v1 signatures of which one is valid (a rotated secret)", async () => {
		const payload = stripeEvent();
		const at = Math.floor(Date.now() / 1000);
		const stale = await sign(payload, "whsec_the_old_secret", at);
		const res = await deliver(payload, await signature(payload, { at, extra: [`v1=${stale}`] }));
		expect(res.status).toBe(200);
		expect(await recorded(idOf(payload))).not.toBeNull();
	});

	it("refuses a payload with one byte changed after signing", async () => {
		const payload = stripeEvent();
		const header = await signature(payload);
		const tampered = payload.replace('"amount_total":100', '"amount_total":900');
		expect(tampered).not.toBe(payload);
		const res = await deliver(tampered, header);
		expect(res.status).toBe(400);
		expect(await recorded(idOf(payload))).toBeNull();
	});

	it("answers 503 when the queue refuses, and queues the event on the redelivery", async () => {
		const payload = stripeEvent();
		const failing = { ...bindings, PAYMENT_EVENTS: { send: () => Promise.reject(new Error("queue down")) } };
		const request = async () =>
			new Request("https://techflunky.com/webhooks/stripe", {
				method: "POST",
				headers: {
					"Content-Type": "application/json",
					"CF-Connecting-IP": "198.51.100.7",
					"Stripe-Signature": await signature(payload),
				},
				body: payload,
			});
		const ctx = createExecutionContext();
		const refused = await app.fetch(await request(), failing as unknown as DispatchEnv, ctx);
		await waitOnExecutionContext(ctx);
		expect(refused.status).toBe(503);
		expect(await recorded(idOf(payload))).toMatchObject({ queued_at: null });
		const retried = await deliver(payload, await signature(payload));
		expect(await retried.json()).toEqual({ received: true, duplicate: false });
		expect(await recorded(idOf(payload))).toMatchObject({ queued_at: expect.any(String) });
	});
});
