/**
 * The negotiation room and the payment page in real browsers (headless Chromium) against the local
 * topology with the local Stripe stand-in. Setup that is not the point — accounts, the seller's
 * payout onboarding, listings, opening a thread — goes through the API; what is the point is done
 * on the pages: a buyer and a seller, each in their own signed-in context, see the thread live
 * (each other online, the other's counter and chat without a reload), the buyer accepts, pays on
 * the stand-in's Checkout page like a person, and comes back to a page that waits for the
 * webhook-confirmed status — held back here until the test lets it through, so "confirming" is
 * seen for certain — and then shows the money held, while the seller's room hears it live.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { type Checkout, sessionOf, stripeTestApi } from "../support/stripe-test-api.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import { auditPages, collectErrors, launchBrowser, visitor as newVisitor, signInContext } from "./browser.ts";
import { type Account, answerOf, type E2eClient, expectStatus, topologyForFile, waitFor } from "./client.ts";
import { onboardedSeller } from "./deals.ts";

const WORD = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
const TITLE = `Roomly ${WORD}`;

let topology: Topology;
let client: E2eClient;
let browser: Browser;
let origin: string;

topologyForFile(
	{ secrets: testSecrets(), localStripe: true, localMail: true },
	(file) => ({ topology, client } = file),
);

beforeAll(async () => {
	browser = await launchBrowser();
	origin = client.origin();
});

afterAll(async () => {
	await browser?.close();
});

/** A listing of an onboarded seller's and a buyer's open offer on it, all over the API. */
async function openThread(amount_cents: number) {
	const [seller, buyer] = await Promise.all([onboardedSeller(client, topology.stripe?.url), client.register("buyer")]);
	const listing = await client.listing(seller, { title: TITLE });
	const offer = expectStatus(
		await client.api.call(contract.createOffer, {
			token: buyer.token,
			params: { id: listing.id },
			body: { amount_cents, message: "Ready to move fast." },
		}),
		201,
		"making an offer",
	);
	return { seller, buyer, listingId: listing.id, offerId: offer.body.id };
}

/** A browser context signed in as `account` on the apex, its console errors collected. */
async function signedIn(account: Account, options: { width?: number; bypassCSP?: boolean } = {}) {
	const context = await newVisitor(browser, options);
	const errors = collectErrors(context);
	await signInContext(context, origin, { email: account.email, password: account.password });
	return { context, errors, page: await context.newPage() };
}

const linkOf = (page: Page) => page.locator(".room-link");
const situationOf = (page: Page) => page.locator(".room-situation");
const logOf = (page: Page) => page.getByRole("log");

async function live(page: Page): Promise<void> {
	await expect.poll(() => linkOf(page).textContent(), { timeout: 15_000 }).toContain("Live");
}

describe("the negotiation room", () => {
	it("shows the thread live to both parties, relays a counter and a chat line, and pays into escrow", async () => {
		const { seller, buyer, listingId, offerId } = await openThread(2_500_000);
		const [b, s] = await Promise.all([signedIn(buyer), signedIn(seller)]);
		const room = `${origin}/offers/${offerId}`;
		await Promise.all([b.page.goto(room), s.page.goto(room)]);

		// Rendered on the server with its history, then live, each seeing the other online.
		expect(await b.page.getByRole("heading", { level: 1 }).textContent()).toBe(`Offer on ${TITLE}`);
		expect(await logOf(b.page).textContent()).toContain("You offered $25,000.");
		expect(await logOf(s.page).textContent()).toContain("Ready to move fast.");
		await Promise.all([live(b.page), live(s.page)]);
		await expect.poll(() => b.page.getByText("The seller: online").count()).toBe(1);
		await expect.poll(() => s.page.getByText("The buyer: online").count()).toBe(1);
		expect(await situationOf(s.page).textContent()).toBe("Your move: accept, counter or reject the buyer's $25,000.");
		expect(await b.page.getByRole("button", { name: /^Accept/ }).count()).toBe(0);

		// The seller counters on its page; the buyer's page shows it without a reload.
		await s.page.getByLabel("Counter-offer amount (USD)").fill("27,500");
		await s.page.getByLabel("Message (optional)").fill("Includes the domain.");
		await s.page.getByRole("button", { name: "Send counter-offer" }).click();
		await expect.poll(() => logOf(b.page).textContent()).toContain("The seller countered with $27,500.");
		await expect.poll(() => logOf(b.page).textContent()).toContain("Includes the domain.");
		expect(await situationOf(b.page).textContent()).toBe("Your move: accept, counter or reject the seller's $27,500.");
		await expect.poll(() => s.page.getByLabel("Counter-offer amount (USD)").count()).toBe(0);

		// A chat line from the buyer reaches the seller.
		await b.page.getByLabel("Message to the seller").fill("Deal if the domain is in.");
		await b.page.getByRole("button", { name: "Send message" }).click();
		await expect.poll(() => logOf(s.page).textContent()).toContain("Deal if the domain is in.");
		await expect.poll(() => b.page.getByLabel("Message to the seller").inputValue()).toBe("");

		// The buyer accepts; both pages say so.
		await b.page.getByRole("button", { name: "Accept $27,500" }).click();
		await expect
			.poll(() => situationOf(s.page).textContent())
			.toContain("Deal at $27,500. Waiting for the buyer to pay");
		await expect.poll(() => logOf(s.page).textContent()).toContain("The buyer accepted $27,500.");

		// Checkout on the local Stripe's page, its webhooks held so the return page must wait for them.
		const stripe = topology.stripe;
		if (!stripe) throw new Error("the topology runs without the local Stripe");
		stripe.webhooks.hold();
		await b.page.getByRole("button", { name: "Proceed to checkout" }).click();
		await b.page.waitForURL(/\/checkout\/cs_/);
		expect(await b.page.getByLabel("Total due").textContent()).toContain("27,500");
		await b.page.getByRole("button", { name: "Pay by card" }).click();
		await b.page.waitForURL(/\/payments\/pay_[0-9a-z]+\?session=cs_/);
		const paymentId = new URL(b.page.url()).pathname.split("/").pop() ?? "";
		const status = b.page.locator(".payment-status");
		expect(await status.getAttribute("role")).toBe("status");
		expect(await status.textContent()).toContain("Confirming your payment…");
		expect(
			expectStatus(await client.api.call(contract.getPayment, { token: buyer.token, params: { id: paymentId } }), 200)
				.body.status,
		).toBe("pending");

		await stripe.webhooks.release();
		await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain("Paid: the money is held in escrow");
		expect(await b.page.getByRole("button", { name: "Confirm handover" }).count()).toBe(1);
		const paid = expectStatus(
			await client.api.call(contract.getPayment, { token: buyer.token, params: { id: paymentId } }),
			200,
		);
		expect(paid.body).toMatchObject({ status: "paid", amount_cents: 2_750_000, fee_cents: 220_000 });

		// The seller's room hears it live; reloaded, it shows the listing sold.
		await expect
			.poll(() => situationOf(s.page).textContent(), { timeout: 15_000 })
			.toBe("Deal at $27,500: paid, money held in escrow.");
		expect(await s.page.getByRole("link", { name: "See the payment and escrow status" }).getAttribute("href")).toBe(
			`/payments/${paymentId}`,
		);
		await expect
			.poll(
				async () => {
					await s.page.reload();
					return s.page.locator(".lead").textContent();
				},
				{ timeout: 15_000 },
			)
			.toContain("listing status: Sold");
		expect(await s.page.getByRole("link", { name: TITLE }).getAttribute("href")).toBe(`/listings/${listingId}`);

		// The buyer confirms the handover on the payment's page: the money goes to the seller.
		await b.page.getByRole("button", { name: "Confirm handover" }).click();
		await b.page.getByRole("button", { name: "Yes, release the money" }).click();
		await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain("Released to the seller");
		expect(await status.textContent()).toContain("$25,300 went to the seller");

		expect([...b.errors, ...s.errors]).toEqual([]);
		await Promise.all([b.context.close(), s.context.close()]);
	}, 120_000);

	it("shows a refused stale move's detail, then the thread as it now stands", async () => {
		const { seller, buyer, offerId } = await openThread(1_000_000);
		const b = await signedIn(buyer);
		// The buyer's page stops hearing state frames, as on a network that delays them.
		let deaf = false;
		await b.page.routeWebSocket(/\/parties\/negotiation-room\//, (socket) => {
			const server = socket.connectToServer();
			server.onMessage((message) => {
				const frame = typeof message === "string" ? (JSON.parse(message) as { type?: string }) : {};
				if (!(deaf && frame.type === "state")) socket.send(message);
			});
		});
		await b.page.goto(`${origin}/offers/${offerId}`);
		await live(b.page);
		deaf = true;
		expectStatus(
			await client.api.call(contract.counterOffer, {
				token: seller.token,
				params: { id: offerId },
				body: { amount_cents: 1_200_000, version: 1 },
			}),
			200,
			"the seller's counter",
		);
		expect(await situationOf(b.page).textContent()).toBe("Waiting for the seller to answer your $10,000.");

		await b.page.getByRole("button", { name: "Withdraw my offer" }).click();
		await b.page.getByRole("button", { name: "Yes, withdraw" }).click();
		const alert = b.page.locator(".room-moves [role=alert]");
		await expect.poll(() => alert.textContent()).toContain("Version 1 is stale; the offer is at version 2.");
		await expect
			.poll(() => situationOf(b.page).textContent())
			.toBe("Your move: accept, counter or reject the seller's $12,000.");
		expect(await b.page.getByRole("button", { name: "Accept $12,000" }).count()).toBe(1);
		const thread = expectStatus(
			await client.api.call(contract.getOffer, { token: buyer.token, params: { id: offerId } }),
			200,
		);
		expect(thread.body).toMatchObject({ status: "countered", version: 2 });
		expect(b.errors).toEqual([]);
		await b.context.close();
	});

	it("says when the connection drops, still makes moves over the API meanwhile, and goes live again", async () => {
		const { buyer, offerId } = await openThread(1_500_000);
		const b = await signedIn(buyer);
		// Between the page and the room: while `cut`, every socket is closed as soon as it opens.
		let cut = false;
		const sockets: { close(): Promise<void> }[] = [];
		await b.page.routeWebSocket(/\/parties\/negotiation-room\//, (socket) => {
			if (cut) return void socket.close({ code: 1006 });
			socket.connectToServer();
			sockets.push(socket);
		});
		await b.page.goto(`${origin}/offers/${offerId}`);
		await live(b.page);

		cut = true;
		await Promise.all(sockets.splice(0).map((socket) => socket.close()));
		await expect.poll(() => linkOf(b.page).textContent()).toBe("Connection lost. Reconnecting…");
		expect(await b.page.getByText("The seller: unknown").count()).toBe(1);
		expect(await b.page.getByRole("button", { name: "Send message" }).isDisabled()).toBe(true);

		await b.page.getByRole("button", { name: "Withdraw my offer" }).click();
		await b.page.getByRole("button", { name: "Yes, withdraw" }).click();
		await expect.poll(() => situationOf(b.page).textContent()).toBe("This thread is closed: withdrawn at $15,000.");
		expect(await logOf(b.page).textContent()).toContain("You withdrew the offer.");

		cut = false;
		await live(b.page);
		const thread = expectStatus(
			await client.api.call(contract.getOffer, { token: buyer.token, params: { id: offerId } }),
			200,
		);
		expect(thread.body).toMatchObject({ status: "withdrawn", version: 2 });
		expect(b.errors).toEqual([]);
		await b.context.close();
	}, 90_000);

	it("answers a signed-in visitor who is no party with the 404 page, and sends a guest to sign in", async () => {
		const [{ offerId }, stranger] = await Promise.all([openThread(900_000), client.register("buyer")]);
		const other = await signedIn(stranger);
		const res = await other.page.goto(`${origin}/offers/${offerId}`);
		expect(res?.status()).toBe(404);
		expect(await other.page.getByRole("heading", { level: 1 }).textContent()).toBe("Offer not found");
		expect(await other.page.locator("main").textContent()).not.toContain(TITLE);
		await other.context.close();

		const guest = await newVisitor(browser);
		const page = await guest.newPage();
		await page.goto(`${origin}/offers/${offerId}`);
		expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(
			`/sign-in?next=${encodeURIComponent(`/offers/${offerId}`)}`,
		);
		await guest.close();
	});

	it("finds no serious axe violations on the room and payment pages, and lets the buyer dispute a held payment", async () => {
		const open = await openThread(3_000_000);
		const paid = await openThread(4_000_000);
		expectStatus(
			await client.api.call(contract.acceptOffer, {
				token: paid.seller.token,
				params: { id: paid.offerId },
				body: { version: 1 },
			}),
			200,
		);
		const checkout = expectStatus(
			await client.api.call(contract.createCheckout, { token: paid.buyer.token, params: { id: paid.offerId } }),
			201,
		).body as Checkout;
		await stripeTestApi(topology.stripe?.url, `/checkout/sessions/${sessionOf(checkout)}/pay`, { method: "card" });
		await waitFor(async () => {
			const answer = await answerOf<{ status: string }>(client, paid.buyer, `/api/v1/payments/${checkout.payment_id}`);
			return answer.body.status === "paid" ? true : undefined;
		}, 15_000);

		const as = (account: Account) => async (width: number) =>
			(await signedIn(account, { width, bypassCSP: true })).context;
		const found = {
			...(await auditPages(as(open.seller), [{ name: "room-open", path: `/offers/${open.offerId}` }], origin)),
			...(await auditPages(as(paid.seller), [{ name: "room-paid", path: `/offers/${paid.offerId}` }], origin)),
			...(await auditPages(
				as(paid.buyer),
				[{ name: "payment-held", path: `/payments/${checkout.payment_id}` }],
				origin,
			)),
		};
		expect(found).toEqual({});

		// The buyer disputes the held payment: a reason is required, then the release is frozen.
		const b = await signedIn(paid.buyer);
		await b.page.goto(`${origin}/payments/${checkout.payment_id}`);
		const reason = b.page.getByLabel(/^Something wrong\?/);
		await b.page.getByRole("button", { name: "Open a dispute" }).click();
		await expect.poll(() => reason.getAttribute("aria-invalid")).toBe("true");
		expect(await b.page.locator("#dispute-reason-error").textContent()).toBe("Say what went wrong with the handover.");
		await reason.fill("The domain was never transferred.");
		await b.page.getByRole("button", { name: "Open a dispute" }).click();
		await expect
			.poll(() => b.page.locator(".payment-status").textContent())
			.toContain("Disputed: the release is frozen");
		expect(await b.page.locator(".payment-dates").textContent()).toContain("The domain was never transferred.");
		expect(b.errors).toEqual([]);
		await b.context.close();
	}, 120_000);
});
