/**
 * Change password: `POST /api/v1/auth/password {current_password, new_password}`. The API ends
 * every session of the user, this one included, and answers with a fresh session whose cookie it
 * sets on this same response, so this browser stays signed in and every other device is signed
 * out; the page says so. The repeat field is checked here only (the API takes the password once):
 * a typo in a new password would otherwise lock the person out. A wrong current password and the
 * API's length rule come back as field errors and are shown at their fields.
 */

import { send } from "../../lib/browser-api.ts";
import { useAccountForm } from "./use-account-form.ts";

type FieldName = "current_password" | "new_password" | "repeat_password";

const LABELS: Record<FieldName, string> = {
	current_password: "Current password",
	new_password: "New password",
	repeat_password: "Repeat the new password",
};

interface Props {
	/** For password managers: which account's password this is (a hidden `username` field). */
	email: string;
}

export default function PasswordForm({ email }: Props) {
	const { busy, setBusy, ready, problem, setProblem, notice, setNotice, errors, setErrors, formRef, showErrors } =
		useAccountForm<FieldName>(LABELS);

	async function submit(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		const form = event.currentTarget;
		const data = new FormData(form);
		const value = (name: FieldName) => String(data.get(name) ?? "");
		setProblem(null);
		setNotice(null);
		const local: Partial<Record<FieldName, string>> = {};
		if (value("current_password") === "") local.current_password = "Enter your current password.";
		if (value("new_password") === "") local.new_password = "Enter a new password.";
		else if (value("repeat_password") !== value("new_password"))
			local.repeat_password = "The two new passwords are not the same.";
		if (Object.keys(local).length > 0) return showErrors(local);
		setErrors({});
		setBusy(true);
		const answer = await send("POST", "/api/v1/auth/password", {
			current_password: value("current_password"),
			new_password: value("new_password"),
		});
		setBusy(false);
		if (answer.ok) {
			form.reset();
			setNotice("Your password is changed. Every other session has been signed out; this browser stays signed in.");
			return;
		}
		setProblem(answer.detail);
		const found: Partial<Record<FieldName, string>> = {};
		if (answer.fields.current_password) found.current_password = `Current password ${answer.fields.current_password}.`;
		if (answer.fields.new_password) found.new_password = `New password ${answer.fields.new_password}.`;
		showErrors(found);
	}

	const field = (name: FieldName, autoComplete: string, hint?: string) => (
		<div className="field">
			<label htmlFor={`password-${name}`}>{LABELS[name]}</label>
			<input
				id={`password-${name}`}
				name={name}
				type="password"
				autoComplete={autoComplete}
				required
				aria-invalid={errors[name] ? true : undefined}
				aria-describedby={errors[name] ? `password-${name}-error` : hint ? `password-${name}-hint` : undefined}
			/>
			{hint && !errors[name] && (
				<p className="hint" id={`password-${name}-hint`}>
					{hint}
				</p>
			)}
			{errors[name] && (
				<p className="field-error" id={`password-${name}-error`}>
					{errors[name]}
				</p>
			)}
		</div>
	);

	return (
		<form ref={formRef} className="form" method="post" onSubmit={submit} noValidate aria-busy={busy}>
			<p role="status" aria-live="polite" className={notice ? "notice" : "visually-hidden"}>
				{notice}
			</p>
			<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			<input type="text" name="username" autoComplete="username" value={email} readOnly hidden />
			{field("current_password", "current-password")}
			{field("new_password", "new-password", "At least 12 characters.")}
			{field("repeat_password", "new-password")}
			<button type="submit" className="button" disabled={busy || !ready}>
				{busy ? "Changing your password…" : "Change password"}
			</button>
		</form>
	);
}
