import { describe, expect, it } from "vitest";
import { emailJobSchema } from "../../../queues/backoffice-jobs.ts";
import { renderTemplate, type TemplateData, type TemplateName, templateNames, templates } from "./index.ts";
import { escapeHtml, formatMoney } from "./layout.ts";

const HOSTILE = `<img src=x onerror="alert('x')">&`;

/** Each template with data that has one hostile string field, and the values the output must show. */
const samples: { [N in TemplateName]: { data: TemplateData<N>; shows: string[]; subject: RegExp } } = {
	"verify-email": {
		data: { name: HOSTILE, verify_url: "https://techflunky.com/verify?token=abc&x=1", expires_in_hours: 24 },
		shows: ["https://techflunky.com/verify?token=abc&x=1", "24 hours"],
		subject: /^Confirm your e-mail address$/,
	},
	"password-reset": {
		data: { name: HOSTILE, reset_url: "https://techflunky.com/reset?token=r3s3t", expires_in_minutes: 30 },
		shows: ["https://techflunky.com/reset?token=r3s3t", "30 minutes"],
		subject: /password/i,
	},
	"password-changed": {
		data: { name: HOSTILE, changed_at: "2026-12-01T10:20:30.000Z", support_url: "https://techflunky.com/support" },
		shows: ["2026-12-01 10:20:30 UTC", "https://techflunky.com/support"],
		subject: /password was changed/,
	},
	"offer-received": {
		data: {
			name: "Grace",
			listing_title: HOSTILE,
			amount_cents: 5_000_000,
			currency: "usd",
			offer_url: "https://techflunky.com/offers/off_1",
		},
		shows: ["$50,000.00", "https://techflunky.com/offers/off_1"],
		subject: /^New offer on .*: \$50,000\.00$/,
	},
	"offer-update": {
		data: {
			name: "Grace",
			change: "countered",
			listing_title: HOSTILE,
			amount_cents: 4_500_000,
			currency: "USD",
			offer_url: "https://techflunky.com/offers/off_2",
		},
		shows: ["$45,000.00", "countered", "https://techflunky.com/offers/off_2"],
		subject: /^Counter-offer on .*: \$45,000\.00$/,
	},
	"payment-paid": {
		data: {
			name: "Grace",
			listing_title: HOSTILE,
			amount_cents: 123_456,
			currency: "EUR",
			payment_url: "https://techflunky.com/payments/pay_1",
		},
		shows: ["€1,234.56", "https://techflunky.com/payments/pay_1"],
		subject: /^Payment received for /,
	},
	"payment-update": {
		data: {
			name: "Grace",
			change: "refunded",
			listing_title: HOSTILE,
			amount_cents: 250_000,
			currency: "EUR",
			payment_url: "https://techflunky.com/payments/pay_2",
		},
		shows: ["€2,500.00", "refunded", "https://techflunky.com/payments/pay_2"],
		subject: /^Payment refunded for /,
	},
	"access-request": {
		data: {
			name: "Grace",
			change: "received",
			listing_title: HOSTILE,
			request_url: "https://techflunky.com/seller/listings/lst_1",
		},
		shows: ["asks to see the confidential details", "https://techflunky.com/seller/listings/lst_1"],
		subject: /^Access request for /,
	},
	"email-change-verify": {
		data: {
			name: HOSTILE,
			confirm_url: "https://techflunky.com/confirm-email-change?token=c0nf",
			expires_in_hours: 24,
		},
		shows: ["https://techflunky.com/confirm-email-change?token=c0nf", "24 hours"],
		subject: /^Confirm your new e-mail address$/,
	},
	"email-change-requested": {
		data: {
			name: HOSTILE,
			new_email: "new@example.com",
			requested_at: "2026-12-01T10:20:30.000Z",
			support_url: "https://techflunky.com/forgot-password",
		},
		shows: ["new@example.com", "2026-12-01 10:20:30 UTC", "https://techflunky.com/forgot-password"],
		subject: /e-mail address is being changed/,
	},
	"email-changed": {
		data: {
			name: HOSTILE,
			new_email: "new@example.com",
			changed_at: "2026-12-01T10:20:30.000Z",
			support_url: "https://techflunky.com/forgot-password",
		},
		shows: ["new@example.com", "2026-12-01 10:20:30 UTC", "https://techflunky.com/forgot-password"],
		subject: /e-mail address was changed/,
	},
	"saved-search-match": {
		data: {
			name: "Grace",
			search_name: HOSTILE,
			listing_title: HOSTILE,
			asking_price_cents: 4_200_000,
			currency: "USD",
			listing_url: "https://techflunky.com/listings/lst_1",
			results_url: "https://techflunky.com/search?q=ai",
			daily: true,
		},
		shows: [
			"$42,000.00",
			"https://techflunky.com/listings/lst_1",
			"https://techflunky.com/search?q=ai",
			"one e-mail a day",
		],
		subject: /^New match for /,
	},
	"watchlist-change": {
		data: {
			change: "price",
			old_price_cents: 5_000_000,
			new_price_cents: 4_500_000,
			name: "Grace",
			listing_title: HOSTILE,
			currency: "USD",
			listing_url: "https://techflunky.com/listings/lst_1",
		},
		shows: ["$50,000.00", "$45,000.00", "https://techflunky.com/listings/lst_1"],
		subject: /^Price changed: .* is now \$45,000\.00$/,
	},
	"listing-moderated": {
		data: {
			name: "Grace",
			listing_title: HOSTILE,
			reason: "The listing names revenue it cannot show.",
			listing_url: "https://techflunky.com/seller/listings/lst_1",
		},
		shows: ["The listing names revenue it cannot show.", "https://techflunky.com/seller/listings/lst_1"],
		subject: /^Your listing was archived: /,
	},
	"alert-fired": {
		data: {
			name: "Grace",
			title: "p95 latency above 500 ms",
			summary: HOSTILE,
			fired_at: "2026-12-01T10:20:30.000Z",
			alerts_url: "https://techflunky.com/admin/alerts",
		},
		shows: ["p95 latency above 500 ms", "2026-12-01 10:20:30 UTC", "https://techflunky.com/admin/alerts"],
		subject: /^Alert firing: p95 latency above 500 ms$/,
	},
	"alert-resolved": {
		data: {
			name: "Grace",
			title: "Dead letters waiting (backoffice-jobs)",
			summary: HOSTILE,
			fired_at: "2026-12-01T10:20:30.000Z",
			resolved_at: "2026-12-01T11:05:00.000Z",
			alerts_url: "https://techflunky.com/admin/alerts",
		},
		shows: ["2026-12-01 10:20:30 UTC", "2026-12-01 11:05:00 UTC", "https://techflunky.com/admin/alerts"],
		subject: /^Alert resolved: Dead letters waiting \(backoffice-jobs\)$/,
	},
};

describe.each(templateNames)("template %s", (name) => {
	const sample = samples[name];
	const parsed = templates[name].data.parse(sample.data) as TemplateData<typeof name>;
	const rendered = renderTemplate(name, parsed);

	it("has a subject, a plain-text part and an HTML part", () => {
		expect(rendered.subject).toMatch(sample.subject);
		expect(rendered.text.length).toBeGreaterThan(40);
		expect(rendered.text).not.toMatch(/<(p|a|h1|div|span)[ >]/);
		expect(rendered.html).toMatch(/^<!doctype html>/);
		expect(rendered.html).toContain("</html>");
	});

	it("shows its data in both parts", () => {
		for (const value of sample.shows) {
			expect(rendered.text).toContain(value);
			expect(rendered.html).toContain(escapeHtml(value));
		}
		expect(rendered.text).toContain(HOSTILE);
	});

	it("escapes its data in the HTML", () => {
		expect(rendered.html).toContain(escapeHtml(HOSTILE));
		expect(rendered.html).not.toContain("<img");
		expect(rendered.html).not.toContain('onerror="');
	});

	it("links its action with an escaped href", () => {
		const url = sample.shows.find((value) => value.startsWith("https://")) as string;
		expect(rendered.html).toContain(`href="${escapeHtml(url)}"`);
	});

	it("uses the common layout", () => {
		expect(rendered.html).toContain(">TechFlunky</p>");
		expect(rendered.text).toMatch(/— TechFlunky$/);
	});

	it("is a valid email.send job's template and data", () => {
		const job = {
			id: `evt_${"a".repeat(32)}`,
			kind: "email.send",
			occurred_at: "2026-12-01T10:00:00.000Z",
			to: { email: "ada@example.test" },
			template: name,
			data: sample.data,
			// Required of the non-essential templates, allowed on the others (queues/backoffice-jobs.ts).
			notification: {
				user_id: `usr_${"d".repeat(32)}`,
				kind: "offer_received",
				origin: "https://techflunky.com",
			},
		};
		expect(emailJobSchema.safeParse(job).success).toBe(true);
	});
});

describe("template data", () => {
	it("refuses links that are not https, except on localhost", () => {
		const data = samples["password-reset"].data;
		for (const reset_url of ["javascript:alert(1)", "http://techflunky.com/reset", "ftp://x.test/a", "not a url"]) {
			expect(templates["password-reset"].data.safeParse({ ...data, reset_url }).success).toBe(false);
		}
		expect(templates["password-reset"].data.safeParse({ ...data, reset_url: "http://localhost:8787/r" }).success).toBe(
			true,
		);
	});

	it("refuses unknown fields and a job naming another template's data", () => {
		expect(templates["verify-email"].data.safeParse({ ...samples["verify-email"].data, extra: 1 }).success).toBe(false);
		const job = {
			id: `evt_${"b".repeat(32)}`,
			kind: "email.send",
			occurred_at: "2026-12-01T10:00:00.000Z",
			to: { email: "ada@example.test" },
			template: "verify-email",
			data: samples["password-reset"].data,
		};
		expect(emailJobSchema.safeParse(job).success).toBe(false);
		expect(emailJobSchema.safeParse({ ...job, template: "newsletter" }).success).toBe(false);
	});

	it("refuses a recipient name MailerSend would refuse", () => {
		const job = {
			id: `evt_${"c".repeat(32)}`,
			kind: "email.send",
			occurred_at: "2026-12-01T10:00:00.000Z",
			to: { email: "ada@example.test", name: "Lovelace, Ada" },
			template: "verify-email",
			data: samples["verify-email"].data,
		};
		expect(emailJobSchema.safeParse(job).success).toBe(false);
		expect(emailJobSchema.safeParse({ ...job, to: { email: "not-an-address" } }).success).toBe(false);
	});
});

describe("formatMoney", () => {
	it("formats minor units in the currency's own digits", () => {
		expect(formatMoney(123_456, "USD")).toBe("$1,234.56");
		expect(formatMoney(5_000, "jpy")).toBe("¥5,000");
	});
});
