/**
 * What a seller can do to a listing's status from its page: publish a draft
 * (`POST /api/v1/listings/{id}/publish`), archive a draft or active listing
 * (`DELETE /api/v1/listings/{id}`), and re-open one whose accepted offer fell through
 * (`POST /api/v1/listings/{id}/reopen`). Archiving and re-opening cannot be taken back, so each
 * asks first, in the page rather than in a `confirm()` box a screen reader may skip. A refusal
 * shows the problem's `detail` and, for a publish that misses fields, which ones, in words.
 * Done, the page is loaded again (`?done=…`) so every section shows the new status.
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";
import type { ListingStatus } from "./labels.ts";
import { plainMessage } from "./listing-fields.ts";

interface Props {
	listingId: string;
	status: ListingStatus;
}

type Action = "publish" | "archive" | "reopen";

const FIELD_NAMES: Record<string, string> = {
	title: "Title",
	summary: "Summary",
	description: "Description",
	asking_price_cents: "Asking price",
	category: "Category",
};

const ASK: Record<Exclude<Action, "publish">, { question: string; yes: string }> = {
	archive: {
		question: "Archive this listing? It leaves the marketplace and cannot be published again.",
		yes: "Yes, archive it",
	},
	reopen: {
		question: "Re-open this listing? The accepted offer is cancelled and the other offers resume.",
		yes: "Yes, re-open it",
	},
};

export default function ListingActions({ listingId, status }: Props) {
	const [asking, setAsking] = useState<Exclude<Action, "publish"> | null>(null);
	const [busy, setBusy] = useState<Action | null>(null);
	const [problem, setProblem] = useState<{ detail: string; fields: string[] } | null>(null);
	const [ready, setReady] = useState(false);
	const confirmRef = useRef<HTMLButtonElement>(null);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (asking) confirmRef.current?.focus();
	}, [asking]);

	async function run(action: Action) {
		setBusy(action);
		setProblem(null);
		const base = `/api/v1/listings/${listingId}`;
		const answer =
			action === "archive"
				? await send("DELETE", base)
				: await send("POST", action === "publish" ? `${base}/publish` : `${base}/reopen`);
		if (answer.ok) {
			window.location.assign(
				`/seller/listings/${listingId}?done=${action === "publish" ? "published" : action === "archive" ? "archived" : "reopened"}`,
			);
			return;
		}
		setBusy(null);
		setAsking(null);
		setProblem({
			detail: answer.detail,
			fields: Object.entries(answer.fields).map(
				([field, message]) => `${FIELD_NAMES[field] ?? field}: ${plainMessage(message)}`,
			),
		});
	}

	const canPublish = status === "draft";
	const canArchive = status === "draft" || status === "active";
	const canReopen = status === "under_offer";
	if (!canPublish && !canArchive && !canReopen) return null;
	const disabled = !ready || busy !== null;

	return (
		<div className="seller-actions">
			<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
				{problem && (
					<>
						<p className="form-problem-detail">{problem.detail}</p>
						{problem.fields.length > 0 && (
							<ul>
								{problem.fields.map((line) => (
									<li key={line}>{line}</li>
								))}
							</ul>
						)}
					</>
				)}
			</div>
			{asking ? (
				<fieldset className="seller-confirm">
					<legend>{ASK[asking].question}</legend>
					<div className="seller-buttons">
						<button
							ref={confirmRef}
							type="button"
							className="button seller-danger"
							disabled={disabled}
							onClick={() => run(asking)}
						>
							{busy === asking ? "Working…" : ASK[asking].yes}
						</button>
						<button
							type="button"
							className="button seller-secondary"
							disabled={busy !== null}
							onClick={() => setAsking(null)}
						>
							Keep it as it is
						</button>
					</div>
				</fieldset>
			) : (
				<div className="seller-buttons">
					{canPublish && (
						<button type="button" className="button" disabled={disabled} onClick={() => run("publish")}>
							{busy === "publish" ? "Publishing…" : "Publish listing"}
						</button>
					)}
					{canReopen && (
						<button
							type="button"
							className="button seller-secondary"
							disabled={disabled}
							onClick={() => setAsking("reopen")}
						>
							Re-open listing
						</button>
					)}
					{canArchive && (
						<button
							type="button"
							className="button seller-secondary"
							disabled={disabled}
							onClick={() => setAsking("archive")}
						>
							Archive listing
						</button>
					)}
				</div>
			)}
		</div>
	);
}
