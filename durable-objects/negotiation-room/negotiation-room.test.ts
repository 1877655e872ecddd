import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getServerByName } from "partyserver";
import { describe, expect, it } from "vitest";
import type { NegotiationRoom } from "./negotiation-room.ts";

const namespace = (env as unknown as { NegotiationRoom: DurableObjectNamespace<NegotiationRoom> }).NegotiationRoom;
const offerId = () => `off_${crypto.randomUUID().replaceAll("-", "")}`;

async function seedThread(stub: DurableObjectStub<NegotiationRoom>, id: string) {
	await runInDurableObject(stub, (_room, state) => {
		state.storage.sql.exec(
			`INSERT INTO thread (id, offer_id, listing_id, buyer_tenant_id, seller_tenant_id, amount_cents, currency,
			   status, version, last_actor, expires_at, created_at, updated_at)
			 VALUES (1, ?, 'lst_1', 'buyer_1', 'seller_1', 5000000, 'USD', 'pending', 1, 'buyer', NULL, 1, 1)`,
			id,
		);
		state.storage.sql.exec(
			"INSERT INTO history (version, action, actor_tenant_id, amount_cents, message, at) VALUES (1, 'propose', 'buyer_1', 5000000, 'hello', 1)",
		);
	});
}

describe("NegotiationRoom", () => {
	it("has no thread before one is opened", async () => {
		const stub = await getServerByName(namespace, offerId());
		expect(await stub.snapshot()).toEqual({ thread: null, history: [] });
	});

	it("reads the thread and its history from SQLite", async () => {
		const id = offerId();
		const stub = await getServerByName(namespace, id);
		await seedThread(stub, id);
		const snapshot = await stub.snapshot();
		expect(snapshot.thread).toMatchObject({ offer_id: id, amount_cents: 5_000_000, status: "pending", version: 1 });
		expect(snapshot.history).toEqual([
			{ version: 1, action: "propose", actor_tenant_id: "buyer_1", amount_cents: 5_000_000, message: "hello", at: 1 },
		]);
	});

	it("sends the current state to a socket as it connects", async () => {
		const id = offerId();
		const stub = await getServerByName(namespace, id);
		await seedThread(stub, id);
		const res = await stub.fetch(`https://room/parties/negotiation-room/${id}`, { headers: { Upgrade: "websocket" } });
		expect(res.status).toBe(101);
		const socket = res.webSocket;
		if (!socket) throw new Error("no socket");
		const first = new Promise<string>((resolve) => socket.addEventListener("message", (e) => resolve(String(e.data))));
		socket.accept();
		const frame = JSON.parse(await first) as { type: string; offer: { offer_id: string } };
		expect(frame.type).toBe("state");
		expect(frame.offer.offer_id).toBe(id);
		socket.close();
	});
});
