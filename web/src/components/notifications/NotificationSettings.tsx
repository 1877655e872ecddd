/**
 * The notification settings form (web/src/pages/account/notifications.astro): one checkbox per
 * non-essential kind, grouped, and the saved-search digest choice, saved together with one
 * `PATCH /api/v1/me/notifications` that names every kind (the API answers the stored result, which
 * the form then shows). Follows AuthForm.tsx: disabled until hydrated, busy while saving, the
 * problem's `detail` in an alert above the form, the outcome in a polite live region. Imports
 * only plain data (./groups.ts, kind labels) at runtime, never the contract's schemas.
 */
import { useEffect, useState } from "react";
import type { DigestChoice, NotificationKind } from "../../../../shared/notifications/kinds.ts";
import { kindLabels } from "../../../../shared/notifications/kinds.ts";
import { send } from "../../lib/browser-api.ts";
import { groups } from "./groups.ts";

interface Props {
	initial: { kinds: Record<NotificationKind, boolean>; digest: DigestChoice };
}

export default function NotificationSettings({ initial }: Props) {
	const [kinds, setKinds] = useState(initial.kinds);
	const [digest, setDigest] = useState(initial.digest);
	const [hydrated, setHydrated] = useState(false);
	const [busy, setBusy] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [saved, setSaved] = useState(false);
	useEffect(() => setHydrated(true), []);

	async function submit(event: { preventDefault(): void }) {
		event.preventDefault();
		setBusy(true);
		setProblem(null);
		setSaved(false);
		const answer = await send<Record<string, unknown>>("PATCH", "/api/v1/me/notifications", { ...kinds, digest });
		setBusy(false);
		if (!answer.ok) {
			setProblem(answer.detail);
			return;
		}
		const next = { ...kinds };
		for (const kind of Object.keys(next) as NotificationKind[]) next[kind] = answer.body[kind] === true;
		setKinds(next);
		if (answer.body.digest === "daily" || answer.body.digest === "instant") setDigest(answer.body.digest);
		setSaved(true);
	}

	return (
		<form className="form notification-settings" onSubmit={submit} noValidate>
			{problem ? (
				<div className="form-problem" role="alert">
					{problem}
				</div>
			) : null}
			{groups.map((group) => (
				<fieldset key={group.legend} className="notification-group">
					<legend>{group.legend}</legend>
					{group.kinds.map((kind) => (
						<label key={kind} className="notification-choice">
							<input
								type="checkbox"
								name={kind}
								checked={kinds[kind]}
								onChange={(event) => {
									setSaved(false);
									setKinds({ ...kinds, [kind]: event.currentTarget.checked });
								}}
							/>{" "}
							{kindLabels[kind]}
						</label>
					))}
				</fieldset>
			))}
			<fieldset className="notification-group">
				<legend>Saved-search matches arrive</legend>
				{(
					[
						["instant", "As they happen, one e-mail per new listing"],
						["daily", "In a daily digest, at most one e-mail per saved search a day"],
					] as const
				).map(([value, label]) => (
					<label key={value} className="notification-choice">
						<input
							type="radio"
							name="digest"
							value={value}
							checked={digest === value}
							onChange={() => {
								setSaved(false);
								setDigest(value);
							}}
						/>{" "}
						{label}
					</label>
				))}
			</fieldset>
			<p>
				<button className="button" type="submit" disabled={!hydrated || busy} aria-busy={busy}>
					{busy ? "Saving…" : "Save notification settings"}
				</button>
			</p>
			<p className="notification-saved" role="status" aria-live="polite">
				{saved ? "Your notification settings are saved." : ""}
			</p>
		</form>
	);
}
