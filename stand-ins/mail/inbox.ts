/**
 * The local mail stand-in's inbox page: every kept message, newest first, and one message's
 * headers, text and HTML. All message content is escaped; the HTML body is shown in a sandboxed
 * `iframe` (`srcdoc`, no scripts), so a template's markup renders without running anything.
 */
import { escapeHtml, htmlDocument } from "../../shared/html.ts";
import type { StoredMessage } from "./store.ts";

const addresses = (list: { email: string; name?: string }[]) =>
	list.map((a) => (a.name ? `${a.name} <${a.email}>` : a.email)).join(", ");

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header,main{max-width:60rem;margin:0 auto;padding:1rem}
header{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid #ddd;vertical-align:top}
a{color:#0b57d0}
a:focus-visible,button:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
pre{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:1rem}
iframe{width:100%;min-height:24rem;border:1px solid #ddd;background:#fff}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:600}
`;

function page(title: string, body: string): string {
	return htmlDocument(title, body, { style: STYLE });
}

export function inboxPage(messages: readonly StoredMessage[]): string {
	const rows = messages
		.map(
			(m) => `<tr>
<td><a href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(m.subject)}</a></td>
<td>${escapeHtml(addresses(m.to))}</td>
<td><time datetime="${escapeHtml(m.created_at)}">${escapeHtml(m.created_at)}</time></td>
</tr>`,
		)
		.join("\n");
	const list =
		messages.length === 0
			? "<p>No messages yet. Anything sent to <code>POST /v1/email</code> appears here.</p>"
			: `<table>
<caption>Messages, newest first</caption>
<thead><tr><th scope="col">Subject</th><th scope="col">To</th><th scope="col">Received</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
	return page(
		`Local mail (${messages.length})`,
		`<header>
<h1>Local mail</h1>
<form method="post" action="/messages/delete"><button type="submit">Delete all</button></form>
</header>
<main>
<p>${messages.length} message${messages.length === 1 ? "" : "s"}, newest first. JSON: <a href="/api/messages">/api/messages</a>.</p>
${list}
</main>`,
	);
}

export function messagePage(m: StoredMessage): string {
	const headerRows = m.headers.map((h) => `<dt>${escapeHtml(h.name)}</dt><dd>${escapeHtml(h.value)}</dd>`).join("");
	return page(
		m.subject,
		`<header><p><a href="/">← Inbox</a></p></header>
<main>
<h1>${escapeHtml(m.subject)}</h1>
<dl>
<dt>From</dt><dd>${escapeHtml(addresses([m.from]))}</dd>
<dt>To</dt><dd>${escapeHtml(addresses(m.to))}</dd>
${m.reply_to ? `<dt>Reply-To</dt><dd>${escapeHtml(addresses([m.reply_to]))}</dd>` : ""}
<dt>Received</dt><dd><time datetime="${escapeHtml(m.created_at)}">${escapeHtml(m.created_at)}</time></dd>
<dt>Message id</dt><dd><code>${escapeHtml(m.id)}</code></dd>
${m.tags.length ? `<dt>Tags</dt><dd>${escapeHtml(m.tags.join(", "))}</dd>` : ""}
${headerRows}
</dl>
<section aria-labelledby="text-part"><h2 id="text-part">Plain text</h2>
${m.text === null ? "<p>(none)</p>" : `<pre>${escapeHtml(m.text)}</pre>`}
</section>
<section aria-labelledby="html-part"><h2 id="html-part">HTML</h2>
${m.html === null ? "<p>(none)</p>" : `<iframe title="HTML part of ${escapeHtml(m.subject)}" sandbox srcdoc="${escapeHtml(m.html)}"></iframe>`}
</section>
</main>`,
	);
}

export function notFoundPage(): string {
	return page("Not found", `<main><h1>Not found</h1><p><a href="/">← Inbox</a></p></main>`);
}
