/**
 * The layout every e-mail shares: a template says what it wants to say as plain strings (heading,
 * paragraphs, one action link, a footnote) and this module writes both parts — plain text and
 * HTML — from it. All data is escaped here, in one place, so no template can forget to; the HTML
 * is table-free, inline-styled and small, which is what mail clients render reliably.
 */
import { z } from "zod";
import { escapeHtml, htmlDocument } from "../../html.ts";

export { escapeHtml };

export interface Rendered {
	subject: string;
	text: string;
	html: string;
}

export interface Content {
	subject: string;
	/** The line a mail client shows beside the subject; hidden in the HTML body. */
	preheader: string;
	heading: string;
	/** The recipient's name for the greeting; "Hello," without one. */
	name?: string | undefined;
	paragraphs: readonly string[];
	action?: { label: string; url: string } | undefined;
	/** Small print under the action, e.g. "If you did not ask for this, ignore this e-mail." */
	footnote?: string | undefined;
}

export const PRODUCT_NAME = "TechFlunky";

/** Data fields the templates share: a link into the product is always https (http on localhost). */
export const linkUrl = z
	.url({ protocol: /^https?$/ })
	.max(2000)
	.refine((value) => {
		// Refinements run even when the URL check failed, so the value may not parse.
		if (!URL.canParse(value)) return false;
		const url = new URL(value);
		return (
			url.protocol === "https:" ||
			url.hostname === "localhost" ||
			url.hostname.endsWith(".localhost") ||
			url.hostname === "127.0.0.1"
		);
	}, "must be an https URL");
export const personName = z.string().trim().min(1).max(100).optional();
export const shortText = z.string().trim().min(1).max(200);
/** A sum of money as the data carries it: whole minor units (cents) and an ISO 4217 code (see `formatMoney`). */
export const money = {
	cents: z.number().int().positive().max(100_000_000_000_000),
	currency: z.string().regex(/^[A-Za-z]{3}$/),
};

/** `123456` cents in `USD` → `$1,234.56`; the currency's own minor digits (JPY has none). */
export function formatMoney(amountCents: number, currency: string): string {
	const format = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
	const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
	return format.format(amountCents / 10 ** digits);
}

export function render(content: Content): Rendered {
	const greeting = content.name ? `Hello ${content.name},` : "Hello,";
	const text = [
		greeting,
		...content.paragraphs,
		...(content.action ? [`${content.action.label}: ${content.action.url}`] : []),
		...(content.footnote ? [content.footnote] : []),
		`— ${PRODUCT_NAME}`,
	].join("\n\n");

	const e = escapeHtml;
	const action = content.action
		? `<p style="margin:24px 0"><a href="${e(content.action.url)}" style="display:inline-block;background:#0b57d0;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600">${e(content.action.label)}</a></p>
<p style="font-size:13px;color:#555555">Or open this link: <a href="${e(content.action.url)}" style="color:#0b57d0;word-break:break-all">${e(content.action.url)}</a></p>`
		: "";
	const html = htmlDocument(
		content.subject,
		`<span style="display:none;max-height:0;overflow:hidden">${e(content.preheader)}</span>
<div style="max-width:560px;margin:0 auto;padding:24px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;background:#ffffff">
<p style="font-weight:700;font-size:18px;margin:0 0 16px">${e(PRODUCT_NAME)}</p>
<h1 style="font-size:22px;margin:0 0 16px">${e(content.heading)}</h1>
<p>${e(greeting)}</p>
${content.paragraphs.map((p) => `<p>${e(p)}</p>`).join("\n")}
${action}
${content.footnote ? `<p style="font-size:13px;color:#555555">${e(content.footnote)}</p>` : ""}
<p>— ${e(PRODUCT_NAME)}</p>
</div>`,
		{ bodyStyle: "margin:0;padding:0;background:#f4f4f5" },
	);
	return { subject: content.subject, text, html };
}
