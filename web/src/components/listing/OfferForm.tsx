/**
 * Make an offer on a listing: an amount in dollars and an optional message, sent as
 * `POST /api/v1/listings/{id}/offers` in cents. What cannot be an amount is refused before
 * sending (./amount.ts); everything else is the API's call, and its field error is shown at the
 * field in dollars rather than in the contract's cents. Made, the form gives way to a link to the
 * thread's negotiation room. A buyer who already has an open thread there (made in another tab, or
 * on an earlier visit the page did not find) gets the API's 409 with a link to that thread, which
 * the problem names in `offer_id`. The button stays disabled until hydrated, as in AuthForm.
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";
import { amountText } from "../buyer/labels.ts";
import { parseDollars } from "./amount.ts";

interface Props {
	listingId: string;
	currency: string;
	askingCents: number;
	/** The contract's largest amount, for the sentence shown when the API refuses one. */
	maxCents: number;
}

type FieldName = "amount" | "message";

interface Made {
	id: string;
	amount_cents: number;
}

export default function OfferForm({ listingId, currency, askingCents, maxCents }: Props) {
	const [ready, setReady] = useState(false);
	const [busy, setBusy] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [openThread, setOpenThread] = useState<string | null>(null);
	const [fields, setFields] = useState<Partial<Record<FieldName, string>>>({});
	const [made, setMade] = useState<Made | null>(null);
	const form = useRef<HTMLFormElement>(null);
	const done = useRef<HTMLParagraphElement>(null);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (made) done.current?.focus();
	}, [made]);

	function showFieldErrors(errors: Partial<Record<FieldName, string>>) {
		setFields(errors);
		const first = Object.keys(errors)[0];
		if (first) form.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
	}

	async function submit(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		const data = new FormData(event.currentTarget);
		const amount = parseDollars(String(data.get("amount") ?? ""));
		const message = String(data.get("message") ?? "").trim();
		setProblem(null);
		setOpenThread(null);
		if (!amount.ok) {
			setProblem("Check the amount of your offer.");
			showFieldErrors({ amount: amount.message });
			return;
		}
		setBusy(true);
		setFields({});
		const answer = await send<Made>("POST", `/api/v1/listings/${listingId}/offers`, {
			amount_cents: amount.cents,
			...(message === "" ? {} : { message }),
		});
		setBusy(false);
		if (answer.ok) {
			setMade(answer.body);
			return;
		}
		setProblem(answer.detail);
		if (typeof answer.extra.offer_id === "string") setOpenThread(answer.extra.offer_id);
		const errors: Partial<Record<FieldName, string>> = {};
		if (answer.fields.amount_cents) {
			errors.amount = `Enter an amount between ${amountText(1, currency)} and ${amountText(maxCents, currency)}.`;
		}
		if (answer.fields.message) errors.message = "Keep the message under 2,000 characters.";
		showFieldErrors(errors);
	}

	if (made) {
		return (
			<div className="action-done">
				<p role="status" tabIndex={-1} ref={done}>
					Your offer of <strong>{amountText(made.amount_cents, currency)}</strong> is with the seller.
				</p>
				<p>
					<a className="button" href={`/offers/${made.id}`}>
						Go to the negotiation room
					</a>
				</p>
			</div>
		);
	}

	const field = (name: FieldName) => ({
		id: `offer-${name}`,
		name,
		"aria-invalid": fields[name] ? true : undefined,
		"aria-describedby": [`offer-${name}-hint`, fields[name] ? `offer-${name}-error` : ""].join(" ").trim(),
	});
	const error = (name: FieldName) =>
		fields[name] ? (
			<p className="field-error" id={`offer-${name}-error`}>
				{fields[name]}
			</p>
		) : null;

	return (
		<form ref={form} className="form" method="post" onSubmit={submit} noValidate aria-busy={busy}>
			<div role="alert" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
				{openThread && (
					<>
						{" "}
						<a href={`/offers/${openThread}`}>Open your current offer</a>
					</>
				)}
			</div>
			<div className="field">
				<label htmlFor="offer-amount">Your offer ({currency})</label>
				<input {...field("amount")} type="text" inputMode="decimal" autoComplete="off" required />
				<p className="hint" id="offer-amount-hint">
					The asking price is {amountText(askingCents, currency)}. The seller can accept, reject or counter.
				</p>
				{error("amount")}
			</div>
			<div className="field">
				<label htmlFor="offer-message">Message to the seller (optional)</label>
				<textarea {...field("message")} rows={3} maxLength={2000} />
				<p className="hint" id="offer-message-hint">
					Say who you are and how you would run the business.
				</p>
				{error("message")}
			</div>
			<button type="submit" className="button" disabled={busy || !ready}>
				{busy ? "Sending your offer…" : "Make an offer"}
			</button>
		</form>
	);
}
