/**
 * "Archive for moderation" on one listing of /admin/listings, in place with
 * `POST /api/v1/admin/listings/{id}/archive {reason}`: the reason is required (the seller is
 * e-mailed it), then a second explicit step confirms, since the listing leaves the market at once.
 * The API's refusal (already archived, sold, a held payment on it: a 409 naming why) is shown in
 * place; a reason it refuses sits at its field. Types only: no zod in the browser.
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";

const MAX_REASON = 1000;

export default function ArchiveListing({ listingId, title }: { listingId: string; title: string }) {
	const [confirming, setConfirming] = useState(false);
	const [busy, setBusy] = useState(false);
	const [ready, setReady] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [reasonError, setReasonError] = useState<string | null>(null);
	const [archived, setArchived] = useState(false);
	const reason = useRef<HTMLTextAreaElement>(null);
	const confirmButton = useRef<HTMLButtonElement>(null);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (confirming) confirmButton.current?.focus();
	}, [confirming]);

	const base = `archive-${listingId}`;

	function ask(event: { preventDefault(): void }) {
		event.preventDefault();
		setProblem(null);
		const text = reason.current?.value.trim() ?? "";
		if (text === "") {
			setReasonError("Give the reason: the seller is sent it.");
			reason.current?.focus();
			return;
		}
		setReasonError(null);
		setConfirming(true);
	}

	async function archive() {
		setBusy(true);
		setProblem(null);
		const answer = await send("POST", `/api/v1/admin/listings/${encodeURIComponent(listingId)}/archive`, {
			reason: reason.current?.value.trim() ?? "",
		});
		setBusy(false);
		setConfirming(false);
		if (answer.ok) {
			setArchived(true);
			return;
		}
		setProblem(answer.detail);
		if (answer.fields.reason) setReasonError(`The reason ${answer.fields.reason}.`);
	}

	if (archived)
		return (
			<p role="status" className="notice">
				Archived: {title} is off the market and its seller has been sent your reason.
			</p>
		);

	return (
		<form className="archive-form" onSubmit={ask} noValidate aria-busy={busy}>
			<div role="alert" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			<div className="field">
				<label htmlFor={`${base}-reason`}>
					Reason for archiving<span className="visually-hidden"> {title}</span>
				</label>
				<textarea
					ref={reason}
					id={`${base}-reason`}
					rows={2}
					maxLength={MAX_REASON}
					disabled={confirming}
					aria-invalid={reasonError ? true : undefined}
					aria-describedby={reasonError ? `${base}-reason-error` : `${base}-reason-hint`}
				/>
				{reasonError ? (
					<p className="field-error" id={`${base}-reason-error`}>
						{reasonError}
					</p>
				) : (
					<p className="hint" id={`${base}-reason-hint`}>
						Up to {MAX_REASON} characters, sent to the seller.
					</p>
				)}
			</div>
			{confirming ? (
				<div className="confirm">
					<p id={`${base}-confirm`}>
						Archive {title}? It leaves the market at once and its seller is e-mailed your reason.
					</p>
					<div className="actions">
						<button
							ref={confirmButton}
							type="button"
							className="button button-danger"
							aria-describedby={`${base}-confirm`}
							disabled={busy}
							onClick={archive}
						>
							{busy ? "Archiving…" : "Yes, archive"}
							<span className="visually-hidden"> {title}</span>
						</button>
						<button
							type="button"
							className="button button-secondary"
							disabled={busy}
							onClick={() => setConfirming(false)}
						>
							Cancel<span className="visually-hidden"> archiving {title}</span>
						</button>
					</div>
				</div>
			) : (
				<div className="actions">
					<button type="submit" className="button button-danger" disabled={!ready || busy}>
						Archive for moderation<span className="visually-hidden"> {title}</span>
					</button>
				</div>
			)}
		</form>
	);
}
