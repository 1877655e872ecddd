/**
 * Two-factor sign-in on the account page: set up (`POST /api/v1/auth/mfa/setup` answers the
 * pending secret and its otpauth URI), confirm with a code (`/mfa/enable`), turn off with a code
 * (`/mfa/disable`).
 *
 * The QR code is drawn here, in the browser, from the otpauth URI the setup call answered. The
 * alternative, an SVG rendered by the server, would need the secret in a page URL (only GET
 * reaches the pages), where logs and history keep it; here it never leaves this island's memory.
 * The encoder (uqr: no dependencies, under 4 KB gzipped as built) is a dynamic import made when
 * setup starts, so it is a chunk of its own that only this step of /account loads. The secret is
 * also shown as text, in groups of four, for entering by hand; if the encoder cannot load, the
 * text still works.
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";
import QrCode from "./QrCode.tsx";

interface Props {
	enabled: boolean;
	email: string;
}

type Stage = { kind: "off" } | { kind: "setup"; secret: string; modules: boolean[][] | null } | { kind: "on" };

const CODE = /^[0-9]{6}$/;

/** `ABCDEFGH…` as `ABCD EFGH …`: easier to read out and type; apps ignore the spaces. */
export function groupSecret(secret: string): string {
	return secret.match(/.{1,4}/g)?.join(" ") ?? secret;
}

async function qrModules(uri: string): Promise<boolean[][] | null> {
	try {
		const { encode } = await import("uqr");
		// A quiet zone of four modules, as the QR standard asks, so every camera app reads it.
		return encode(uri, { ecc: "M", border: 4 }).data;
	} catch (error) {
		console.warn("QR encoder did not load", error);
		return null;
	}
}

export default function MfaPanel({ enabled, email }: Props) {
	const [stage, setStage] = useState<Stage>(enabled ? { kind: "on" } : { kind: "off" });
	const [busy, setBusy] = useState(false);
	const [ready, setReady] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [codeError, setCodeError] = useState<string | null>(null);
	const [notice, setNotice] = useState<string | null>(null);
	const stepHeading = useRef<HTMLHeadingElement>(null);
	const codeInput = useRef<HTMLInputElement>(null);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (stage.kind === "setup") stepHeading.current?.focus();
	}, [stage.kind]);

	function reset() {
		setProblem(null);
		setCodeError(null);
		setNotice(null);
	}

	async function startSetup() {
		reset();
		setBusy(true);
		const answer = await send<{ secret: string; otpauth_uri: string }>("POST", "/api/v1/auth/mfa/setup");
		if (!answer.ok) {
			setBusy(false);
			if (answer.status === 409) setStage({ kind: "on" });
			setProblem(answer.detail);
			return;
		}
		const modules = await qrModules(answer.body.otpauth_uri);
		setBusy(false);
		setStage({ kind: "setup", secret: answer.body.secret, modules });
	}

	async function submitCode(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		// React clears `currentTarget` once the handler yields, so the form is kept for after the call.
		const form = event.currentTarget;
		const otp = String(new FormData(form).get("otp") ?? "").replaceAll(" ", "");
		reset();
		if (!CODE.test(otp)) {
			setCodeError("Enter the 6-digit code your authenticator app shows.");
			codeInput.current?.focus();
			return;
		}
		const turningOn = stage.kind === "setup";
		setBusy(true);
		const answer = await send("POST", turningOn ? "/api/v1/auth/mfa/enable" : "/api/v1/auth/mfa/disable", { otp });
		setBusy(false);
		if (answer.ok) {
			form.reset();
			setStage(turningOn ? { kind: "on" } : { kind: "off" });
			setNotice(
				turningOn
					? "Two-factor sign-in is on. From now on, signing in asks for a code from your app."
					: "Two-factor sign-in is off. Signing in needs only your password.",
			);
			return;
		}
		setProblem(answer.detail);
		if (answer.fields.otp) {
			setCodeError(`The code ${answer.fields.otp}.`);
			codeInput.current?.focus();
		}
	}

	const codeField = (
		<div className="field">
			<label htmlFor="mfa-otp">Code from your authenticator app</label>
			<input
				ref={codeInput}
				id="mfa-otp"
				name="otp"
				type="text"
				inputMode="numeric"
				autoComplete="one-time-code"
				maxLength={7}
				required
				aria-invalid={codeError ? true : undefined}
				aria-describedby={codeError ? "mfa-otp-error" : undefined}
			/>
			{codeError && (
				<p className="field-error" id="mfa-otp-error">
					{codeError}
				</p>
			)}
		</div>
	);

	return (
		<div className="mfa" aria-busy={busy}>
			<p role="status" aria-live="polite" className={notice ? "notice" : "visually-hidden"}>
				{notice}
			</p>
			<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			{stage.kind === "off" && (
				<>
					<p>
						Two-factor sign-in is <strong>off</strong>. Turn it on so that a stolen password alone cannot open your
						account.
					</p>
					<button type="button" className="button" onClick={startSetup} disabled={busy || !ready}>
						{busy ? "Preparing your code…" : "Set up two-factor sign-in"}
					</button>
				</>
			)}
			{stage.kind === "setup" && (
				<div className="mfa-setup">
					<h3 ref={stepHeading} tabIndex={-1}>
						Scan this code with your authenticator app
					</h3>
					{stage.modules ? (
						<QrCode modules={stage.modules} label={`QR code to add TechFlunky (${email}) to an authenticator app`} />
					) : (
						<p className="state">The QR code could not be drawn here. Enter the key below by hand instead.</p>
					)}
					<p>Cannot scan it? Choose “enter a setup key” in your app and type this key:</p>
					<p className="secret">
						<code id="mfa-secret">{groupSecret(stage.secret)}</code>
					</p>
					<p className="hint">Time-based, 6 digits, every 30 seconds. Account: {email}.</p>
					<form className="form" onSubmit={submitCode} noValidate>
						{codeField}
						<div className="actions">
							<button type="submit" className="button" disabled={busy}>
								{busy ? "Checking the code…" : "Turn on two-factor sign-in"}
							</button>
							<button
								type="button"
								className="button button-secondary"
								disabled={busy}
								onClick={() => {
									reset();
									setStage({ kind: "off" });
								}}
							>
								Cancel
							</button>
						</div>
					</form>
				</div>
			)}
			{stage.kind === "on" && (
				<>
					<p>
						Two-factor sign-in is <strong>on</strong>: signing in asks for a code from your authenticator app.
					</p>
					<form className="form" onSubmit={submitCode} noValidate>
						<p className="hint">To turn it off, enter a current code from your app.</p>
						{codeField}
						<button type="submit" className="button" disabled={busy || !ready}>
							{busy ? "Checking the code…" : "Turn off two-factor sign-in"}
						</button>
					</form>
				</>
			)}
		</div>
	);
}
