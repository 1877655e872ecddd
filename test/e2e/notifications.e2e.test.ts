/**
 * Notification e-mails over the running topology, read from the local mail stand-in: an offer
 * made → the seller gets "offer received" with the RFC 8058 headers (`List-Unsubscribe`,
 * `List-Unsubscribe-Post`) → a one-click POST of that URL with no session → the next offer on that
 * seller's listing sends no e-mail, while a control seller who did not unsubscribe still gets one.
 */
import { describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import type { Account } from "../support/marketplace.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import { type E2eClient, topologyForFile } from "./client.ts";
import { type Mail, mailTo, messages, waitForMail } from "./mailbox.ts";

let topology: Topology;
let client: E2eClient;
topologyForFile({ secrets: testSecrets(), localMail: true }, (file) => ({ topology, client } = file));

type MailWithHeaders = Mail & { headers: { name: string; value: string }[] };

const headerOf = (mail: Mail, name: string) =>
	(mail as MailWithHeaders).headers.find((header) => header.name.toLowerCase() === name.toLowerCase())?.value;

async function offer(buyer: Account, listingId: string, amount_cents: number) {
	const res = await client.api.call(contract.createOffer, {
		token: buyer.token,
		params: { id: listingId },
		body: { amount_cents },
	});
	expect(res.status).toBe(201);
}

describe("notification e-mails through the topology", () => {
	it("e-mails an offer with a one-click unsubscribe that stops the next one", async () => {
		const [seller, control, first, second] = await Promise.all([
			client.register("seller"),
			client.register("seller"),
			client.register("buyer"),
			client.register("buyer"),
		]);
		const listing = await client.listing(seller, { title: "Notified SaaS" });
		const controlListing = await client.listing(control, { title: "Control SaaS" });

		await offer(first, listing.id, 20_000_000);
		const mail = await waitForMail(topology, seller.email, "New offer on Notified SaaS: $200,000.00");
		expect(headerOf(mail, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
		const oneClick = /^<(https?:\/\/[^>]+\/api\/v1\/notifications\/unsubscribe\?token=[^>]+)>$/.exec(
			headerOf(mail, "List-Unsubscribe") ?? "",
		)?.[1];
		expect(oneClick).toBeDefined();
		const token = new URL(oneClick ?? "").searchParams.get("token") ?? "";
		expect(mail.text).toContain(`/unsubscribe?token=${encodeURIComponent(token)}`);
		expect(mail.html).toContain("Unsubscribe from these e-mails");

		// What a mail provider does: POST the header's URL, form-encoded, with no session.
		const res = await client.call(`/api/v1/notifications/unsubscribe?token=${encodeURIComponent(token)}`, {
			method: "POST",
			headers: { "Content-Type": "application/x-www-form-urlencoded" },
			body: "List-Unsubscribe=One-Click",
		});
		expect(res.status).toBe(200);
		const prefs = await client.api.call(contract.getNotificationPreferences, { token: seller.token });
		expect(prefs.status === 200 && prefs.body.offer_received).toBe(false);

		await offer(second, listing.id, 21_000_000);
		// Queued after the unsubscribed seller's offer: once the control's e-mail is in, the other had its turn.
		await offer(second, controlListing.id, 22_000_000);
		await waitForMail(topology, control.email, "New offer on Control SaaS: $220,000.00");
		expect((await mailTo(topology, seller.email, "New offer on Notified SaaS: $210,000.00")).length).toBe(0);
		const offerMails = (await messages(topology)).filter(
			(m) => m.subject.startsWith("New offer") && m.to.some((to) => to.email === seller.email),
		);
		expect(offerMails).toHaveLength(1);
	});
});
