/**
 * The verification link's page at work: once hydrated it posts the link's token (read from the
 * address, ./link-token.ts) to `POST /api/v1/auth/verify-email` by itself, since opening the link
 * is the whole gesture, and says how it went in a live region: confirmed, with the way on; or the
 * API's sentence for a used, expired or incomplete link, with "send the link again" for a
 * signed-in visitor and "sign in" for anyone else (a visitor already verified is simply told so,
 * whatever an old link says). It posts once per page, whatever React does with effects, and
 * never spins forever: `send` always settles.
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";
import { forgetLinkToken, readLinkToken } from "./link-token.ts";
import ResendVerification from "./ResendVerification.tsx";

interface Props {
	/** Where a confirmed visitor goes on: their portal when signed in, else the sign-in page. */
	next: { href: string; label: string };
	/** Whether the visitor is signed in (they can ask for a new link). */
	signedIn: boolean;
	/** Whether the signed-in visitor's address is verified already: an old link then needs no new one. */
	alreadyVerified: boolean;
}

type State = { kind: "checking" } | { kind: "done" } | { kind: "failed"; detail: string };

const NO_TOKEN = "This link is incomplete: it has no token. Open the link from the e-mail again, or ask for a new one.";

export default function VerifyEmail({ next, signedIn, alreadyVerified }: Props) {
	const [state, setState] = useState<State>({ kind: "checking" });
	const started = useRef(false);
	const heading = useRef<HTMLHeadingElement>(null);

	useEffect(() => {
		if (started.current) return;
		started.current = true;
		const token = readLinkToken();
		if (token === null) {
			setState({ kind: "failed", detail: NO_TOKEN });
			return;
		}
		void send("POST", "/api/v1/auth/verify-email", { token }).then((answer) => {
			forgetLinkToken();
			setState(answer.ok ? { kind: "done" } : { kind: "failed", detail: answer.detail });
		});
	}, []);

	useEffect(() => {
		if (state.kind !== "checking") heading.current?.focus();
	}, [state.kind]);

	if (state.kind === "checking") {
		return (
			<p className="state" role="status" aria-live="polite">
				Confirming your e-mail address…
			</p>
		);
	}
	if (state.kind === "done" || alreadyVerified) {
		return (
			<div className="recovery-outcome" role="status" aria-live="polite">
				<h2 ref={heading} tabIndex={-1}>
					Your e-mail address is confirmed
				</h2>
				<p>You can now publish listings, ask for access to confidential details and make offers.</p>
				<p>
					<a className="button" href={next.href}>
						{next.label}
					</a>
				</p>
			</div>
		);
	}
	return (
		<div className="recovery-outcome" role="alert">
			<h2 ref={heading} tabIndex={-1}>
				We could not confirm your address
			</h2>
			<p className="recovery-problem">{state.detail}</p>
			{signedIn ? (
				<ResendVerification />
			) : (
				<p>
					<a href="/sign-in">Sign in</a> to ask for a new link.
				</p>
			)}
		</div>
	);
}
