/**
 * What the buyer of a paid (held) payment can do: confirm the handover, which releases the money
 * to the seller (`POST /api/v1/payments/{id}/confirm-handover`; it cannot be undone, so it asks
 * once more), or open a dispute with a reason (`POST …/dispute`), which freezes the release until
 * an admin decides. Either answer is the payment as it now is, handed back to the page; a refusal
 * shows its `detail`, a reason the API rejects shows at its field.
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";
import type { PaymentView } from "./watch.ts";

interface Props {
	payment: PaymentView;
	onChange(next: PaymentView): void;
}

type Busy = "confirm" | "dispute" | null;

export default function BuyerActions({ payment, onChange }: Props) {
	const [ready, setReady] = useState(false);
	const [busy, setBusy] = useState<Busy>(null);
	const [confirming, setConfirming] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [reasonError, setReasonError] = useState<string | null>(null);
	const reason = useRef<HTMLTextAreaElement>(null);
	const yes = useRef<HTMLButtonElement>(null);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (confirming) yes.current?.focus();
	}, [confirming]);

	async function confirmHandover() {
		setBusy("confirm");
		setProblem(null);
		const answer = await send<PaymentView>("POST", `/api/v1/payments/${payment.id}/confirm-handover`);
		setBusy(null);
		setConfirming(false);
		if (answer.ok) onChange(answer.body);
		else setProblem(answer.detail);
	}

	async function dispute(event: { preventDefault(): void }) {
		event.preventDefault();
		const text = reason.current?.value.trim() ?? "";
		if (text === "") {
			setReasonError("Say what went wrong with the handover.");
			reason.current?.focus();
			return;
		}
		setBusy("dispute");
		setProblem(null);
		setReasonError(null);
		const answer = await send<PaymentView>("POST", `/api/v1/payments/${payment.id}/dispute`, { reason: text });
		setBusy(null);
		if (answer.ok) {
			onChange(answer.body);
			return;
		}
		if (answer.fields.reason) {
			setReasonError(answer.fields.reason);
			reason.current?.focus();
		} else setProblem(answer.detail);
	}

	const disabled = !ready || busy !== null;
	return (
		<section className="payment-actions" aria-labelledby="actions-title">
			<h2 id="actions-title">The handover</h2>
			<div role="alert" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			<p>
				Once you have the business (domain, code, accounts and anything else agreed), confirm it to release the money to
				the seller.
			</p>
			{confirming ? (
				<fieldset className="room-confirm">
					<legend>Release the money to the seller now? This cannot be undone.</legend>
					<div className="room-confirm-buttons">
						<button ref={yes} type="button" className="button" disabled={disabled} onClick={confirmHandover}>
							{busy === "confirm" ? "Releasing…" : "Yes, release the money"}
						</button>
						<button
							type="button"
							className="button button-secondary"
							disabled={disabled}
							onClick={() => setConfirming(false)}
						>
							Not yet
						</button>
					</div>
				</fieldset>
			) : (
				<button type="button" className="button" disabled={disabled} onClick={() => setConfirming(true)}>
					Confirm handover
				</button>
			)}
			<form className="payment-dispute" onSubmit={dispute} noValidate aria-busy={busy === "dispute"}>
				<div className="field">
					<label htmlFor="dispute-reason">Something wrong? Tell us what, and the release stops until we decide</label>
					<textarea
						ref={reason}
						id="dispute-reason"
						name="reason"
						rows={3}
						maxLength={2000}
						aria-invalid={reasonError ? true : undefined}
						aria-describedby={reasonError ? "dispute-reason-error" : undefined}
						onInput={() => setReasonError(null)}
					/>
					{reasonError && (
						<p className="field-error" id="dispute-reason-error">
							{reasonError}
						</p>
					)}
				</div>
				<button type="submit" className="button button-secondary" disabled={disabled}>
					{busy === "dispute" ? "Opening dispute…" : "Open a dispute"}
				</button>
			</form>
		</section>
	);
}
