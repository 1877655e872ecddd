/**
 * The local Stripe stand-in as the platform will use it, through the official `stripe` SDK: a
 * seller's Express account and onboarding, Checkout paid by card and by bank (settling or
 * failing), expiry, transfers of `amount − fee` with Stripe's refusals, reversals, refunds and
 * disputes — each checked in the API's answers, the pages' redirects and the webhooks Stripe
 * would send, in its order, verified with the SDK's `constructEventAsync`.
 */
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { platformCalls } from "../../stand-ins/stripe/platform-calls.ts";
import {
	type Harness,
	nth,
	ORIGIN,
	onboardedAccount,
	openSession,
	paidByCard,
	startHarness,
	testApi,
} from "./local-stripe-harness.ts";

let h: Harness;

beforeAll(async () => {
	h = await startHarness();
});

afterAll(async () => {
	await h?.stop();
});

describe("seller onboarding", () => {
	it("creates an Express account that can receive nothing yet", async () => {
		const account = await h.stripe.accounts.create(platformCalls.createAccount("seller_1", "ada@seller.test"));
		expect(account.id).toMatch(/^acct_/);
		expect(account).toMatchObject({
			object: "account",
			type: "express",
			email: "ada@seller.test",
			details_submitted: false,
			charges_enabled: false,
			payouts_enabled: false,
			capabilities: { transfers: "inactive" },
			metadata: { tenant_id: "seller_1" },
		});
		expect(account.requirements?.currently_due?.length).toBeGreaterThan(0);
	});

	it("links to an onboarding page that carries the account id and completes onboarding", async () => {
		const account = await h.stripe.accounts.create(platformCalls.createAccount("seller_2", "grace@seller.test"));
		const link = await h.stripe.accountLinks.create(platformCalls.createAccountLink(account.id, ORIGIN));
		expect(link.url).toBe(`${h.local.url}/onboarding/${account.id}`);
		expect(link.expires_at).toBeGreaterThan(link.created);

		const page = await fetch(`${h.base}/onboarding/${account.id}`);
		expect(await page.text()).toContain(">Complete onboarding</button>");
		const submit = await fetch(`${h.base}/onboarding/${account.id}`, {
			method: "POST",
			body: new URLSearchParams({ action: "complete" }),
			redirect: "manual",
		});
		expect(submit.status).toBe(303);
		expect(submit.headers.get("location")).toBe(`${ORIGIN}/sellers/connect/return`);

		const updated = nth(await h.receiver.waitFor(account.id, "account.updated"));
		expect(updated.account).toBe(account.id);
		expect(updated.data.object).toMatchObject({ details_submitted: true, capabilities: { transfers: "active" } });
		expect(updated.data.previous_attributes).toMatchObject({ details_submitted: false });
		expect(await h.stripe.accounts.retrieve(account.id)).toMatchObject({
			charges_enabled: true,
			payouts_enabled: true,
		});

		const again = await fetch(`${h.base}/onboarding/${account.id}`, { redirect: "manual" });
		expect(again.headers.get("location")).toBe(`${ORIGIN}/sellers/connect/refresh`);
	});

	it("onboards from the test API too, with account.updated", async () => {
		const account = await h.stripe.accounts.create(platformCalls.createAccount("seller_3", "linus@seller.test"));
		await testApi(h, `/_test/accounts/${account.id}/onboard`);
		const updated = nth(await h.receiver.waitFor(account.id, "account.updated"));
		expect((updated.data.object as Stripe.Account).capabilities?.transfers).toBe("active");
	});
});

describe("checkout", () => {
	it("opens a session whose URL carries its id, with no PaymentIntent before payment", async () => {
		const { session, paymentId } = await openSession(h);
		expect(session.url).toBe(`${h.local.url}/checkout/${session.id}`);
		expect(session).toMatchObject({
			object: "checkout.session",
			status: "open",
			payment_status: "unpaid",
			payment_intent: null,
			amount_total: 12_500_000,
			currency: "usd",
			allowed_payment_method_types: ["card", "us_bank_account"],
			metadata: { payment_id: paymentId },
		});
		const page = await (await fetch(`${h.base}/checkout/${session.id}`)).text();
		expect(page).toContain("$125,000.00");
		for (const label of ["Pay by card", "Pay by bank (ACH)", "Bank payment fails", "Cancel"])
			expect(page).toContain(`>${label}</button>`);
	});

	it("completes a card payment from the page, paid, and redirects with the session id", async () => {
		const { session, paymentId } = await openSession(h, 100_000);
		const res = await fetch(`${h.base}/checkout/${session.id}`, {
			method: "POST",
			body: new URLSearchParams({ action: "card" }),
			redirect: "manual",
		});
		expect(res.status).toBe(303);
		expect(res.headers.get("location")).toBe(`${ORIGIN}/payments/${paymentId}?session=${session.id}`);
		const completed = nth(await h.receiver.waitFor(session.id, "checkout.session.completed"));
		expect(completed.data.object).toMatchObject({ status: "complete", payment_status: "paid" });

		const read = await h.stripe.checkout.sessions.retrieve(session.id, platformCalls.retrieveSession());
		const intent = read.payment_intent as Stripe.PaymentIntent;
		expect(intent).toMatchObject({
			status: "succeeded",
			transfer_group: paymentId,
			metadata: { payment_id: paymentId },
		});
		const charge = await h.stripe.charges.retrieve(
			(intent.latest_charge as Stripe.Charge).id,
			platformCalls.retrieveCharge(),
		);
		expect(charge).toMatchObject({
			status: "succeeded",
			paid: true,
			transfer_group: paymentId,
			payment_intent: intent.id,
		});
		const fee = charge.balance_transaction as Stripe.BalanceTransaction;
		expect(fee).toMatchObject({ amount: 100_000, fee: 2930, net: 97_070 });
		expect(await h.stripe.balanceTransactions.retrieve(fee.id)).toMatchObject({ fee: 2930 });
	});

	it("completes a bank payment unpaid, then sends async_payment_succeeded when it settles", async () => {
		const { session } = await openSession(h, 100_000);
		await testApi(h, `/_test/checkout/sessions/${session.id}/pay`, { method: "bank" });
		const completed = nth(await h.receiver.waitFor(session.id, "checkout.session.completed"));
		expect(completed.data.object).toMatchObject({ status: "complete", payment_status: "unpaid" });
		const pending = await h.stripe.paymentIntents.retrieve(
			(completed.data.object as Stripe.Checkout.Session).payment_intent as string,
			platformCalls.retrievePaymentIntent(),
		);
		expect(pending.status).toBe("processing");
		expect((pending.latest_charge as Stripe.Charge).status).toBe("pending");

		await testApi(h, `/_test/checkout/sessions/${session.id}/settle`);
		const succeeded = nth(await h.receiver.waitFor(session.id, "checkout.session.async_payment_succeeded"));
		expect(succeeded.data.object).toMatchObject({ payment_status: "paid" });
		expect(h.receiver.about(session.id).map((event) => event.type)).toEqual([
			"checkout.session.completed",
			"checkout.session.async_payment_succeeded",
		]);
		const charge = await h.stripe.charges.retrieve(
			pending.latest_charge ? (pending.latest_charge as Stripe.Charge).id : "",
			{
				expand: ["balance_transaction"],
			},
		);
		expect((charge.balance_transaction as Stripe.BalanceTransaction).fee).toBe(500);
	});

	it("sends completed then async_payment_failed when the bank payment fails", async () => {
		const { session } = await openSession(h, 50_000, ["us_bank_account"]);
		await testApi(h, `/_test/checkout/sessions/${session.id}/fail`);
		await h.receiver.waitFor(session.id, "checkout.session.async_payment_failed");
		expect(h.receiver.about(session.id).map((event) => event.type)).toEqual([
			"checkout.session.completed",
			"checkout.session.async_payment_failed",
		]);
		const read = await h.stripe.checkout.sessions.retrieve(session.id, platformCalls.retrieveSession());
		expect(read.payment_status).toBe("unpaid");
		const intent = read.payment_intent as Stripe.PaymentIntent;
		expect(intent.status).toBe("requires_payment_method");
		expect((intent.latest_charge as Stripe.Charge).status).toBe("failed");
	});

	it("expires an open session and sends checkout.session.expired", async () => {
		const { session } = await openSession(h);
		const expired = await h.stripe.checkout.sessions.expire(session.id);
		expect(expired).toMatchObject({ status: "expired", url: null });
		await h.receiver.waitFor(session.id, "checkout.session.expired");
		await expect(h.stripe.checkout.sessions.expire(session.id)).rejects.toMatchObject({ statusCode: 400 });

		const other = (await openSession(h)).session;
		await testApi(h, `/_test/checkout/sessions/${other.id}/expire`);
		await h.receiver.waitFor(other.id, "checkout.session.expired");
	});

	it("pays by bank from the page, and lets the page's failing bank payment fail", async () => {
		const post = (id: string, action: string) =>
			fetch(`${h.base}/checkout/${id}`, { method: "POST", body: new URLSearchParams({ action }), redirect: "manual" });
		const paid = (await openSession(h, 100_000)).session;
		expect((await post(paid.id, "bank")).status).toBe(303);
		const completed = nth(await h.receiver.waitFor(paid.id, "checkout.session.completed"));
		expect((completed.data.object as Stripe.Checkout.Session).payment_status).toBe("unpaid");
		await testApi(h, `/_test/checkout/sessions/${paid.id}/settle`);
		await h.receiver.waitFor(paid.id, "checkout.session.async_payment_succeeded");

		const failing = (await openSession(h, 100_000)).session;
		expect((await post(failing.id, "bank_fail")).status).toBe(303);
		await h.receiver.waitFor(failing.id, "checkout.session.async_payment_failed");
		expect(h.receiver.about(failing.id).map((event) => event.type)).toEqual([
			"checkout.session.completed",
			"checkout.session.async_payment_failed",
		]);
	});

	it("cancels from the page: the session expires and the buyer returns to cancel_url", async () => {
		const { session, paymentId } = await openSession(h);
		const res = await fetch(`${h.base}/checkout/${session.id}`, {
			method: "POST",
			body: new URLSearchParams({ action: "cancel" }),
			redirect: "manual",
		});
		expect(res.headers.get("location")).toBe(`${ORIGIN}/payments/${paymentId}?cancelled=1`);
		await h.receiver.waitFor(session.id, "checkout.session.expired");
		expect(await (await fetch(`${h.base}/checkout/${session.id}`)).text()).toContain(
			"This Checkout Session is expired",
		);
	});
});

describe("transfers and refunds", () => {
	it("refuses a transfer before the seller is onboarded", async () => {
		const { charge, paymentId } = await paidByCard(h, 100_000);
		const account = await h.stripe.accounts.create(platformCalls.createAccount("seller_t", "t@seller.test"));
		const call = platformCalls.createTransfer({
			amountCents: 92_000,
			currency: "usd",
			destination: account.id,
			paymentId,
			charge: charge.id,
		});
		await expect(h.stripe.transfers.create(call)).rejects.toMatchObject({
			type: "StripeInvalidRequestError",
			statusCode: 400,
			code: "insufficient_capabilities_for_transfer",
			param: "destination",
		});
	});

	it("refuses a transfer above what the charge has left, and from a charge still pending", async () => {
		const { charge, paymentId } = await paidByCard(h, 100_000);
		const seller = await onboardedAccount(h);
		const call = { amountCents: 100_001, currency: "usd", destination: seller.id, paymentId, charge: charge.id };
		await expect(h.stripe.transfers.create(platformCalls.createTransfer(call))).rejects.toMatchObject({
			code: "balance_insufficient",
			param: "amount",
		});

		const { session } = await openSession(h, 100_000);
		await testApi(h, `/_test/checkout/sessions/${session.id}/pay`, { method: "bank" });
		const bank = await h.stripe.checkout.sessions.retrieve(session.id, platformCalls.retrieveSession());
		const pendingCharge = ((bank.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge).id;
		await expect(
			h.stripe.transfers.create(platformCalls.createTransfer({ ...call, amountCents: 1000, charge: pendingCharge })),
		).rejects.toMatchObject({
			param: "source_transaction",
		});
	});

	it("transfers amount − fee after onboarding and reverses it", async () => {
		const { charge, paymentId } = await paidByCard(h, 100_000);
		const seller = await onboardedAccount(h);
		const transfer = await h.stripe.transfers.create(
			platformCalls.createTransfer({
				amountCents: 92_000,
				currency: "usd",
				destination: seller.id,
				paymentId,
				charge: charge.id,
			}),
		);
		expect(transfer).toMatchObject({
			object: "transfer",
			amount: 92_000,
			destination: seller.id,
			transfer_group: paymentId,
			source_transaction: charge.id,
		});
		await h.receiver.waitFor(transfer.id, "transfer.created");

		const partial = await h.stripe.transfers.createReversal(transfer.id, platformCalls.createReversal(paymentId, 2000));
		expect(partial).toMatchObject({ object: "transfer_reversal", amount: 2000, transfer: transfer.id });
		const rest = await h.stripe.transfers.createReversal(transfer.id, platformCalls.createReversal(paymentId));
		expect(rest.amount).toBe(90_000);
		const reversed = await h.receiver.waitFor(transfer.id, "transfer.reversed", 2);
		expect(reversed.map((event) => (event.data.object as Stripe.Transfer).amount_reversed)).toEqual([2000, 92_000]);
		expect((nth(reversed, 1).data.object as Stripe.Transfer).reversed).toBe(true);
		await expect(h.stripe.transfers.createReversal(transfer.id, {})).rejects.toMatchObject({ statusCode: 400 });
	});

	it("refunds part, then the rest, never more than is left", async () => {
		const { intent, charge, paymentId } = await paidByCard(h, 100_000);
		const partial = await h.stripe.refunds.create(platformCalls.createRefund(intent.id, paymentId, 30_000));
		expect(partial).toMatchObject({ object: "refund", amount: 30_000, charge: charge.id, status: "succeeded" });
		await expect(
			h.stripe.refunds.create(platformCalls.createRefund(intent.id, paymentId, 70_001)),
		).rejects.toMatchObject({
			param: "amount",
		});
		const rest = await h.stripe.refunds.create(platformCalls.createRefund(intent.id, paymentId));
		expect(rest.amount).toBe(70_000);
		const refunded = await h.receiver.waitFor(charge.id, "charge.refunded", 2);
		expect(refunded.map((event) => (event.data.object as Stripe.Charge).amount_refunded)).toEqual([30_000, 100_000]);
		expect((nth(refunded, 1).data.object as Stripe.Charge).refunded).toBe(true);
		await expect(h.stripe.refunds.create({ charge: charge.id })).rejects.toMatchObject({
			code: "charge_already_refunded",
		});
	});

	it("opens a dispute that blocks refunds and closes it", async () => {
		const { intent, charge, paymentId } = await paidByCard(h, 100_000);
		const dispute = await testApi<Stripe.Dispute>(h, `/_test/payment_intents/${intent.id}/dispute`, {
			reason: "product_not_received",
		});
		expect(dispute).toMatchObject({ object: "dispute", charge: charge.id, status: "needs_response", amount: 100_000 });
		const created = nth(await h.receiver.waitFor(dispute.id, "charge.dispute.created"));
		expect((created.data.object as Stripe.Dispute).reason).toBe("product_not_received");
		expect((await h.stripe.charges.retrieve(charge.id)).disputed).toBe(true);
		await expect(h.stripe.refunds.create(platformCalls.createRefund(intent.id, paymentId))).rejects.toMatchObject({
			code: "charge_disputed",
		});

		await testApi(h, `/_test/disputes/${dispute.id}/close`, { status: "lost" });
		const closed = nth(await h.receiver.waitFor(dispute.id, "charge.dispute.closed"));
		expect((closed.data.object as Stripe.Dispute).status).toBe("lost");
	});

	it("refunds from Stripe's side through the test API, with charge.refunded", async () => {
		const { charge } = await paidByCard(h, 100_000);
		await testApi(h, `/_test/charges/${charge.id}/refund`, { amount: 1000 });
		const refunded = nth(await h.receiver.waitFor(charge.id, "charge.refunded"));
		expect((refunded.data.object as Stripe.Charge).amount_refunded).toBe(1000);
	});
});
