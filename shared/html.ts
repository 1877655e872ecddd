/**
 * The HTML every page and e-mail shares: one escaping function for text and attribute values,
 * and the document shell around a body. Pure strings, no imports, so the Workers (e-mail
 * templates) and the Node stand-ins (their pages) use the same code.
 */

/** `value` safe inside element text and quoted attribute values. */
export function escapeHtml(value: string): string {
	return value
		.replaceAll("&", "&amp;")
		.replaceAll("<", "&lt;")
		.replaceAll(">", "&gt;")
		.replaceAll('"', "&quot;")
		.replaceAll("'", "&#39;");
}

export interface HtmlDocumentOptions {
	/** A stylesheet put in `<style>` in the head, as is. */
	style?: string;
	/** An inline `style` for `<body>` (e-mail clients ignore most head styles). */
	bodyStyle?: string;
}

/** A complete HTML document: `title` is escaped here, `body` is markup the caller escaped. */
export function htmlDocument(title: string, body: string, options: HtmlDocumentOptions = {}): string {
	const style = options.style === undefined ? "" : `\n<style>${options.style}</style>`;
	const bodyStyle = options.bodyStyle === undefined ? "" : ` style="${escapeHtml(options.bodyStyle)}"`;
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>${style}
</head>
<body${bodyStyle}>
${body}
</body>
</html>
`;
}
