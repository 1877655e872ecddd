/**
 * "Replay all waiting in <queue>" on /admin/dead-letters, confirmed first, in place with
 * `POST /api/v1/admin/dead-letters/replay {queue, before}`: the API sends at most 100 per call and
 * answers how many still wait from before the first call, so "Continue" repeats with the same
 * `before` until none are left (messages that fail again meanwhile are new dead letters, never
 * chased). The count sent, what remains, or the refusal is shown in place.
 */
import type { z } from "@hono/zod-openapi";
import { useEffect, useRef, useState } from "react";
import type { replayAllResult } from "../../../../shared/contract/routes/operations.ts";
import { send } from "../../lib/browser-api.ts";

type Result = z.output<typeof replayAllResult>;

export default function ReplayQueue({ queue, waiting }: { queue: string; waiting: number }) {
	const [confirming, setConfirming] = useState(false);
	const [busy, setBusy] = useState(false);
	const [ready, setReady] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [result, setResult] = useState<Result | null>(null);
	const [sent, setSent] = useState(0);
	const confirmButton = useRef<HTMLButtonElement>(null);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (confirming) confirmButton.current?.focus();
	}, [confirming]);

	async function replay() {
		setBusy(true);
		setProblem(null);
		const answer = await send<Result>("POST", "/api/v1/admin/dead-letters/replay", {
			queue,
			...(result ? { before: result.before } : {}),
		});
		setBusy(false);
		setConfirming(false);
		if (answer.ok) {
			setResult(answer.body);
			setSent((total) => total + answer.body.replayed);
			return;
		}
		setProblem(answer.detail);
	}

	const remaining = result?.remaining ?? null;

	return (
		<div className="replay-controls" aria-busy={busy}>
			<p role="status" className={result ? "notice" : "visually-hidden"}>
				{result &&
					`Sent ${sent} back to ${queue}. ${remaining === 0 ? "None of those waiting are left." : `${remaining} still wait: continue to send the next ones.`}`}
			</p>
			<div role="alert" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			{confirming ? (
				<div className="confirm">
					<p id={`replay-${queue}-confirm`}>
						Send {result ? remaining : `the ${waiting} shown waiting (and any more)`} dead letters of {queue} back to
						their queue? Up to 100 go per step.
					</p>
					<div className="actions">
						<button
							ref={confirmButton}
							type="button"
							className="button button-danger"
							aria-describedby={`replay-${queue}-confirm`}
							disabled={busy}
							onClick={replay}
						>
							{busy ? "Replaying…" : `Yes, replay ${queue}`}
						</button>
						<button
							type="button"
							className="button button-secondary"
							disabled={busy}
							onClick={() => setConfirming(false)}
						>
							Cancel<span className="visually-hidden"> replaying {queue}</span>
						</button>
					</div>
				</div>
			) : remaining === 0 ? null : (
				<div className="actions">
					<button type="button" className="button" disabled={!ready || busy} onClick={() => setConfirming(true)}>
						{result ? `Continue replaying ${queue}` : `Replay all waiting in ${queue}`}
					</button>
				</div>
			)}
		</div>
	);
}
