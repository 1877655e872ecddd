/**
 * Ask for a listing's confidential details: the listing's NDA as the API gave it (text and
 * version), a box to accept it, an optional message, then `POST /api/v1/listings/{id}/access-requests`
 * with `accept_nda: true` and the version read, so a buyer never agrees to an NDA they were not
 * shown (a newer version is the API's 409, and the page must be reloaded to read it). The
 * request's status, from the server's render or from the answer, replaces the form: the seller
 * decides, and an approval shows the details on the next load of the page, which the API answers
 * with them. Asking again is harmless: the API answers the request as it stands.
 */
import { useEffect, useRef, useState } from "react";
import type { AccessRequestStatus } from "../../../../shared/contract/routes/access-requests.ts";
import { send } from "../../lib/browser-api.ts";
import { ACCESS_STATUS, dayText } from "../buyer/labels.ts";

interface Existing {
	status: AccessRequestStatus;
	nda_version: number;
	created_at: string;
}

interface Props {
	listingId: string;
	nda: { version: number; text: string };
	existing: Existing | null;
}

const EXPLAIN: Record<AccessRequestStatus, string> = {
	pending: "The seller has your request and will approve or decline it. You will see the details here once approved.",
	approved: "The seller approved your request. Reload the page to see the confidential details.",
	declined: "The seller declined your request for this listing.",
	revoked: "The seller withdrew your access to this listing's confidential details.",
};

export default function AccessRequest({ listingId, nda, existing }: Props) {
	const [ready, setReady] = useState(false);
	const [busy, setBusy] = useState(false);
	const [request, setRequest] = useState<Existing | null>(existing);
	const [problem, setProblem] = useState<string | null>(null);
	const [staleNda, setStaleNda] = useState(false);
	const [fields, setFields] = useState<{ accept?: string; message?: string }>({});
	const form = useRef<HTMLFormElement>(null);
	const status = useRef<HTMLDivElement>(null);
	const asked = useRef(false);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (request && asked.current) status.current?.focus();
	}, [request]);

	async function submit(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		const data = new FormData(event.currentTarget);
		const message = String(data.get("message") ?? "").trim();
		setProblem(null);
		setStaleNda(false);
		if (data.get("accept") !== "yes") {
			setFields({ accept: "Accept the NDA to ask for the confidential details." });
			setProblem("Accept the NDA first.");
			form.current?.querySelector<HTMLElement>('[name="accept"]')?.focus();
			return;
		}
		setFields({});
		setBusy(true);
		const answer = await send<Existing>("POST", `/api/v1/listings/${listingId}/access-requests`, {
			accept_nda: true,
			nda_version: nda.version,
			...(message === "" ? {} : { message }),
		});
		setBusy(false);
		if (answer.ok) {
			asked.current = true;
			setRequest(answer.body);
			return;
		}
		setProblem(answer.detail);
		setStaleNda(answer.status === 409 && /nda/i.test(answer.detail));
		if (answer.fields.message) {
			setFields({ message: "Keep the message under 2,000 characters." });
			form.current?.querySelector<HTMLElement>('[name="message"]')?.focus();
		}
	}

	if (request) {
		return (
			<div className="access-status" role="status" tabIndex={-1} ref={status}>
				<p>
					Your request: <strong>{ACCESS_STATUS[request.status]}</strong>
				</p>
				<p>{EXPLAIN[request.status]}</p>
				<p className="hint">
					You accepted NDA version {request.nda_version} on {dayText(request.created_at)}.
				</p>
			</div>
		);
	}

	return (
		<form ref={form} className="form" method="post" onSubmit={submit} noValidate aria-busy={busy}>
			<div role="alert" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
				{staleNda && (
					<>
						{" "}
						<a href={`/listings/${listingId}`}>Reload to read the current NDA</a>
					</>
				)}
			</div>
			<h3 id="nda-title">Non-disclosure agreement (version {nda.version})</h3>
			{/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take the focus to be scrolled by keyboard */}
			<section className="nda-text" aria-labelledby="nda-title" tabIndex={0}>
				{nda.text.trim() === "" ? (
					<p>
						The seller has not written an agreement of their own. By asking, you agree to keep the confidential details
						to yourself and to use them only to decide whether to buy this business.
					</p>
				) : (
					<p className="prose">{nda.text}</p>
				)}
			</section>
			<div className="field">
				<label className="choice" htmlFor="access-accept">
					<input
						id="access-accept"
						name="accept"
						type="checkbox"
						value="yes"
						aria-invalid={fields.accept ? true : undefined}
						aria-describedby={fields.accept ? "access-accept-error" : undefined}
					/>{" "}
					I have read and accept this NDA
				</label>
				{fields.accept && (
					<p className="field-error" id="access-accept-error">
						{fields.accept}
					</p>
				)}
			</div>
			<div className="field">
				<label htmlFor="access-message">Message to the seller (optional)</label>
				<textarea
					id="access-message"
					name="message"
					rows={3}
					maxLength={2000}
					aria-invalid={fields.message ? true : undefined}
					aria-describedby={fields.message ? "access-message-error" : undefined}
				/>
				{fields.message && (
					<p className="field-error" id="access-message-error">
						{fields.message}
					</p>
				)}
			</div>
			<button type="submit" className="button" disabled={busy || !ready}>
				{busy ? "Sending your request…" : "Request access"}
			</button>
		</form>
	);
}
