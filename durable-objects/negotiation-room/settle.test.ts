/**
 * The room's `settle` (the PaymentObject's `notify_room` effect): the thread carries its payment,
 * and once the payment is paid the accepted thread is closed for good — no move, no cancellation
 * (which would reopen the listing) — while every connected party hears the new state.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../shared/encoding.ts";
import type { ServerFrame } from "../../shared/offers/protocol.ts";
import { listingInsert, tenantInsert } from "../../test/support/listings.ts";
import { ACTOR_HEADER, ROLE_HEADER, SESSION_HEADER, USER_HEADER } from "./negotiation-room.ts";

const bindings = env as unknown as DispatchEnv;

async function acceptedThread() {
	const seller = newId("seller");
	const buyer = newId("buyer");
	const listingId = newId("lst");
	const offerId = newId("off");
	const tenants = [tenantInsert(seller, "seller"), tenantInsert(buyer, "buyer")];
	const listing = listingInsert({ id: listingId, seller_tenant_id: seller, title: "A SaaS for sale" });
	await bindings.DB.batch([...tenants, listing].map((s) => bindings.DB.prepare(s.sql).bind(...s.values)));
	const stub = bindings.NegotiationRoom.getByName(offerId);
	const now = Date.now();
	await stub.open({
		offerId,
		listingId,
		buyerTenantId: buyer,
		sellerTenantId: seller,
		amountCents: 500_000,
		currency: "USD",
		message: null,
		now,
	});
	const accepted = await stub.act({ tenantId: seller, admin: false }, { type: "accept", version: 1 }, now + 1);
	expect(accepted).toMatchObject({ ok: true, offer: { status: "accepted" } });
	return { stub, offerId, seller: { tenantId: seller, admin: false }, buyer: { tenantId: buyer, admin: false } };
}

describe("NegotiationRoom.settle", () => {
	it("carries a pending payment without closing the thread", async () => {
		const { stub } = await acceptedThread();
		const paymentId = newId("pay");
		const view = await stub.settle({ payment_id: paymentId, status: "pending", now: Date.now() });
		expect(view?.payment).toEqual({ id: paymentId, status: "pending" });
	});

	it("closes the thread for good once the payment is paid", async () => {
		const { stub, seller } = await acceptedThread();
		const paymentId = newId("pay");
		const paid = await stub.settle({ payment_id: paymentId, status: "paid", now: Date.now() });
		expect(paid).toMatchObject({ status: "accepted", payment: { id: paymentId, status: "paid" } });
		const cancel = await stub.cancel(seller, Date.now());
		expect(cancel).toMatchObject({ ok: false, refusal: { kind: "closed" } });
		// A refund later still shows on the thread, and does not reopen it.
		await stub.settle({ payment_id: paymentId, status: "refunded", now: Date.now() });
		expect((await stub.view(false))?.payment).toEqual({ id: paymentId, status: "refunded" });
		expect(await stub.cancel(seller, Date.now())).toMatchObject({ ok: false, refusal: { kind: "closed" } });
	});

	it("ignores an older attempt's news once another payment settled the thread", async () => {
		const { stub } = await acceptedThread();
		const paid = newId("pay");
		await stub.settle({ payment_id: paid, status: "paid", now: Date.now() });
		await stub.settle({ payment_id: newId("pay"), status: "expired", now: Date.now() });
		expect((await stub.view(false))?.payment).toEqual({ id: paid, status: "paid" });
	});

	it("tells every connected party the payment in a state frame", async () => {
		const { stub, offerId, buyer, seller } = await acceptedThread();
		const frames = new Map<string, ServerFrame[]>();
		for (const [party, role] of [
			[buyer.tenantId, "buyer"],
			[seller.tenantId, "seller"],
		] as const) {
			const res = await stub.fetch(`https://room/parties/negotiation-room/${offerId}`, {
				headers: {
					Upgrade: "websocket",
					[ACTOR_HEADER]: party,
					[ROLE_HEADER]: role,
					[USER_HEADER]: newId("usr"),
					[SESSION_HEADER]: newId("ses"),
				},
			});
			const socket = res.webSocket;
			if (!socket) throw new Error("no socket");
			socket.accept();
			const received: ServerFrame[] = [];
			frames.set(party, received);
			socket.addEventListener("message", (event) => received.push(JSON.parse(String(event.data)) as ServerFrame));
		}
		const paymentId = newId("pay");
		await stub.settle({ payment_id: paymentId, status: "paid", now: Date.now() });
		for (const party of [buyer.tenantId, seller.tenantId]) {
			await expect
				.poll(() => frames.get(party)?.some((f) => f.type === "state" && f.offer.payment?.status === "paid"))
				.toBe(true);
		}
	});
});
