/**
 * The saved searches page's list: each search's name, filters in words, a link to its results
 * and a "Delete" button (`DELETE /api/v1/saved-searches/{id}`). A deleted search leaves the list,
 * and what happened is announced in a live region; a failure keeps it and shows the problem.
 */
import { useEffect, useState } from "react";
import { send } from "../../lib/browser-api.ts";

export interface SavedSearchItem {
	id: string;
	name: string;
	/** The filters in words, e.g. “ai tools”, SaaS, up to $50,000. */
	summary: string;
	/** The search page with these filters. */
	href: string;
}

export default function SavedSearchList({ items: initial }: { items: SavedSearchItem[] }) {
	const [ready, setReady] = useState(false);
	const [items, setItems] = useState(initial);
	const [busy, setBusy] = useState<string | null>(null);
	const [note, setNote] = useState("");
	const [failed, setFailed] = useState(false);
	useEffect(() => setReady(true), []);

	async function remove(item: SavedSearchItem) {
		setBusy(item.id);
		setNote("");
		const answer = await send("DELETE", `/api/v1/saved-searches/${item.id}`);
		setBusy(null);
		if (!answer.ok && answer.status !== 404) {
			setFailed(true);
			setNote(answer.detail);
			return;
		}
		setFailed(false);
		setItems((current) => current.filter((other) => other.id !== item.id));
		setNote(`Deleted “${item.name}”.`);
	}

	return (
		<>
			<p className={failed ? "form-problem" : "watch-note"} role="status" aria-live="polite">
				{note}
			</p>
			{items.length === 0 ? (
				<p className="state">
					No saved searches. <a href="/search">Search listings</a> and use “Save this search”.
				</p>
			) : (
				<ul className="list saved-searches">
					{items.map((item) => (
						<li key={item.id} className="card saved-search">
							<h2>{item.name}</h2>
							<p>{item.summary}</p>
							<p className="saved-search-actions">
								<a href={item.href}>See the results</a>
								<button
									type="button"
									className="link-button"
									disabled={!ready || busy === item.id}
									onClick={() => remove(item)}
									aria-label={`Delete the saved search ${item.name}`}
								>
									{busy === item.id ? "Deleting…" : "Delete"}
								</button>
							</p>
						</li>
					))}
				</ul>
			)}
		</>
	);
}
