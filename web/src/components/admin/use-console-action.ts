/**
 * The console's write islands' shared state (./ArchiveListing.tsx, ./DisputeDecision.tsx,
 * ./ReplayQueue.tsx, ./ReplayDeadLetter.tsx): ready once hydrated (their buttons stay disabled
 * until then), busy while the request is out, the refusal's sentence, and the step that asks
 * before an action that cannot be taken back: `asking` is what is being confirmed (a decision, or
 * `true`), null when nothing is, and its confirm button takes the focus when the step opens.
 * `run` sends: busy meanwhile, the step closed after, a refusal's `detail` shown; the island reads
 * the answer for the rest. The account forms' `useAccountForm` files field errors by name instead,
 * which these islands (one reason field at most, a confirm step) do not need.
 */
import { useEffect, useRef, useState } from "react";
import type { Answer } from "../../lib/browser-api.ts";

export function useConsoleAction<C = true>() {
	const [asking, setAsking] = useState<C | null>(null);
	const [busy, setBusy] = useState(false);
	const [ready, setReady] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const confirmButton = useRef<HTMLButtonElement>(null);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (asking !== null) confirmButton.current?.focus();
	}, [asking]);

	async function run<T>(request: () => Promise<Answer<T>>): Promise<Answer<T>> {
		setBusy(true);
		setProblem(null);
		const answer = await request();
		setBusy(false);
		setAsking(null);
		if (!answer.ok) setProblem(answer.detail);
		return answer;
	}

	return { asking, setAsking, busy, ready, problem, setProblem, confirmButton, run };
}
