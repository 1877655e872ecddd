/**
 * The access requests (NDA) for one listing, on its seller page: who asked, their message, the
 * NDA version they accepted and when, the status, and the seller's decision
 * (`POST /api/v1/access-requests/{id}/approve | decline | revoke`). Approving lets the buyer see
 * the confidential details and files; revoking (or closing a declined request) is final, because
 * a buyer who asks again gets the same request back, so those two ask first. Each answer replaces
 * its request in the list, in place, and a polite live region says what happened.
 */
import { useEffect, useRef, useState } from "react";
import type { AccessRequestView } from "../../../../shared/contract/routes/access-requests.ts";
import { send } from "../../lib/browser-api.ts";
import { ACCESS_STATUS, formatDate, tone } from "./labels.ts";

interface Props {
	items: AccessRequestView[];
}

type Decision = "approve" | "decline" | "revoke";

const DONE: Record<Decision, string> = {
	approve: "Approved: the buyer can now see the confidential details and files.",
	decline: "Declined.",
	revoke: "Access revoked: the buyer no longer sees the confidential details or files.",
};

/** A tenant id is long; its start is enough to tell buyers apart in a list. */
const shortTenant = (id: string) => (id.length > 16 ? `${id.slice(0, 16)}…` : id);

export default function AccessRequests({ items: initial }: Props) {
	const [items, setItems] = useState(initial);
	const [busy, setBusy] = useState<string | null>(null);
	const [confirming, setConfirming] = useState<string | null>(null);
	const [said, setSaid] = useState<string | null>(null);
	const [problem, setProblem] = useState<{ id: string; detail: string } | null>(null);
	const [ready, setReady] = useState(false);
	const confirmRef = useRef<HTMLButtonElement>(null);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (confirming) confirmRef.current?.focus();
	}, [confirming]);

	async function decide(request: AccessRequestView, decision: Decision) {
		setBusy(request.id);
		setProblem(null);
		setSaid(null);
		const answer = await send<AccessRequestView>("POST", `/api/v1/access-requests/${request.id}/${decision}`);
		setBusy(null);
		setConfirming(null);
		if (answer.ok) {
			const updated = answer.body;
			setItems((current) => current.map((item) => (item.id === updated.id ? updated : item)));
			setSaid(DONE[decision]);
		} else setProblem({ id: request.id, detail: answer.detail });
	}

	if (items.length === 0) {
		return <p className="state">No access requests yet. Buyers ask once the listing is active.</p>;
	}

	return (
		<>
			<p role="status" aria-live="polite" className={said ? "seller-done" : "visually-hidden"}>
				{said}
			</p>
			<ul className="seller-rows" aria-label="Access requests">
				{items.map((request) => {
					const headingId = `request-${request.id}`;
					const disabled = !ready || busy !== null;
					return (
						<li key={request.id} className="seller-row seller-request">
							<div className="seller-row-main">
								<h3 id={headingId} className="seller-row-title">
									Buyer {shortTenant(request.buyer_tenant_id)}
								</h3>
								<p className={`seller-chip seller-chip-${tone(request.status)}`}>{ACCESS_STATUS[request.status]}</p>
								<p className="hint">
									Accepted NDA version {request.nda_version} on {formatDate(request.nda_accepted_at)}
									{request.decided_at ? ` · decided ${formatDate(request.decided_at)}` : ""}
								</p>
								{request.message ? (
									<blockquote className="seller-message">{request.message}</blockquote>
								) : (
									<p className="hint">No message.</p>
								)}
								{problem?.id === request.id && (
									<p className="inline-error" role="alert">
										{problem.detail}
									</p>
								)}
							</div>
							{confirming === request.id ? (
								<fieldset className="seller-buttons seller-confirm-inline">
									<legend className="seller-confirm-text">
										{request.status === "approved"
											? "Revoke this buyer's access for good?"
											: "Close this request for good? The buyer cannot ask again."}
									</legend>
									<button
										ref={confirmRef}
										type="button"
										className="button seller-danger"
										disabled={disabled}
										onClick={() => decide(request, "revoke")}
									>
										{busy === request.id
											? "Working…"
											: request.status === "approved"
												? "Yes, revoke access"
												: "Yes, close it"}
									</button>
									<button
										type="button"
										className="button seller-secondary"
										disabled={busy !== null}
										onClick={() => setConfirming(null)}
									>
										Cancel
									</button>
								</fieldset>
							) : (
								<div className="seller-buttons">
									{request.status === "pending" && (
										<>
											<button
												type="button"
												className="button"
												disabled={disabled}
												aria-describedby={headingId}
												onClick={() => decide(request, "approve")}
											>
												{busy === request.id ? "Working…" : "Approve access"}
											</button>
											<button
												type="button"
												className="button seller-secondary"
												disabled={disabled}
												aria-describedby={headingId}
												onClick={() => decide(request, "decline")}
											>
												Decline
											</button>
										</>
									)}
									{request.status === "approved" && (
										<button
											type="button"
											className="button seller-secondary"
											disabled={disabled}
											aria-describedby={headingId}
											onClick={() => setConfirming(request.id)}
										>
											Revoke access
										</button>
									)}
									{request.status === "declined" && (
										<button
											type="button"
											className="button seller-secondary"
											disabled={disabled}
											aria-describedby={headingId}
											onClick={() => setConfirming(request.id)}
										>
											Close for good
										</button>
									)}
								</div>
							)}
						</li>
					);
				})}
			</ul>
		</>
	);
}
