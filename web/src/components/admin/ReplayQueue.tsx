/**
 * "Replay all waiting in <queue>" on /admin/dead-letters, confirmed first, in place with
 * `POST /api/v1/admin/dead-letters/replay {queue, before}`: the API sends at most 100 per call and
 * answers how many still wait from before the first call, so "Continue" repeats with the same
 * `before` until none are left (messages that fail again meanwhile are new dead letters, never
 * chased). The count sent, what remains, or the refusal is shown in place.
 */
import type { z } from "@hono/zod-openapi";
import { useState } from "react";
import type { replayAllResult } from "../../../../shared/contract/routes/operations.ts";
import { send } from "../../lib/browser-api.ts";
import ConfirmStep from "./ConfirmStep.tsx";
import { useConsoleAction } from "./use-console-action.ts";

type Result = z.output<typeof replayAllResult>;

export default function ReplayQueue({ queue, waiting }: { queue: string; waiting: number }) {
	const { asking: confirming, setAsking, busy, ready, problem, confirmButton, run } = useConsoleAction();
	const [result, setResult] = useState<Result | null>(null);
	const [sent, setSent] = useState(0);

	async function replay() {
		const answer = await run(() =>
			send<Result>("POST", "/api/v1/admin/dead-letters/replay", {
				queue,
				...(result ? { before: result.before } : {}),
			}),
		);
		if (!answer.ok) return;
		setResult(answer.body);
		setSent((total) => total + answer.body.replayed);
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
				<ConfirmStep
					id={`replay-${queue}-confirm`}
					question={
						<>
							Send {result ? remaining : `the ${waiting} shown waiting (and any more)`} dead letters of {queue} back to
							their queue? Up to 100 go per step.
						</>
					}
					confirm={busy ? "Replaying…" : `Yes, replay ${queue}`}
					cancels={`replaying ${queue}`}
					busy={busy}
					buttonRef={confirmButton}
					onConfirm={replay}
					onCancel={() => setAsking(null)}
				/>
			) : remaining === 0 ? null : (
				<div className="actions">
					<button type="button" className="button" disabled={!ready || busy} onClick={() => setAsking(true)}>
						{result ? `Continue replaying ${queue}` : `Replay all waiting in ${queue}`}
					</button>
				</div>
			)}
		</div>
	);
}
