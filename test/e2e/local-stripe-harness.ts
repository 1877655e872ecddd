/**
 * What the local Stripe e2e tests share: the stand-in on a free port, the official `stripe` SDK
 * pointed at it with host/port/protocol, a webhook receiver that verifies every delivery with the
 * SDK's `constructEventAsync`, and shortcuts for the steps the flows start from. Every call goes
 * through the SDK or the stand-in's HTTP test API, as the platform and its tests will make them.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { platformCalls } from "../../stand-ins/stripe/platform-calls.ts";
import { type LocalStripe, startLocalStripe } from "../../stand-ins/stripe/server.ts";

export const SECRET = `whsec_${randomBytes(24).toString("base64")}`;
export const ORIGIN = "http://localhost:8787";

/** A webhook endpoint: verifies each delivery with the SDK; can be told to fail the next ones. */
export class Receiver {
	readonly events: Stripe.Event[] = [];
	rejected = 0;
	failNext = 0;
	#server: Server | undefined;
	readonly #secret: string;

	constructor(secret: string) {
		this.#secret = secret;
	}

	async start(): Promise<string> {
		const server = createServer(async (req, res) => {
			let body = "";
			for await (const chunk of req) body += chunk;
			if (this.failNext > 0) {
				this.failNext -= 1;
				res.writeHead(500).end();
				return;
			}
			try {
				const header = String(req.headers["stripe-signature"] ?? "");
				this.events.push(await Stripe.webhooks.constructEventAsync(body, header, this.#secret));
				res.writeHead(200).end();
			} catch {
				this.rejected += 1;
				res.writeHead(400).end();
			}
		});
		this.#server = server;
		await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
		return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
	}

	/** Events about one object (its id in `data.object`), in arrival order. */
	about(id: string): Stripe.Event[] {
		return this.events.filter((event) => (event.data.object as { id?: string }).id === id);
	}

	async waitFor(id: string, type: string, count = 1): Promise<Stripe.Event[]> {
		const deadline = Date.now() + 5000;
		for (;;) {
			const found = this.about(id).filter((event) => event.type === type);
			if (found.length >= count) return found;
			if (Date.now() > deadline)
				throw new Error(
					`no ${type} for ${id}; got ${this.about(id)
						.map((e) => e.type)
						.join(", ")}`,
				);
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	close(): void {
		this.#server?.close();
	}
}

/** The `index`th event of a list the test just waited for. */
export function nth(events: Stripe.Event[], index = 0): Stripe.Event {
	const event = events[index];
	if (!event) throw new Error(`expected at least ${index + 1} events, got ${events.length}`);
	return event;
}

export interface Harness {
	local: LocalStripe;
	stripe: Stripe;
	/** The stand-in's origin over 127.0.0.1 (its `url` says localhost, for browsers). */
	base: string;
	receiver: Receiver;
	receiverUrl: string;
	/** What the stand-in logged (given-up deliveries). */
	logs: string[];
	stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
	const receiver = new Receiver(SECRET);
	const receiverUrl = await receiver.start();
	const logs: string[] = [];
	const local = await startLocalStripe({
		port: 0,
		webhookUrl: receiverUrl,
		webhookSecret: SECRET,
		achSettleDelayMs: null,
		webhookRetryDelaysMs: [50, 100],
		log: (message) => logs.push(message),
	});
	const stripe = new Stripe(`sk_test_${randomBytes(12).toString("hex")}`, { ...local.sdkConfig, maxNetworkRetries: 0 });
	return {
		local,
		stripe,
		base: `http://127.0.0.1:${local.port}`,
		receiver,
		receiverUrl,
		logs,
		stop: async () => {
			await local.stop();
			receiver.close();
		},
	};
}

export async function testApi<T = Record<string, unknown>>(
	h: Harness,
	path: string,
	body: unknown = {},
	method = "POST",
): Promise<T> {
	const res = await fetch(`${h.base}${path}`, {
		method,
		headers: { "Content-Type": "application/json" },
		...(method === "GET" ? {} : { body: JSON.stringify(body) }),
	});
	const json = (await res.json()) as T;
	if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(json)}`);
	return json;
}

export async function onboardedAccount(h: Harness): Promise<Stripe.Account> {
	const account = await h.stripe.accounts.create(platformCalls.createAccount("seller_e2e", "seller@e2e.test"));
	await testApi(h, `/_test/accounts/${account.id}/onboard`);
	return h.stripe.accounts.retrieve(account.id);
}

export async function openSession(h: Harness, amountCents = 12_500_000, methods?: ("card" | "us_bank_account")[]) {
	const paymentId = `pay_${randomBytes(6).toString("hex")}`;
	const session = await h.stripe.checkout.sessions.create(
		platformCalls.createCheckoutSession({
			paymentId,
			offerId: "off_e2e",
			listingTitle: "Invoicely",
			amountCents,
			currency: "usd",
			buyerEmail: "buyer@e2e.test",
			origin: ORIGIN,
			...(methods ? { methods } : {}),
		}),
	);
	return { session, paymentId };
}

/** A session paid by card, with its PaymentIntent and charge. */
export async function paidByCard(h: Harness, amountCents?: number) {
	const { session, paymentId } = await openSession(h, amountCents);
	await testApi(h, `/_test/checkout/sessions/${session.id}/pay`, { method: "card" });
	const intent = await h.stripe.paymentIntents.retrieve(
		(await h.stripe.checkout.sessions.retrieve(session.id)).payment_intent as string,
		platformCalls.retrievePaymentIntent(),
	);
	return { session, paymentId, intent, charge: intent.latest_charge as Stripe.Charge };
}
