/**
 * Change e-mail address: `POST /api/v1/auth/email-change {new_email, password}`. Nothing changes
 * yet: the API sends a link to the new address (and tells the current one), and the address
 * switches only when that link is opened (/confirm-email-change). The API answers the same 202
 * whether or not another account uses the new address, so the page says "if" too. A wrong
 * password, a malformed address or the current one come back as field errors at their fields.
 */

import { send } from "../../lib/browser-api.ts";
import { useAccountForm } from "./use-account-form.ts";

type FieldName = "new_email" | "password";

const LABELS: Record<FieldName, string> = { new_email: "New e-mail address", password: "Your password" };

interface Props {
	/** For password managers: whose password this is (a hidden `username` field). */
	email: string;
}

export default function EmailChangeForm({ email }: Props) {
	const { busy, setBusy, ready, problem, setProblem, notice, setNotice, errors, setErrors, formRef, showErrors } =
		useAccountForm<FieldName>(LABELS);

	async function submit(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		const form = event.currentTarget;
		const data = new FormData(form);
		const value = (name: FieldName) => String(data.get(name) ?? "").trim();
		setProblem(null);
		setNotice(null);
		const local: Partial<Record<FieldName, string>> = {};
		if (value("new_email") === "") local.new_email = "Enter the new e-mail address.";
		if (String(data.get("password") ?? "") === "") local.password = "Enter your password.";
		if (Object.keys(local).length > 0) return showErrors(local);
		setErrors({});
		setBusy(true);
		const answer = await send("POST", "/api/v1/auth/email-change", {
			new_email: value("new_email"),
			password: String(data.get("password") ?? ""),
		});
		setBusy(false);
		if (answer.ok) {
			form.reset();
			setNotice(
				`Check the inbox of ${value("new_email")}: unless another account uses it, a confirmation link is on its way (it works for 24 hours). Your address stays ${email} until you open it.`,
			);
			return;
		}
		setProblem(answer.detail);
		const found: Partial<Record<FieldName, string>> = {};
		if (answer.fields.new_email) found.new_email = `The new address ${answer.fields.new_email}.`;
		if (answer.fields.password) found.password = `The password ${answer.fields.password}.`;
		showErrors(found);
	}

	const field = (name: FieldName, type: string, autoComplete: string) => (
		<div className="field">
			<label htmlFor={`email-change-${name}`}>{LABELS[name]}</label>
			<input
				id={`email-change-${name}`}
				name={name}
				type={type}
				autoComplete={autoComplete}
				required
				aria-invalid={errors[name] ? true : undefined}
				aria-describedby={errors[name] ? `email-change-${name}-error` : undefined}
			/>
			{errors[name] && (
				<p className="field-error" id={`email-change-${name}-error`}>
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
			{field("new_email", "email", "email")}
			{field("password", "password", "current-password")}
			<button type="submit" className="button" disabled={busy || !ready}>
				{busy ? "Sending the link…" : "Change e-mail address"}
			</button>
		</form>
	);
}
