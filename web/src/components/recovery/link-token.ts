/**
 * The token of an e-mailed link, read in the browser from the page's own address: the server
 * never puts it in the HTML, so the page renders the same for every token and caches nothing
 * secret. Once the link has been used, the token is taken out of the address
 * (`history.replaceState`), so it does not stay in the address bar, the history or a bookmark;
 * until then a reload still works.
 */
export function readLinkToken(): string | null {
	const token = new URL(window.location.href).searchParams.get("token");
	return token === null || token === "" ? null : token;
}

export function forgetLinkToken(): void {
	const url = new URL(window.location.href);
	if (!url.searchParams.has("token")) return;
	url.searchParams.delete("token");
	window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
}
