/**
 * Saved searches and the watchlist over the running topology, reading the e-mails from the local
 * mail stand-in: a buyer saves a search, a seller publishes a matching listing (and one that does
 * not match), and the match e-mail arrives once; the buyer watches the listing, the seller lowers
 * its price, and the watchlist e-mail arrives once.
 */
import { describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import { type E2eClient, topologyForFile } from "./client.ts";
import { mailTo, waitForMail } from "./mailbox.ts";

let topology: Topology;
let client: E2eClient;
topologyForFile({ secrets: testSecrets(), localMail: true }, (file) => ({ topology, client } = file));

describe("saved searches and the watchlist through the topology", () => {
	it("e-mails a saved search's match once, and a watched listing's price change once", async () => {
		const buyer = await client.register("buyer");
		const seller = await client.register("seller");
		const word = `Zork${crypto.randomUUID().slice(0, 6)}`;
		const saved = await client.api.call(contract.createSavedSearch, {
			token: buyer.token,
			body: { name: "Zork tools", q: `${word} invoic`, max_price: 30_000_000 },
		});
		expect(saved.status).toBe(201);

		// No word starting "invoic" in its title, summary or tech stack: not a match.
		await client.listing(seller, {
			title: `${word} reports`,
			summary: "Weekly reports",
			asking_price_cents: 20_000_000,
		});
		const listing = await client.listing(seller, { title: `${word} invoicing`, asking_price_cents: 20_000_000 });
		const subject = `New match for “Zork tools”: ${word} invoicing`;
		const mail = await waitForMail(topology, buyer.email, subject);
		expect(mail.text).toContain(`/listings/${listing.id}`);
		expect(mail.text).toContain("$200,000.00");

		const watched = await client.api.call(contract.watchListing, {
			token: buyer.token,
			params: { listingId: listing.id },
		});
		expect(watched.status).toBe(200);
		const patched = await client.api.call(contract.updateListing, {
			token: seller.token,
			params: { id: listing.id },
			body: { asking_price_cents: 18_000_000 },
		});
		expect(patched.status).toBe(200);
		const priceSubject = `Price changed: ${word} invoicing is now $180,000.00`;
		await waitForMail(topology, buyer.email, priceSubject);

		// Both events have been processed by now: each e-mail came once, and nothing for the other listing.
		expect(await mailTo(topology, buyer.email, subject)).toHaveLength(1);
		expect(await mailTo(topology, buyer.email, priceSubject)).toHaveLength(1);
		const all = (await fetch(`${topology.mail?.url}/api/messages`).then((res) => res.json())) as { subject: string }[];
		expect(all.filter((m) => m.subject.includes(`${word} reports`))).toEqual([]);
	});
});
