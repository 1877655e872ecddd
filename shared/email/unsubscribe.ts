/**
 * The one-click unsubscribe every non-essential e-mail carries (RFC 8058, RFC 2369): the
 * `List-Unsubscribe` header with the API's POST URL (a mail client posts `List-Unsubscribe=One-Click`
 * to it; see `List-Unsubscribe-Post`), and a visible link in the plain text and the HTML to the
 * unsubscribe landing page (web/src/pages/unsubscribe.astro), which says what will be turned off and
 * posts the same token when the person confirms. Added by the consumer after rendering, so no
 * template has to remember it and a template fix never drops it. Pure: no I/O.
 */
import { kindLabels, type NotificationKind } from "../notifications/kinds.ts";
import { escapeHtml, type Rendered } from "./templates/layout.ts";

export interface Unsubscribe {
	/** `<origin>/api/v1/notifications/unsubscribe?token=…`: what the header names. */
	oneClickUrl: string;
	/** `<origin>/unsubscribe?token=…`: what the person clicks. */
	pageUrl: string;
}

export function unsubscribeLinks(origin: string, token: string): Unsubscribe {
	const query = `?token=${encodeURIComponent(token)}`;
	return {
		oneClickUrl: `${origin}/api/v1/notifications/unsubscribe${query}`,
		pageUrl: `${origin}/unsubscribe${query}`,
	};
}

/** MailerSend's `headers` entries for the one-click unsubscribe. */
export function unsubscribeHeaders(links: Unsubscribe): { name: string; value: string }[] {
	return [
		{ name: "List-Unsubscribe", value: `<${links.oneClickUrl}>` },
		{ name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
	];
}

/** `rendered` with the visible unsubscribe line at the end of both bodies. */
export function withUnsubscribeFooter(rendered: Rendered, kind: NotificationKind, links: Unsubscribe): Rendered {
	const what = `You get this e-mail because “${kindLabels[kind]}” is on in your notification settings.`;
	const text = `${rendered.text}\n\n${what}\nUnsubscribe from these e-mails: ${links.pageUrl}`;
	const e = escapeHtml;
	const footer = `<p style="max-width:560px;margin:0 auto;padding:0 24px 24px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:13px;color:#555555">${e(what)} <a href="${e(links.pageUrl)}" style="color:#0b57d0">Unsubscribe from these e-mails</a></p>\n`;
	const at = rendered.html.lastIndexOf("</body>");
	const html = at === -1 ? rendered.html + footer : `${rendered.html.slice(0, at)}${footer}${rendered.html.slice(at)}`;
	return { ...rendered, text, html };
}
