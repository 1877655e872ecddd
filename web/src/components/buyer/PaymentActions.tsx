/**
 * A held payment's two buyer moves, in place on the payments list: confirm the handover
 * (`POST /api/v1/payments/{id}/confirm-handover`, which releases the money to the seller and
 * cannot be undone, so it takes a second, explicit step that says so) or open a dispute
 * (`POST /api/v1/payments/{id}/dispute` with a reason, which freezes release until an admin
 * decides). The status line is this island's, announced politely when a move changes it; the
 * moves are offered only while the payment is `paid`, and a refusal (409 when it moved on
 * meanwhile) shows the API's detail with a way to reload.
 */
import { useEffect, useRef, useState } from "react";
import type { PaymentStatus } from "../../../../shared/contract/routes/payments.ts";
import { send } from "../../lib/browser-api.ts";
import { amountText, PAYMENT_STATUS } from "./labels.ts";

interface Props {
	paymentId: string;
	status: PaymentStatus;
	/** What the seller receives on release (amount − fee). */
	payoutCents: number;
	feeCents: number;
	currency: string;
	listingTitle: string;
}

type Step = "idle" | "confirming" | "disputing";

export default function PaymentActions({ paymentId, status, payoutCents, feeCents, currency, listingTitle }: Props) {
	const [ready, setReady] = useState(false);
	const [current, setCurrent] = useState<PaymentStatus>(status);
	const [step, setStep] = useState<Step>("idle");
	const [busy, setBusy] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [reasonError, setReasonError] = useState<string | null>(null);
	const [done, setDone] = useState<string | null>(null);
	const panel = useRef<HTMLDivElement>(null);
	const reason = useRef<HTMLTextAreaElement>(null);
	const id = paymentId.slice(-12);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (step === "confirming") panel.current?.querySelector<HTMLElement>("button")?.focus();
		if (step === "disputing") reason.current?.focus();
	}, [step]);

	async function move(path: "confirm-handover" | "dispute", body?: { reason: string }) {
		setBusy(true);
		setProblem(null);
		setReasonError(null);
		const answer = await send<{ status: PaymentStatus }>("POST", `/api/v1/payments/${paymentId}/${path}`, body);
		setBusy(false);
		if (answer.ok) {
			setCurrent(answer.body.status);
			setStep("idle");
			setDone(
				path === "confirm-handover"
					? `Handover confirmed. ${amountText(payoutCents, currency)} is on its way to the seller.`
					: "Dispute opened. The money stays held until TechFlunky decides.",
			);
			return;
		}
		setProblem(answer.detail);
		if (answer.fields.reason) {
			setReasonError("Say what went wrong, in up to 2,000 characters.");
			reason.current?.focus();
		}
	}

	function dispute(event: { preventDefault(): void }) {
		event.preventDefault();
		const text = reason.current?.value.trim() ?? "";
		void move("dispute", { reason: text });
	}

	return (
		<div className="payment-actions">
			<p aria-live="polite" className="payment-status">
				Status: <strong>{PAYMENT_STATUS[current]}</strong>
			</p>
			{done && (
				<p role="status" className="action-note">
					{done}
				</p>
			)}
			<div role="alert" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
				{problem && (
					<>
						{" "}
						<a href="/buyer/payments">Reload the payments</a>
					</>
				)}
			</div>
			{current === "paid" && step === "idle" && (
				<div className="button-row">
					<button type="button" className="button" disabled={!ready} onClick={() => setStep("confirming")}>
						Confirm handover
					</button>
					<button
						type="button"
						className="button button-secondary"
						disabled={!ready}
						onClick={() => setStep("disputing")}
					>
						Open a dispute
					</button>
				</div>
			)}
			{current === "paid" && step === "confirming" && (
				<div className="confirm-step" ref={panel}>
					<p>
						<strong>Release the money for {listingTitle}?</strong> Confirm only once you have everything the seller
						promised: the domain, the code and the accounts. {amountText(payoutCents, currency)} goes to the seller (
						{amountText(feeCents, currency)} is TechFlunky's fee). This cannot be undone, and you can no longer dispute.
					</p>
					<div className="button-row">
						<button type="button" className="button" disabled={busy} onClick={() => void move("confirm-handover")}>
							{busy ? "Releasing…" : "Yes, release the money to the seller"}
						</button>
						<button type="button" className="link-button" disabled={busy} onClick={() => setStep("idle")}>
							Cancel
						</button>
					</div>
				</div>
			)}
			{current === "paid" && step === "disputing" && (
				<form className="confirm-step" method="post" onSubmit={dispute} noValidate aria-busy={busy}>
					<div className="field">
						<label htmlFor={`reason-${id}`}>What went wrong?</label>
						<textarea
							id={`reason-${id}`}
							name="reason"
							ref={reason}
							rows={4}
							maxLength={2000}
							required
							aria-invalid={reasonError ? true : undefined}
							aria-describedby={reasonError ? `reason-${id}-hint reason-${id}-error` : `reason-${id}-hint`}
						/>
						<p className="hint" id={`reason-${id}-hint`}>
							Say what the seller did not hand over. Release is frozen until TechFlunky decides between you.
						</p>
						{reasonError && (
							<p className="field-error" id={`reason-${id}-error`}>
								{reasonError}
							</p>
						)}
					</div>
					<div className="button-row">
						<button type="submit" className="button button-danger" disabled={busy}>
							{busy ? "Opening the dispute…" : "Open the dispute"}
						</button>
						<button type="button" className="link-button" disabled={busy} onClick={() => setStep("idle")}>
							Cancel
						</button>
					</div>
				</form>
			)}
		</div>
	);
}
