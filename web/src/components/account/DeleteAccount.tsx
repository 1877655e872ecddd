/**
 * Delete your account: `DELETE /api/v1/me {password, otp?}`, behind a confirm step. The first
 * button only opens the confirmation, which says what goes and what is kept; the deletion needs
 * the password (and a current code when two-factor sign-in is on). A refusal while money is in
 * flight or a negotiation is open is the API's 409 sentence, shown as it is; a wrong password or
 * code is a field error. Once deleted the session is gone (the API clears the cookie), so the
 * island says so and offers the way out instead of leaving a signed-in page behind.
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";

type FieldName = "password" | "otp";

interface Props {
	/** Whether two-factor sign-in is on: the deletion then needs a current code. */
	mfaEnabled: boolean;
	/** For password managers (a hidden `username` field). */
	email: string;
}

export default function DeleteAccount({ mfaEnabled, email }: Props) {
	const [ready, setReady] = useState(false);
	const [open, setOpen] = useState(false);
	const [busy, setBusy] = useState(false);
	const [done, setDone] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
	const formRef = useRef<HTMLFormElement>(null);
	const doneRef = useRef<HTMLHeadingElement>(null);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (open) formRef.current?.querySelector<HTMLElement>('[name="password"]')?.focus();
	}, [open]);
	useEffect(() => {
		if (done) doneRef.current?.focus();
	}, [done]);

	function showErrors(found: Partial<Record<FieldName, string>>) {
		setErrors(found);
		const first = (["password", "otp"] as const).find((name) => found[name]);
		if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
	}

	async function submit(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		const data = new FormData(event.currentTarget);
		const password = String(data.get("password") ?? "");
		const otp = String(data.get("otp") ?? "").trim();
		setProblem(null);
		const local: Partial<Record<FieldName, string>> = {};
		if (password === "") local.password = "Enter your password.";
		if (mfaEnabled && otp === "") local.otp = "Enter the 6-digit code from your authenticator app.";
		if (Object.keys(local).length > 0) return showErrors(local);
		setErrors({});
		setBusy(true);
		const answer = await send("DELETE", "/api/v1/me", mfaEnabled ? { password, otp } : { password });
		setBusy(false);
		if (answer.ok) {
			setDone(true);
			return;
		}
		setProblem(answer.detail);
		const found: Partial<Record<FieldName, string>> = {};
		if (answer.fields.password) found.password = `The password ${answer.fields.password}.`;
		if (answer.fields.otp) found.otp = `The code ${answer.fields.otp}.`;
		showErrors(found);
	}

	if (done) {
		return (
			<div role="status" aria-live="polite" className="notice">
				<h3 ref={doneRef} tabIndex={-1}>
					Your account is deleted
				</h3>
				<p>You are signed out everywhere. Your e-mail address can be used for a new account.</p>
				<p>
					<a href="/">Go to the home page</a>
				</p>
			</div>
		);
	}
	if (!open) {
		return (
			<button type="button" className="button danger-button" disabled={!ready} onClick={() => setOpen(true)}>
				Delete my account…
			</button>
		);
	}
	const field = (name: FieldName, label: string, type: string, autoComplete: string) => (
		<div className="field">
			<label htmlFor={`delete-${name}`}>{label}</label>
			<input
				id={`delete-${name}`}
				name={name}
				type={type}
				autoComplete={autoComplete}
				{...(name === "otp" ? { inputMode: "numeric" as const, pattern: "[0-9]{6}", maxLength: 6 } : {})}
				required
				aria-invalid={errors[name] ? true : undefined}
				aria-describedby={errors[name] ? `delete-${name}-error` : undefined}
			/>
			{errors[name] && (
				<p className="field-error" id={`delete-${name}-error`}>
					{errors[name]}
				</p>
			)}
		</div>
	);
	return (
		<form ref={formRef} className="form delete-confirm" method="post" onSubmit={submit} noValidate aria-busy={busy}>
			<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			<p>
				This cannot be undone. Your name, e-mail address, password and two-factor secret are removed and your draft and
				active listings are archived. Payments, deal records and the audit log are kept for legal reasons, without your
				personal data.
			</p>
			<input type="text" name="username" autoComplete="username" value={email} readOnly hidden />
			{field("password", "Your password", "password", "current-password")}
			{mfaEnabled && field("otp", "Two-factor code", "text", "one-time-code")}
			<div className="delete-actions">
				<button type="submit" className="button danger-button" disabled={busy}>
					{busy ? "Deleting your account…" : "Delete my account for good"}
				</button>
				<button type="button" className="link-button" disabled={busy} onClick={() => setOpen(false)}>
					Keep my account
				</button>
			</div>
		</form>
	);
}
