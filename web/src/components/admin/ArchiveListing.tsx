/**
 * "Archive for moderation" on one listing of /admin/listings, in place with
 * `POST /api/v1/admin/listings/{id}/archive {reason}`: the reason is required (the seller is
 * e-mailed it), then a second explicit step confirms, since the listing leaves the market at once.
 * The API's refusal (already archived, sold, a held payment on it: a 409 naming why) is shown in
 * place; a reason it refuses sits at its field. Types only: no zod in the browser.
 */
import { useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";
import ConfirmStep from "./ConfirmStep.tsx";
import { useConsoleAction } from "./use-console-action.ts";

const MAX_REASON = 1000;

export default function ArchiveListing({ listingId, title }: { listingId: string; title: string }) {
	const { asking: confirming, setAsking, busy, ready, problem, setProblem, confirmButton, run } = useConsoleAction();
	const [reasonError, setReasonError] = useState<string | null>(null);
	const [archived, setArchived] = useState(false);
	const reason = useRef<HTMLTextAreaElement>(null);

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
		setAsking(true);
	}

	async function archive() {
		const answer = await run(() =>
			send("POST", `/api/v1/admin/listings/${encodeURIComponent(listingId)}/archive`, {
				reason: reason.current?.value.trim() ?? "",
			}),
		);
		if (answer.ok) setArchived(true);
		else if (answer.fields.reason) setReasonError(`The reason ${answer.fields.reason}.`);
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
					disabled={confirming !== null}
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
				<ConfirmStep
					id={`${base}-confirm`}
					question={`Archive ${title}? It leaves the market at once and its seller is e-mailed your reason.`}
					confirm={
						<>
							{busy ? "Archiving…" : "Yes, archive"}
							<span className="visually-hidden"> {title}</span>
						</>
					}
					cancels={`archiving ${title}`}
					busy={busy}
					buttonRef={confirmButton}
					onConfirm={archive}
					onCancel={() => setAsking(null)}
				/>
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
