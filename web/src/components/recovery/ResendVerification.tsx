/**
 * "Send the link again": `POST /api/v1/auth/resend-verification` for the signed-in visitor, whose
 * address is not verified yet. The outcome is spoken in a polite live region (a new link is on its
 * way, the address turns out to be verified already, or the API's own sentence, e.g. the limit of
 * a few links an hour). The button is disabled while the request is out, so one click sends one
 * e-mail. It is a plain `type="button"`, inert before hydration; the banner hydrates it when it
 * is first reached for (`client:interaction`), which replays a press that came too early.
 */
import { useState } from "react";
import { send } from "../../lib/browser-api.ts";

type Outcome = { kind: "sent" | "verified" | "problem"; text: string } | null;

export default function ResendVerification() {
	const [busy, setBusy] = useState(false);
	const [outcome, setOutcome] = useState<Outcome>(null);

	async function resend() {
		setBusy(true);
		setOutcome(null);
		const answer = await send("POST", "/api/v1/auth/resend-verification");
		setBusy(false);
		if (answer.ok) {
			setOutcome({ kind: "sent", text: "A new link is on its way. Open it from your inbox to confirm your address." });
		} else if (answer.status === 409) {
			setOutcome({ kind: "verified", text: "Your address is already confirmed. Reload the page to carry on." });
		} else {
			setOutcome({ kind: "problem", text: answer.detail });
		}
	}

	return (
		<div className="resend">
			<button type="button" className="button" onClick={resend} disabled={busy}>
				{busy ? "Sending…" : "Send the link again"}
			</button>
			<p
				role="status"
				aria-live="polite"
				className={outcome ? (outcome.kind === "problem" ? "recovery-problem" : "recovery-done") : "visually-hidden"}
			>
				{outcome?.text}
			</p>
		</div>
	);
}
