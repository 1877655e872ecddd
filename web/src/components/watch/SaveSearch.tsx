/**
 * "Save this search" on the search page: the page's current filters (already in the API's units)
 * and a name, sent to `POST /api/v1/saved-searches`. Collapsed to one button until opened, so the
 * search page stays light; the name field's error sits at the field, the API's problem (the limit's
 * 409, say) in a `role="alert"` box above the form, and a saved search links to the list.
 */
import { useEffect, useRef, useState } from "react";
import { send } from "../../lib/browser-api.ts";
import "../../styles/watch.css";

interface Props {
	filters: { q?: string; category?: string; min_price?: number; max_price?: number };
	suggestedName: string;
}

export default function SaveSearch({ filters, suggestedName }: Props) {
	const [ready, setReady] = useState(false);
	const [open, setOpen] = useState(false);
	const [busy, setBusy] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [nameError, setNameError] = useState<string | null>(null);
	const [saved, setSaved] = useState(false);
	const nameField = useRef<HTMLInputElement>(null);
	const done = useRef<HTMLParagraphElement>(null);
	useEffect(() => setReady(true), []);
	useEffect(() => {
		if (open) nameField.current?.focus();
	}, [open]);
	useEffect(() => {
		if (saved) done.current?.focus();
	}, [saved]);

	async function submit(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		const name = String(new FormData(event.currentTarget).get("name") ?? "").trim();
		setProblem(null);
		if (name === "" || name.length > 80) {
			setNameError(name === "" ? "Give the search a name." : "Keep the name to 80 characters.");
			nameField.current?.focus();
			return;
		}
		setNameError(null);
		setBusy(true);
		const answer = await send("POST", "/api/v1/saved-searches", { name, ...filters });
		setBusy(false);
		if (answer.ok) {
			setSaved(true);
			return;
		}
		setProblem(answer.detail);
		if (answer.fields.name) {
			setNameError(answer.fields.name);
			nameField.current?.focus();
		}
	}

	if (saved) {
		return (
			<p className="callout save-search-done" tabIndex={-1} ref={done} role="status">
				Search saved. We will e-mail you when a new listing matches it.{" "}
				<a href="/buyer/saved-searches">See your saved searches</a>
			</p>
		);
	}
	if (!open) {
		return (
			<p className="save-search-open">
				<button type="button" className="button button-secondary" disabled={!ready} onClick={() => setOpen(true)}>
					Save this search
				</button>
			</p>
		);
	}
	return (
		<form
			className="form save-search"
			method="post"
			onSubmit={submit}
			noValidate
			aria-busy={busy}
			aria-label="Save this search"
		>
			<div role="alert" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			<div className="field">
				<label htmlFor="save-search-name">Name for this search</label>
				<input
					ref={nameField}
					id="save-search-name"
					name="name"
					type="text"
					maxLength={80}
					defaultValue={suggestedName}
					aria-invalid={nameError ? true : undefined}
					aria-describedby={nameError ? "save-search-name-error" : undefined}
				/>
				{nameError && (
					<p className="field-error" id="save-search-name-error">
						{nameError}
					</p>
				)}
			</div>
			<button type="submit" className="button" disabled={busy || !ready}>
				{busy ? "Saving…" : "Save search"}
			</button>
		</form>
	);
}
