/**
 * The listing form, for a new listing (`POST /api/v1/listings`, a draft) and for changing one
 * (`PATCH /api/v1/listings/{id}`): title, summary, description, category, asking price and
 * currency, the public metrics, the tech stack, the confidential details and the NDA. Prices are
 * dollars here and cents in the API (./listing-fields.ts translates, and is the only judge here
 * of text that is no number at all); every other value goes to the API as typed, and the API's
 * field errors come back to the inputs they name, nested ones (`metrics.mrr_cents`) included,
 * with the problem's `detail` above the form and the first invalid input focused.
 *
 * On success the browser goes to the listing's page (`?done=created` or `?done=saved`), which the
 * server renders afresh, so the heading, status and every section agree with what was stored.
 * The submit button stays disabled until the island has hydrated, like the sign-in form's.
 */
import { useEffect, useRef, useState } from "react";
import type { ListingView } from "../../../../shared/contract/routes/listings.ts";
import {
	bodyOf,
	errorId,
	type FieldErrors,
	type FieldKey,
	fieldOf,
	inputId,
	plainMessage,
	type Values,
	valuesOf,
} from "./listing-fields.ts";
import { sendForm } from "./request.ts";

interface Props {
	/** The listing to change; absent for a new one. */
	listing?: ListingView;
	categories: readonly { value: string; label: string }[];
}

interface FieldProps {
	name: FieldKey;
	label: string;
	hint?: string;
	kind?: "text" | "textarea" | "money" | "whole" | "url";
	maxLength?: number;
	rows?: number;
}

export default function ListingEditor({ listing, categories }: Props) {
	const [values, setValues] = useState<Values>(() => valuesOf(listing ?? null));
	const [errors, setErrors] = useState<FieldErrors>({});
	const [problem, setProblem] = useState<{ detail: string; more: string[] } | null>(null);
	const [busy, setBusy] = useState(false);
	const [ready, setReady] = useState(false);
	const form = useRef<HTMLFormElement>(null);
	useEffect(() => {
		// Whatever was typed or chosen before hydration is in the DOM, not in the state: take it
		// over, so the first submit sends what the seller sees.
		const elements = form.current?.elements;
		if (elements) {
			setValues((current) => {
				const next = { ...current };
				for (const name of Object.keys(current) as FieldKey[]) {
					const element = elements.namedItem(name);
					if (element && "value" in element && typeof element.value === "string") next[name] = element.value;
				}
				return next;
			});
		}
		setReady(true);
	}, []);

	function focusFirst(found: FieldErrors) {
		const first = Object.keys(found)[0] as FieldKey | undefined;
		if (first) form.current?.querySelector<HTMLElement>(`#${inputId(first)}`)?.focus();
	}

	async function submit(event: { preventDefault(): void }) {
		event.preventDefault();
		setProblem(null);
		setErrors({});
		const built = bodyOf(values);
		if (!built.ok) {
			setErrors(built.errors);
			setProblem({ detail: "Some amounts are not numbers. Fix the highlighted fields.", more: [] });
			focusFirst(built.errors);
			return;
		}
		setBusy(true);
		const answer = listing
			? await sendForm<ListingView>("PATCH", `/api/v1/listings/${listing.id}`, built.body)
			: await sendForm<ListingView>("POST", "/api/v1/listings", built.body);
		if (answer.ok) {
			window.location.assign(`/seller/listings/${answer.body.id}?done=${listing ? "saved" : "created"}`);
			return;
		}
		setBusy(false);
		const found: FieldErrors = {};
		const more: string[] = [];
		for (const error of answer.errors) {
			const key = fieldOf(error.field);
			if (key) found[key] ??= plainMessage(error.message);
			else more.push(`${error.field === "(body)" ? "" : `${error.field}: `}${plainMessage(error.message)}`);
		}
		setErrors(found);
		setProblem({ detail: answer.detail, more });
		focusFirst(found);
	}

	const set = (name: FieldKey) => (event: { currentTarget: { value: string } }) => {
		const value = event.currentTarget.value;
		setValues((current) => ({ ...current, [name]: value }));
	};

	function field({ name, label, hint, kind = "text", maxLength, rows = 4 }: FieldProps) {
		const id = inputId(name);
		const error = errors[name];
		const hintId = hint ? `${id}-hint` : undefined;
		const shared = {
			id,
			name,
			value: values[name],
			onChange: set(name),
			"aria-invalid": error ? (true as const) : undefined,
			"aria-describedby": [hintId, error ? errorId(name) : undefined].filter(Boolean).join(" ") || undefined,
			maxLength,
		};
		return (
			<div className="field">
				<label htmlFor={id}>{label}</label>
				{kind === "textarea" ? (
					<textarea {...shared} rows={rows} />
				) : (
					<input
						{...shared}
						type={kind === "url" ? "url" : "text"}
						inputMode={kind === "money" ? "decimal" : kind === "whole" ? "numeric" : undefined}
					/>
				)}
				{hint && (
					<p className="hint" id={hintId}>
						{hint}
					</p>
				)}
				{error && (
					<p className="field-error" id={errorId(name)}>
						{error}
					</p>
				)}
			</div>
		);
	}

	const categoryError = errors.category;
	return (
		<form ref={form} className="form seller-form" method="post" onSubmit={submit} noValidate aria-busy={busy}>
			<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
				{problem && (
					<>
						<p className="form-problem-detail">{problem.detail}</p>
						{problem.more.length > 0 && (
							<ul>
								{problem.more.map((line) => (
									<li key={line}>{line}</li>
								))}
							</ul>
						)}
					</>
				)}
			</div>
			<fieldset className="seller-fieldset">
				<legend>The business</legend>
				{field({ name: "title", label: "Title", maxLength: 120 })}
				{field({
					name: "summary",
					label: "Summary",
					hint: "One or two sentences for the search results.",
					kind: "textarea",
					rows: 2,
					maxLength: 300,
				})}
				{field({ name: "description", label: "Description", kind: "textarea", rows: 8 })}
				<div className="field">
					<label htmlFor={inputId("category")}>Category</label>
					<select
						id={inputId("category")}
						name="category"
						value={values.category}
						onChange={set("category")}
						aria-invalid={categoryError ? true : undefined}
						aria-describedby={categoryError ? errorId("category") : undefined}
					>
						{categories.map((category) => (
							<option key={category.value} value={category.value}>
								{category.label}
							</option>
						))}
					</select>
					{categoryError && (
						<p className="field-error" id={errorId("category")}>
							{categoryError}
						</p>
					)}
				</div>
				<div className="seller-pair">
					{field({
						name: "asking_price_cents",
						label: "Asking price (in dollars)",
						kind: "money",
						hint: "For example 250000.",
					})}
					{field({ name: "currency", label: "Currency", hint: "Three letters, such as USD.", maxLength: 3 })}
				</div>
				{field({
					name: "tech_stack",
					label: "Tech stack",
					hint: "Separate them with commas, such as TypeScript, Postgres.",
				})}
			</fieldset>
			<fieldset className="seller-fieldset">
				<legend>Public metrics</legend>
				<p className="hint">Leave a figure blank if you would rather not share it.</p>
				<div className="seller-pair">
					{field({ name: "metrics.mrr_cents", label: "Monthly recurring revenue (dollars)", kind: "money" })}
					{field({ name: "metrics.revenue_cents", label: "Revenue, last 12 months (dollars)", kind: "money" })}
					{field({ name: "metrics.monthly_visitors", label: "Visitors per month", kind: "whole" })}
					{field({ name: "metrics.age_months", label: "Age (months)", kind: "whole" })}
				</div>
			</fieldset>
			<fieldset className="seller-fieldset">
				<legend>Confidential details</legend>
				<p className="hint">Stored encrypted. Only buyers whose access request you approve see them.</p>
				{field({ name: "confidential.legal_name", label: "Legal name of the business", maxLength: 200 })}
				{field({
					name: "confidential.website_url",
					label: "Website address",
					kind: "url",
					hint: "Starting with https://",
				})}
				{field({ name: "confidential.financials", label: "Financials", kind: "textarea", rows: 4 })}
				{field({ name: "confidential.notes", label: "Notes for approved buyers", kind: "textarea", rows: 3 })}
				{field({
					name: "nda_text",
					label: "Your NDA",
					kind: "textarea",
					rows: 4,
					hint: "Buyers accept it when they ask for access. Changing it asks them to accept the new version.",
				})}
			</fieldset>
			<button type="submit" className="button" disabled={busy || !ready}>
				{busy ? (listing ? "Saving…" : "Creating…") : listing ? "Save changes" : "Create listing"}
			</button>
		</form>
	);
}
