/**
 * One disputed payment's decision on /admin/disputes, made in place with
 * `POST /api/v1/payments/{id}/dispute/decision`: the admin writes why, picks "Release to the
 * seller" or "Refund the buyer", then confirms that exact choice in a second, explicit step, since
 * money moves and cannot be moved back. The outcome is the payment the API answers (released or
 * refunded); a refusal (a card network's dispute, a payment already decided) shows the problem's
 * `detail`, and a missing reason sits at its field. Types only from the contract.
 */
import type { z } from "@hono/zod-openapi";
import { useRef, useState } from "react";
import type { paymentView } from "../../../../shared/contract/routes/payments.ts";
import { send } from "../../lib/browser-api.ts";
import ConfirmStep from "./ConfirmStep.tsx";
import { useConsoleAction } from "./use-console-action.ts";

type Payment = z.output<typeof paymentView>;
type Decision = "release" | "refund";

const CHOICES: Record<Decision, { button: string; confirm: string; done: string }> = {
	release: {
		button: "Release to the seller",
		confirm: "Yes, release to the seller",
		done: "Released: the seller is paid what was not refunded.",
	},
	refund: {
		button: "Refund the buyer",
		confirm: "Yes, refund the buyer",
		done: "Refunded: the buyer gets the rest of the payment back.",
	},
};

export default function DisputeDecision({ paymentId, label }: { paymentId: string; label: string }) {
	const {
		asking: choice,
		setAsking: setChoice,
		busy,
		ready,
		problem,
		setProblem,
		confirmButton,
		run,
	} = useConsoleAction<Decision>();
	const [reasonError, setReasonError] = useState<string | null>(null);
	const [decided, setDecided] = useState<Payment | null>(null);
	const reason = useRef<HTMLTextAreaElement>(null);

	const base = `dispute-${paymentId}`;

	function ask(decision: Decision) {
		setProblem(null);
		const text = reason.current?.value.trim() ?? "";
		if (text === "") {
			setReasonError("Say why you decide this way: the buyer and the seller both read it.");
			reason.current?.focus();
			return;
		}
		setReasonError(null);
		setChoice(decision);
	}

	async function decide(decision: Decision) {
		const answer = await run(() =>
			send<Payment>("POST", `/api/v1/payments/${encodeURIComponent(paymentId)}/dispute/decision`, {
				decision,
				reason: reason.current?.value.trim() ?? "",
			}),
		);
		if (answer.ok) setDecided(answer.body);
		else if (answer.fields.reason) setReasonError(`The reason ${answer.fields.reason}.`);
	}

	if (decided) {
		return (
			<p role="status" className="notice">
				{decided.status === "released" ? CHOICES.release.done : CHOICES.refund.done} (now {decided.status})
			</p>
		);
	}

	return (
		<div className="dispute-decision" aria-busy={busy}>
			<div role="alert" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			<div className="field">
				<label htmlFor={`${base}-reason`}>
					Your decision's reason<span className="visually-hidden"> for {label}</span>
				</label>
				<textarea
					ref={reason}
					id={`${base}-reason`}
					rows={3}
					maxLength={2000}
					disabled={choice !== null}
					aria-invalid={reasonError ? true : undefined}
					aria-describedby={reasonError ? `${base}-reason-error` : undefined}
				/>
				{reasonError && (
					<p className="field-error" id={`${base}-reason-error`}>
						{reasonError}
					</p>
				)}
			</div>
			{choice ? (
				<ConfirmStep
					id={`${base}-confirm`}
					question={
						choice === "release"
							? `Release the money of ${label} to the seller? The transfer cannot be taken back.`
							: `Refund the buyer of ${label}? The refund cannot be taken back.`
					}
					confirm={busy ? "Deciding…" : CHOICES[choice].confirm}
					cancels={`the decision for ${label}`}
					busy={busy}
					buttonRef={confirmButton}
					onConfirm={() => decide(choice)}
					onCancel={() => setChoice(null)}
				/>
			) : (
				<div className="actions">
					{(["release", "refund"] as const).map((decision) => (
						<button
							key={decision}
							type="button"
							className={decision === "release" ? "button" : "button button-secondary"}
							disabled={!ready || busy}
							onClick={() => ask(decision)}
						>
							{CHOICES[decision].button}
							<span className="visually-hidden"> for {label}</span>
						</button>
					))}
				</div>
			)}
		</div>
	);
}
