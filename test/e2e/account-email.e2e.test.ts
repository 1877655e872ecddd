/**
 * Changing the e-mail address and deleting the account over the running topology, reading the
 * e-mails from the local mail stand-in: the change request tells the old inbox and sends a link
 * to the new one; the link switches the address once, ends the sessions and tells the old inbox
 * again; the new address signs in and the old one does not. A taken new address gets no mail at
 * all. A deleted account cannot sign in, and its address signs up again.
 */
import { describe, expect, it } from "vitest";
import { contract } from "../../shared/contract/table.ts";
import { uniqueEmail } from "../support/marketplace.ts";
import { testSecrets } from "../topology/secrets.ts";
import type { Topology } from "../topology/topology.ts";
import { type E2eClient, topologyForFile } from "./client.ts";
import { linkIn, mailTo, waitForMail } from "./mailbox.ts";

let topology: Topology;
let client: E2eClient;
topologyForFile({ secrets: testSecrets(), localMail: true }, (file) => ({ topology, client } = file));

const CHANGE_SUBJECTS = {
	link: "Confirm your new e-mail address",
	requested: "Your TechFlunky e-mail address is being changed",
	changed: "Your TechFlunky e-mail address was changed",
} as const;

describe("changing the e-mail address through the topology", () => {
	it("links the new inbox, tells the old one twice, and the new address signs in", async () => {
		const account = await client.register("buyer");
		const next = uniqueEmail("changed-buyer");
		const asked = await client.api.call(contract.requestEmailChange, {
			token: account.token,
			body: { new_email: next, password: account.password },
		});
		expect(asked.status).toBe(202);

		const notice = await waitForMail(topology, account.email, CHANGE_SUBJECTS.requested);
		expect(notice.text).toContain(next);
		const mail = await waitForMail(topology, next, CHANGE_SUBJECTS.link);
		const link = linkIn(mail, "/confirm-email-change");
		expect(link.origin).toBe(client.origin());
		const token = link.searchParams.get("token") ?? "";
		expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(mail.text).toContain("for 24 hours");

		const confirmed = await client.api.call(contract.confirmEmailChange, { body: { token } });
		expect(confirmed.status).toBe(200);
		expect((await client.api.call(contract.getMe, { token: account.token })).status).toBe(401);
		const changed = await waitForMail(topology, account.email, CHANGE_SUBJECTS.changed);
		expect(changed.text).toContain(next);

		const old = await client.api.call(contract.login, { body: { email: account.email, password: account.password } });
		expect(old.status).toBe(401);
		const fresh = await client.api.call(contract.login, { body: { email: next, password: account.password } });
		expect(fresh.status).toBe(200);
		expect(fresh.status === 200 && fresh.body.user).toMatchObject({ email: next, email_verified: true });
		expect((await client.api.call(contract.confirmEmailChange, { body: { token } })).status).toBe(400);
	});

	it("answers a taken address like a free one and mails its owner nothing", async () => {
		const account = await client.register("seller");
		const owner = await client.register("buyer");
		const asked = await client.api.call(contract.requestEmailChange, {
			token: account.token,
			body: { new_email: owner.email, password: account.password },
		});
		expect(asked.status).toBe(202);
		await waitForMail(topology, account.email, CHANGE_SUBJECTS.requested);
		// The notice to the old address is queued in the same request as any link would be: once it is
		// here, a link to the owner would be too.
		const control = uniqueEmail("control");
		await client.api.call(contract.requestEmailChange, {
			token: account.token,
			body: { new_email: control, password: account.password },
		});
		await waitForMail(topology, control, CHANGE_SUBJECTS.link);
		expect(await mailTo(topology, owner.email, CHANGE_SUBJECTS.link)).toEqual([]);
	});
});

describe("deleting the account through the topology", () => {
	it("signs out, refuses the old credentials and frees the address", async () => {
		const account = await client.register("seller");
		const listing = await client.listing(account, {});
		const deleted = await client.api.call(contract.deleteAccount, {
			token: account.token,
			body: { password: account.password },
		});
		expect(deleted.status).toBe(204);
		expect((await client.api.call(contract.getMe, { token: account.token })).status).toBe(401);
		const read = await client.api.call(contract.getListing, { params: { id: listing.id } });
		expect(read.status).toBe(404);
		const login = await client.api.call(contract.login, {
			body: { email: account.email, password: account.password },
		});
		expect(login.status).toBe(401);
		const again = await client.api.call(contract.register, {
			body: { email: account.email, password: account.password, name: "Back again", role: "buyer" },
		});
		expect(again.status).toBe(201);
	});
});
