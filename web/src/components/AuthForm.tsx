/**
 * The sign-in and sign-up forms: JSON to `POST /api/v1/auth/login` or `/register`, same origin,
 * so the API sets the `__Host-session` cookie (HttpOnly: the page never sees the token, and
 * nothing is kept in `localStorage`). A refusal shows the problem's `detail` above the form and
 * each field error at its field (`aria-invalid`, `aria-describedby`); the first invalid field
 * takes the focus. Signed in, the visitor goes to where they came from (`next`, same-site paths
 * only) or home. Until the island has hydrated the submit button is disabled, so a form sent
 * before the script runs can never put a password in a URL.
 */
import { useEffect, useRef, useState } from "react";

type Mode = "sign-in" | "sign-up";
type FieldName = "name" | "email" | "password" | "role" | "otp";

interface Problem {
	detail?: string;
	errors?: { field: string; message: string }[];
}

interface Props {
	mode: Mode;
	next?: string;
}

const ROLES = [
	{ value: "buyer", label: "Buyer — I want to buy a business" },
	{ value: "investor", label: "Investor — I invest in businesses" },
	{ value: "seller", label: "Seller — I want to sell my business" },
] as const;

function safeNext(next: string | undefined): string {
	return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export default function AuthForm({ mode, next }: Props) {
	const [busy, setBusy] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
	const [needsOtp, setNeedsOtp] = useState(false);
	const [ready, setReady] = useState(false);
	const form = useRef<HTMLFormElement>(null);
	useEffect(() => setReady(true), []);

	async function submit(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		const data = new FormData(event.currentTarget);
		const text = (name: FieldName) => String(data.get(name) ?? "");
		const body =
			mode === "sign-up"
				? { name: text("name"), email: text("email"), password: text("password"), role: text("role") }
				: { email: text("email"), password: text("password"), ...(needsOtp ? { otp: text("otp") } : {}) };
		setBusy(true);
		setProblem(null);
		setFieldErrors({});
		try {
			const res = await fetch(mode === "sign-up" ? "/api/v1/auth/register" : "/api/v1/auth/login", {
				method: "POST",
				credentials: "same-origin",
				headers: { "Content-Type": "application/json", Accept: "application/json" },
				body: JSON.stringify(body),
			});
			if (res.ok) {
				window.location.assign(safeNext(next));
				return;
			}
			const answer = (await res.json().catch(() => ({}))) as Problem & { type?: string };
			const otpRequired = res.status === 401 && answer.type?.endsWith("otp-required") === true;
			if (otpRequired) setNeedsOtp(true);
			const errors: Partial<Record<FieldName, string>> = {};
			for (const error of answer.errors ?? []) {
				const field = error.field.split(".")[0] as FieldName;
				errors[field] ??= error.message;
			}
			setFieldErrors(errors);
			// The API's words for a missing code name the JSON field; a person needs the next step.
			setProblem(
				otpRequired && !needsOtp
					? "Enter the 6-digit code from your authenticator app to finish signing in."
					: (answer.detail ?? "Something went wrong. Try again."),
			);
			if (otpRequired) window.setTimeout(() => form.current?.querySelector<HTMLElement>('[name="otp"]')?.focus(), 0);
			const first = Object.keys(errors)[0];
			if (first) form.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
		} catch {
			setProblem("We could not reach TechFlunky. Check your connection and try again.");
		} finally {
			setBusy(false);
		}
	}

	const field = (name: FieldName) => ({
		id: `field-${name}`,
		name,
		"aria-invalid": fieldErrors[name] ? true : undefined,
		"aria-describedby": fieldErrors[name] ? `error-${name}` : undefined,
	});
	const error = (name: FieldName) =>
		fieldErrors[name] ? (
			<p className="field-error" id={`error-${name}`}>
				{fieldErrors[name]}
			</p>
		) : null;

	return (
		<form ref={form} className="form" method="post" onSubmit={submit} noValidate aria-busy={busy}>
			<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			{mode === "sign-up" && (
				<div className="field">
					<label htmlFor="field-name">Your name</label>
					<input {...field("name")} type="text" autoComplete="name" required maxLength={100} />
					{error("name")}
				</div>
			)}
			<div className="field">
				<label htmlFor="field-email">Email</label>
				<input {...field("email")} type="email" autoComplete="email" required maxLength={254} />
				{error("email")}
			</div>
			<div className="field">
				<label htmlFor="field-password">Password</label>
				<input
					{...field("password")}
					type="password"
					autoComplete={mode === "sign-up" ? "new-password" : "current-password"}
					required
					minLength={mode === "sign-up" ? 12 : undefined}
				/>
				{mode === "sign-up" && !fieldErrors.password && <p className="hint">At least 12 characters.</p>}
				{error("password")}
			</div>
			{mode === "sign-in" && needsOtp && (
				<div className="field">
					<label htmlFor="field-otp">Code from your authenticator app</label>
					<input {...field("otp")} type="text" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" />
					{error("otp")}
				</div>
			)}
			{mode === "sign-up" && (
				<fieldset className="field" aria-describedby={fieldErrors.role ? "error-role" : undefined}>
					<legend>I am joining as</legend>
					{ROLES.map((role) => (
						<label key={role.value} className="choice">
							<input type="radio" name="role" value={role.value} defaultChecked={role.value === "buyer"} /> {role.label}
						</label>
					))}
					{error("role")}
				</fieldset>
			)}
			<button type="submit" className="button" disabled={busy || !ready}>
				{busy
					? mode === "sign-up"
						? "Creating your account…"
						: "Signing in…"
					: mode === "sign-up"
						? "Create account"
						: "Sign in"}
			</button>
		</form>
	);
}
