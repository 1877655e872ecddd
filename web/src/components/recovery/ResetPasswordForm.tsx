/**
 * Choose a new password with a reset link: the link's token (read from the address,
 * ./link-token.ts) and the new password go to `POST /api/v1/auth/password-reset/confirm`. The
 * repeat field is checked here only, as on the account page: a typo would lock the person out.
 * The API's length rule comes back at the password field; a used, expired or incomplete link as
 * its sentence above the form, with the way to a new link. Done, the page says that every session
 * has ended and leads to sign-in: a reset never signs in (two-factor sign-in still applies).
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";
import { forgetLinkToken, readLinkToken } from "./link-token.ts";

type FieldName = "password" | "repeat_password";

const NO_TOKEN = "This link is incomplete: it has no token. Open the link from the e-mail again, or ask for a new one.";

export default function ResetPasswordForm() {
	const [ready, setReady] = useState(false);
	const [busy, setBusy] = useState(false);
	const [token, setToken] = useState<string | null>(null);
	const [problem, setProblem] = useState<{ detail: string; newLink: boolean } | null>(null);
	const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
	const [done, setDone] = useState(false);
	const form = useRef<HTMLFormElement>(null);
	const doneHeading = useRef<HTMLHeadingElement>(null);

	useEffect(() => {
		const found = readLinkToken();
		setToken(found);
		if (found === null) setProblem({ detail: NO_TOKEN, newLink: true });
		setReady(true);
	}, []);
	useEffect(() => {
		if (done) doneHeading.current?.focus();
	}, [done]);

	function showErrors(found: Partial<Record<FieldName, string>>) {
		setErrors(found);
		const first = (["password", "repeat_password"] as const).find((name) => found[name]);
		if (first) form.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
	}

	async function submit(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		if (token === null) return;
		const data = new FormData(event.currentTarget);
		const password = String(data.get("password") ?? "");
		const repeat = String(data.get("repeat_password") ?? "");
		setProblem(null);
		if (password === "") return showErrors({ password: "Enter a new password." });
		if (repeat !== password) return showErrors({ repeat_password: "The two passwords are not the same." });
		setErrors({});
		setBusy(true);
		const answer = await send("POST", "/api/v1/auth/password-reset/confirm", { token, password });
		setBusy(false);
		if (answer.ok) {
			forgetLinkToken();
			setDone(true);
			return;
		}
		setProblem({ detail: answer.detail, newLink: answer.status === 400 && "token" in answer.fields });
		if (answer.fields.password) showErrors({ password: `The password ${answer.fields.password}.` });
	}

	if (done) {
		return (
			<div className="recovery-outcome" role="status" aria-live="polite">
				<h2 ref={doneHeading} tabIndex={-1}>
					Your password is changed
				</h2>
				<p>Every session of your account has been signed out, on every device. Sign in with your new password.</p>
				<p>
					<a className="button" href="/sign-in">
						Sign in
					</a>
				</p>
			</div>
		);
	}

	const field = (name: FieldName, label: string, hint?: string) => (
		<div className="field">
			<label htmlFor={`reset-${name}`}>{label}</label>
			<input
				id={`reset-${name}`}
				name={name}
				type="password"
				autoComplete="new-password"
				required
				minLength={12}
				aria-invalid={errors[name] ? true : undefined}
				aria-describedby={errors[name] ? `reset-${name}-error` : hint ? `reset-${name}-hint` : undefined}
			/>
			{hint && !errors[name] && (
				<p className="hint" id={`reset-${name}-hint`}>
					{hint}
				</p>
			)}
			{errors[name] && (
				<p className="field-error" id={`reset-${name}-error`}>
					{errors[name]}
				</p>
			)}
		</div>
	);

	return (
		<form ref={form} className="form" method="post" onSubmit={submit} noValidate aria-busy={busy}>
			<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
				{problem?.detail}
				{problem?.newLink && (
					<p className="recovery-next">
						<a href="/forgot-password">Ask for a new link</a>
					</p>
				)}
			</div>
			{field("password", "New password", "At least 12 characters.")}
			{field("repeat_password", "Repeat the new password")}
			<button type="submit" className="button" disabled={busy || !ready || token === null}>
				{busy ? "Changing your password…" : "Change password"}
			</button>
		</form>
	);
}
