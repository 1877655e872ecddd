/**
 * "Forgot your password?": the address goes to `POST /api/v1/auth/password-reset`, which answers
 * the same 202 whether or not an account uses it, so this form says the same thing either way
 * ("if an account uses it, a link is on its way") and never that an address is unknown. A
 * malformed address comes back as a field error at its field (`aria-invalid`,
 * `aria-describedby`, focus); any other refusal, such as the few-an-hour limit, as the API's
 * sentence above the form. The submit button waits for hydration, like every form here.
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";

export default function ForgotPasswordForm() {
	const [ready, setReady] = useState(false);
	const [busy, setBusy] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [emailError, setEmailError] = useState<string | null>(null);
	const [sentTo, setSentTo] = useState<string | null>(null);
	const input = useRef<HTMLInputElement>(null);
	const done = useRef<HTMLHeadingElement>(null);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (sentTo !== null) done.current?.focus();
	}, [sentTo]);

	async function submit(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		const email = String(new FormData(event.currentTarget).get("email") ?? "").trim();
		setProblem(null);
		setEmailError(null);
		if (email === "") {
			setEmailError("Enter the e-mail address of your account.");
			input.current?.focus();
			return;
		}
		setBusy(true);
		const answer = await send("POST", "/api/v1/auth/password-reset", { email });
		setBusy(false);
		if (answer.ok) {
			setSentTo(email);
			return;
		}
		setProblem(answer.detail);
		if (answer.fields.email) {
			setEmailError(`E-mail ${answer.fields.email}.`);
			input.current?.focus();
		}
	}

	if (sentTo !== null) {
		return (
			<div className="recovery-outcome" role="status" aria-live="polite">
				<h2 ref={done} tabIndex={-1}>
					Check your inbox
				</h2>
				<p>
					If an account uses <strong>{sentTo}</strong>, we have sent it a link to choose a new password. The link works
					once, for 30 minutes.
				</p>
				<p>
					Nothing there after a few minutes? Look in your spam folder, or{" "}
					<button type="button" className="link-button" onClick={() => setSentTo(null)}>
						try another address
					</button>
					.
				</p>
			</div>
		);
	}

	return (
		<form className="form" method="post" onSubmit={submit} noValidate aria-busy={busy}>
			<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			<div className="field">
				<label htmlFor="forgot-email">E-mail address</label>
				<input
					ref={input}
					id="forgot-email"
					name="email"
					type="email"
					autoComplete="email"
					required
					maxLength={254}
					aria-invalid={emailError ? true : undefined}
					aria-describedby={emailError ? "forgot-email-error" : "forgot-email-hint"}
				/>
				{emailError ? (
					<p className="field-error" id="forgot-email-error">
						{emailError}
					</p>
				) : (
					<p className="hint" id="forgot-email-hint">
						The address you signed up with.
					</p>
				)}
			</div>
			<button type="submit" className="button" disabled={busy || !ready}>
				{busy ? "Sending the link…" : "Send me a reset link"}
			</button>
		</form>
	);
}
