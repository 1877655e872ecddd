/**
 * Watch or stop watching a listing (`PUT` / `DELETE /api/v1/watchlist/{id}`): one toggle button
 * (`aria-pressed`), disabled until hydrated and while a call is in flight, with the outcome or the
 * API's problem in words in a live region. The server's render says whether it is watched now.
 * Used on the listing page (loaded on interaction, for the page's JS budget) and the watchlist page.
 */
import { useEffect, useState } from "react";
import { send } from "../../lib/browser-api.ts";
import "../../styles/watch.css";

interface Props {
	listingId: string;
	watched: boolean;
	/** The listing's title, for the button's name where several buttons share a page. */
	title?: string;
}

export default function WatchButton({ listingId, watched: initial, title }: Props) {
	const [ready, setReady] = useState(false);
	const [busy, setBusy] = useState(false);
	const [watched, setWatched] = useState(initial);
	const [note, setNote] = useState("");
	const [failed, setFailed] = useState(false);
	useEffect(() => setReady(true), []);

	async function toggle() {
		setBusy(true);
		setNote("");
		const answer = await send(watched ? "DELETE" : "PUT", `/api/v1/watchlist/${listingId}`);
		setBusy(false);
		if (!answer.ok) {
			setFailed(true);
			setNote(answer.detail);
			return;
		}
		setFailed(false);
		setWatched(!watched);
		setNote(
			watched
				? "Removed from your watchlist."
				: "Added to your watchlist. We will e-mail you when its price changes, it goes under offer or it is sold.",
		);
	}

	const label = watched ? "Stop watching" : "Watch this listing";
	return (
		<div className="watch-toggle">
			<button
				type="button"
				className={watched ? "button button-secondary" : "button"}
				aria-pressed={watched}
				disabled={!ready || busy}
				onClick={toggle}
				aria-label={title ? `${label}: ${title}` : undefined}
			>
				{busy ? "Saving…" : label}
			</button>
			<p className={failed ? "form-problem" : "watch-note"} role="status" aria-live="polite">
				{note}
			</p>
		</div>
	);
}
