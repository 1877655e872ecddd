/** The unsubscribe headers and footer the consumer adds to every non-essential e-mail. */
import { describe, expect, it } from "vitest";
import { emailJobSchema } from "../../queues/backoffice-jobs.ts";
import { renderTemplate } from "./templates/index.ts";
import { unsubscribeHeaders, unsubscribeLinks, withUnsubscribeFooter } from "./unsubscribe.ts";

const links = unsubscribeLinks("https://techflunky.com", "v1.usr_1.offer_received.m+a/c");

describe("one-click unsubscribe", () => {
	it("names the API URL in List-Unsubscribe and asks for a one-click POST", () => {
		expect(links.oneClickUrl).toBe(
			"https://techflunky.com/api/v1/notifications/unsubscribe?token=v1.usr_1.offer_received.m%2Ba%2Fc",
		);
		expect(unsubscribeHeaders(links)).toEqual([
			{ name: "List-Unsubscribe", value: `<${links.oneClickUrl}>` },
			{ name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
		]);
	});

	it("adds the landing-page link to both bodies, escaped, inside the HTML body", () => {
		const rendered = renderTemplate("offer-received", {
			listing_title: "SaaS",
			amount_cents: 100,
			currency: "USD",
			offer_url: "https://techflunky.com/offers/off_1",
		});
		const footed = withUnsubscribeFooter(rendered, "offer_received", links);
		expect(footed.subject).toBe(rendered.subject);
		expect(footed.text.startsWith(rendered.text)).toBe(true);
		expect(footed.text).toContain(`Unsubscribe from these e-mails: ${links.pageUrl}`);
		expect(footed.text).toContain("“An offer arrives on your listing”");
		expect(footed.html).toContain(`<a href="${links.pageUrl}"`);
		expect(footed.html.indexOf("Unsubscribe from these e-mails")).toBeLessThan(footed.html.indexOf("</body>"));
	});
});

describe("the email.send job's notification", () => {
	const base = {
		id: `evt_${"e".repeat(32)}`,
		kind: "email.send",
		occurred_at: "2026-12-01T10:00:00.000Z",
		to: { email: "ada@example.test" },
	};
	const offer = {
		...base,
		template: "offer-received",
		data: { listing_title: "SaaS", amount_cents: 100, currency: "USD", offer_url: "https://techflunky.com/o" },
	};
	const notification = { user_id: `usr_${"f".repeat(32)}`, kind: "offer_received", origin: "https://techflunky.com" };

	it("is required of a non-essential template and optional on an essential one", () => {
		expect(emailJobSchema.safeParse(offer).success).toBe(false);
		expect(emailJobSchema.safeParse({ ...offer, notification }).success).toBe(true);
		const reset = {
			...base,
			template: "password-reset",
			data: { reset_url: "https://techflunky.com/reset?token=t", expires_in_minutes: 30 },
		};
		expect(emailJobSchema.safeParse(reset).success).toBe(true);
	});

	it("refuses an origin with a path, an unknown kind, a bad user id and unknown fields", () => {
		for (const bad of [
			{ ...notification, origin: "https://techflunky.com/x" },
			{ ...notification, origin: "javascript:alert(1)" },
			{ ...notification, kind: "verification" },
			{ ...notification, user_id: "usr_1" },
			{ ...notification, extra: true },
		]) {
			expect(emailJobSchema.safeParse({ ...offer, notification: bad }).success, JSON.stringify(bad)).toBe(false);
		}
	});
});
