/**
 * "Replay" on one dead letter of /admin/dead-letters, in place with
 * `POST /api/v1/admin/dead-letters/{id}/replay`: one click sends the original message back to its
 * queue once (the API claims it first). A dead letter replayed before asks for
 * `?force=true` and says so on the button, since it is a second delivery (consumers ignore what
 * they already recorded). The answer (replayed, with when and how often) or the refusal (409 when
 * someone replayed it meanwhile, 503 when the queue refused) is shown in place.
 */
import type { z } from "@hono/zod-openapi";
import { useState } from "react";
import type { deadLetterView } from "../../../../shared/contract/routes/operations.ts";
import { send } from "../../lib/browser-api.ts";
import { useConsoleAction } from "./use-console-action.ts";

type DeadLetter = z.output<typeof deadLetterView>;

export default function ReplayDeadLetter({ initial }: { initial: DeadLetter }) {
	const { busy, ready, problem, run } = useConsoleAction();
	const [letter, setLetter] = useState(initial);
	const [notice, setNotice] = useState<string | null>(null);

	const again = letter.replayed_at !== null;

	async function replay() {
		setNotice(null);
		const answer = await run(() =>
			send<DeadLetter>(
				"POST",
				`/api/v1/admin/dead-letters/${encodeURIComponent(letter.message_id)}/replay${again ? "?force=true" : ""}`,
			),
		);
		if (!answer.ok) return;
		setLetter(answer.body);
		setNotice(
			`Sent back to ${answer.body.queue} (replay ${answer.body.replays}). It no longer waits; if it fails again it comes back as a new dead letter.`,
		);
	}

	return (
		<div className="replay-controls" aria-busy={busy}>
			<p role="status" className={notice ? "notice" : "visually-hidden"}>
				{notice}
			</p>
			<div role="alert" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			<div className="actions">
				<button
					type="button"
					className={again ? "button button-secondary" : "button"}
					disabled={!ready || busy}
					onClick={replay}
				>
					{busy ? "Replaying…" : again ? "Replay again" : "Replay"}
					<span className="visually-hidden"> message {letter.message_id}</span>
				</button>
			</div>
		</div>
	);
}
