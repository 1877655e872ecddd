/**
 * The moves this visitor may make now, and nothing else: answer (accept, reject, counter) when it
 * is their turn, withdraw for the buyer of an open thread, checkout for the buyer of an accepted
 * one. Rejecting and withdrawing close the thread for good, so each asks once more. Every move is
 * made at the version on screen (./use-room.ts); a refusal's `detail` shows above the moves, a
 * bad amount at its field, and the first control that needs fixing takes the focus.
 */
import { useEffect, useRef, useState } from "react";
import CheckoutButton from "../payment/CheckoutButton.tsx";
import { dollars, parseDollars } from "./money.ts";
import type { Moves } from "./thread.ts";
import type { Room } from "./use-room.ts";

interface Props {
	room: Room;
	moves: Moves;
	other: string;
}

type Confirming = "reject" | "withdraw" | null;

export default function MovePanel({ room, moves, other }: Props) {
	const { offer, busy, refused } = room;
	const [ready, setReady] = useState(false);
	const [confirming, setConfirming] = useState<Confirming>(null);
	const [amountError, setAmountError] = useState<string | null>(null);
	const amount = useRef<HTMLInputElement>(null);
	const problem = useRef<HTMLDivElement>(null);
	useEffect(() => setReady(true), []);

	const serverAmountError = refused?.action === "counter" && refused.status === 400 ? refused.detail : null;
	const fieldError = amountError ?? serverAmountError;
	const banner = refused && !serverAmountError ? refused : null;
	useEffect(() => {
		if (serverAmountError) amount.current?.focus();
		else if (banner) problem.current?.focus();
	}, [serverAmountError, banner]);

	const disabled = !ready || busy !== null;
	const price = dollars(offer.amount_cents, offer.currency);
	const nothing = !moves.accept && !moves.counter && !moves.withdraw && !moves.checkout;

	async function counter(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		const form = event.currentTarget;
		const data = new FormData(form);
		const parsed = parseDollars(String(data.get("amount") ?? ""));
		if (!parsed.ok) {
			setAmountError(parsed.message);
			amount.current?.focus();
			return;
		}
		setAmountError(null);
		const message = String(data.get("message") ?? "").trim();
		const done = await room.move("counter", { amount_cents: parsed.cents, ...(message ? { message } : {}) });
		if (done) form.reset();
	}

	async function closing(action: "reject" | "withdraw") {
		setConfirming(null);
		await room.move(action);
	}

	return (
		<section className="room-moves" aria-labelledby="moves-title">
			<h2 id="moves-title">Your moves</h2>
			<div
				ref={problem}
				tabIndex={-1}
				role="alert"
				className={banner ? "form-problem" : "visually-hidden"}
				aria-live="assertive"
			>
				{banner
					? `${banner.detail}${banner.status === 409 ? " The thread below shows where it stands now." : ""}`
					: null}
			</div>
			{nothing && <p className="state">Nothing for you to do right now.</p>}
			{moves.accept && (
				<div className="room-answer">
					<button type="button" className="button" disabled={disabled} onClick={() => room.move("accept")}>
						{busy === "accept" ? "Accepting…" : `Accept ${price}`}
					</button>
					{confirming === "reject" ? (
						<ConfirmClose
							question={`Reject ${other}'s ${price}? The thread closes for good.`}
							yes="Yes, reject"
							no="Keep negotiating"
							disabled={disabled}
							onYes={() => closing("reject")}
							onNo={() => setConfirming(null)}
						/>
					) : (
						<button
							type="button"
							className="button button-secondary"
							disabled={disabled}
							onClick={() => setConfirming("reject")}
						>
							{busy === "reject" ? "Rejecting…" : "Reject"}
						</button>
					)}
				</div>
			)}
			{moves.counter && (
				<form className="room-counter" onSubmit={counter} noValidate aria-busy={busy === "counter"}>
					<fieldset className="field">
						<legend>Make a counter-offer</legend>
						<div className="field">
							<label htmlFor="room-amount">Counter-offer amount ({offer.currency})</label>
							<input
								ref={amount}
								id="room-amount"
								name="amount"
								type="text"
								inputMode="decimal"
								autoComplete="off"
								required
								aria-invalid={fieldError ? true : undefined}
								aria-describedby={fieldError ? "room-amount-error" : "room-amount-hint"}
								onInput={() => setAmountError(null)}
							/>
							{fieldError ? (
								<p className="field-error" id="room-amount-error">
									{fieldError}
								</p>
							) : (
								<p className="hint" id="room-amount-hint">
									In dollars, for example 27500 or 27,500.50. Now at {price}.
								</p>
							)}
						</div>
						<div className="field">
							<label htmlFor="room-message">Message (optional)</label>
							<textarea id="room-message" name="message" rows={3} maxLength={2000} />
						</div>
						<button type="submit" className="button" disabled={disabled}>
							{busy === "counter" ? "Sending counter-offer…" : "Send counter-offer"}
						</button>
					</fieldset>
				</form>
			)}
			{moves.withdraw &&
				(confirming === "withdraw" ? (
					<ConfirmClose
						question="Withdraw your offer? The thread closes for good."
						yes="Yes, withdraw"
						no="Keep my offer"
						disabled={disabled}
						onYes={() => closing("withdraw")}
						onNo={() => setConfirming(null)}
					/>
				) : (
					<p>
						<button type="button" className="link-button" disabled={disabled} onClick={() => setConfirming("withdraw")}>
							{busy === "withdraw" ? "Withdrawing…" : "Withdraw my offer"}
						</button>
					</p>
				))}
			{moves.checkout && <CheckoutButton offerId={offer.id} amount={price} />}
		</section>
	);
}

interface ConfirmProps {
	question: string;
	yes: string;
	no: string;
	disabled: boolean;
	onYes(): void;
	onNo(): void;
}

function ConfirmClose({ question, yes, no, disabled, onYes, onNo }: ConfirmProps) {
	const first = useRef<HTMLButtonElement>(null);
	useEffect(() => first.current?.focus(), []);
	return (
		<fieldset className="room-confirm">
			<legend>{question}</legend>
			<div className="room-confirm-buttons">
				<button ref={first} type="button" className="button button-danger" disabled={disabled} onClick={onYes}>
					{yes}
				</button>
				<button type="button" className="button button-secondary" disabled={disabled} onClick={onNo}>
					{no}
				</button>
			</div>
		</fieldset>
	);
}
