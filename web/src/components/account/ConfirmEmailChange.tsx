/**
 * The address-change link's page at work (/confirm-email-change?token=…): the person presses
 * "Confirm new address" and the island posts the link's token (read from the address,
 * ../recovery/link-token.ts) to `POST /api/v1/auth/email-change/confirm`. A button rather than a
 * post on load, because this one changes the sign-in address and ends every session: a mail
 * scanner or a stray click that opens the link must not do that by itself. The outcome is said in
 * a live region: changed (sign in again with the new address), or the API's sentence for a used,
 * expired, incomplete or contested link. `send` always settles, so nothing spins forever.
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";
import { forgetLinkToken, readLinkToken } from "../recovery/link-token.ts";

type State =
	| { kind: "loading" }
	| { kind: "ready"; token: string }
	| { kind: "busy"; token: string }
	| { kind: "done" }
	| { kind: "failed"; detail: string };

const NO_TOKEN =
	"This link is incomplete: it has no token. Open the link from the e-mail again, or ask for the change again on your account page.";

export default function ConfirmEmailChange() {
	const [state, setState] = useState<State>({ kind: "loading" });
	const heading = useRef<HTMLHeadingElement>(null);

	useEffect(() => {
		const token = readLinkToken();
		setState(token === null ? { kind: "failed", detail: NO_TOKEN } : { kind: "ready", token });
	}, []);

	useEffect(() => {
		if (state.kind === "done" || state.kind === "failed") heading.current?.focus();
	}, [state.kind]);

	async function confirm(token: string) {
		setState({ kind: "busy", token });
		const answer = await send("POST", "/api/v1/auth/email-change/confirm", { token });
		if (answer.ok || answer.status === 400) forgetLinkToken();
		setState(answer.ok ? { kind: "done" } : { kind: "failed", detail: answer.detail });
	}

	if (state.kind === "done") {
		return (
			<div className="recovery-outcome" role="status" aria-live="polite">
				<h2 ref={heading} tabIndex={-1}>
					Your e-mail address is changed
				</h2>
				<p>The new address is confirmed. Every session was signed out: sign in again with your new address.</p>
				<p>
					<a className="button" href="/sign-in?next=%2Faccount">
						Sign in
					</a>
				</p>
			</div>
		);
	}
	if (state.kind === "failed") {
		return (
			<div className="recovery-outcome" role="alert">
				<h2 ref={heading} tabIndex={-1}>
					We could not change your address
				</h2>
				<p className="recovery-problem">{state.detail}</p>
				<p>
					<a href="/account">Go to your account</a> to ask for the change again.
				</p>
			</div>
		);
	}
	const token = state.kind === "loading" ? null : state.token;
	return (
		<div className="recovery-outcome">
			<p>Opening the link makes the new address the one you sign in with. Every session is signed out.</p>
			<p role="status" aria-live="polite" className={state.kind === "busy" ? "state" : "visually-hidden"}>
				{state.kind === "busy" ? "Changing your e-mail address…" : ""}
			</p>
			<button
				type="button"
				className="button"
				disabled={token === null || state.kind === "busy"}
				onClick={() => token !== null && void confirm(token)}
			>
				{state.kind === "busy" ? "Confirming…" : "Confirm new address"}
			</button>
		</div>
	);
}
