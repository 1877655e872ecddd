/**
 * The unsubscribe landing page at work (web/src/pages/unsubscribe.astro): the e-mail's visible
 * link opens the page, which says what will be turned off; the person confirms with the button and
 * the island posts the link's token (read from the address, ../recovery/link-token.ts, never
 * rendered by the server) to `POST /api/v1/notifications/unsubscribe`, the same route a mail
 * client's one-click unsubscribe uses. No sign-in needed. The outcome is announced and focused.
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";
import { forgetLinkToken, readLinkToken } from "../recovery/link-token.ts";

interface Props {
	/** What the link turns off, in words; null when the token does not say (the API decides). */
	label: string | null;
}

type State = { kind: "ready" } | { kind: "busy" } | { kind: "done" } | { kind: "failed"; detail: string };

const NO_TOKEN = "This link is incomplete: it has no token. Open the link from the e-mail again.";

export default function Unsubscribe({ label }: Props) {
	const [state, setState] = useState<State>({ kind: "ready" });
	const [hydrated, setHydrated] = useState(false);
	const heading = useRef<HTMLHeadingElement>(null);
	useEffect(() => setHydrated(true), []);
	useEffect(() => {
		if (state.kind === "done" || state.kind === "failed") heading.current?.focus();
	}, [state.kind]);

	async function confirm() {
		const token = readLinkToken();
		if (token === null) {
			setState({ kind: "failed", detail: NO_TOKEN });
			return;
		}
		setState({ kind: "busy" });
		const answer = await send("POST", `/api/v1/notifications/unsubscribe?token=${encodeURIComponent(token)}`);
		if (answer.ok) forgetLinkToken();
		setState(answer.ok ? { kind: "done" } : { kind: "failed", detail: answer.detail });
	}

	if (state.kind === "done") {
		return (
			<div className="recovery-outcome" role="status" aria-live="polite">
				<h2 ref={heading} tabIndex={-1}>
					You are unsubscribed
				</h2>
				<p>
					We will not send you these e-mails any more. You can turn them back on in your{" "}
					<a href="/account/notifications">notification settings</a>.
				</p>
			</div>
		);
	}
	return (
		<div>
			<p>
				{label ? (
					<>
						This turns off the e-mails for: <strong>{label}</strong>.
					</>
				) : (
					"This turns off the kind of e-mail this link came with."
				)}{" "}
				Essential e-mails about your account (confirming your address, password resets) are always sent.
			</p>
			{state.kind === "failed" ? (
				<div className="recovery-outcome" role="alert">
					<h2 ref={heading} tabIndex={-1}>
						We could not unsubscribe you
					</h2>
					<p className="recovery-problem">{state.detail}</p>
				</div>
			) : null}
			<p>
				<button
					className="button"
					type="button"
					onClick={confirm}
					disabled={!hydrated || state.kind === "busy"}
					aria-busy={state.kind === "busy"}
				>
					{state.kind === "busy" ? "Unsubscribing…" : "Unsubscribe"}
				</button>
			</p>
		</div>
	);
}
