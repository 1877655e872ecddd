/**
 * The seller's storefront settings: address (the slug, the label of `<slug>.<domain>`), name and
 * bio, sent as JSON to `PUT /api/v1/sellers/storefront` from the page's own origin (the session
 * cookie, never a token). The address it would get is shown as the seller types, folded to lower
 * case as the API folds it; once saved, the live address is a link, announced politely.
 *
 * Refusals follow the sign-in form's rules: the problem's `detail` above the form, each field
 * error at its field (`aria-invalid`, `aria-describedby`), focus on the first invalid field. A
 * slug another seller holds is a 409 without field errors, so it is filed under the address here.
 * The submit button is disabled until the island has hydrated.
 */
import { useEffect, useRef, useState } from "react";
import type { StorefrontInput } from "../../../../shared/contract/routes/storefronts.ts";
import { send } from "../../lib/browser-api.ts";

type FieldName = "slug" | "display_name" | "bio";

interface Props {
	/** The storefront as saved, or `null` before the seller has one. */
	initial: StorefrontInput | null;
	/** `http:` or `https:`, and the apex's `host[:port]`: the storefront is at `<protocol>//<slug>.<apexHost>/`. */
	protocol: string;
	apexHost: string;
}

const FIELDS: readonly FieldName[] = ["slug", "display_name", "bio"];
const BIO_MAX = 500;

export default function StorefrontForm({ initial, protocol, apexHost }: Props) {
	const [ready, setReady] = useState(false);
	const [busy, setBusy] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
	const [saved, setSaved] = useState<string | null>(initial?.slug ?? null);
	const [notice, setNotice] = useState<string | null>(null);
	const [slug, setSlug] = useState(initial?.slug ?? "");
	const [bio, setBio] = useState(initial?.bio ?? "");
	const form = useRef<HTMLFormElement>(null);
	useEffect(() => setReady(true), []);

	const address = (label: string) => `${protocol}//${label}.${apexHost}/`;
	const typed = slug.trim().toLowerCase();

	async function submit(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		const data = new FormData(event.currentTarget);
		const text = (name: FieldName) => String(data.get(name) ?? "");
		setBusy(true);
		setProblem(null);
		setFieldErrors({});
		setNotice(null);
		const answer = await send<StorefrontInput>("PUT", "/api/v1/sellers/storefront", {
			slug: text("slug"),
			display_name: text("display_name"),
			bio: text("bio"),
		});
		setBusy(false);
		if (answer.ok) {
			setSaved(answer.body.slug);
			setSlug(answer.body.slug);
			setNotice(answer.status === 201 ? "Your storefront is live." : "Your storefront is saved.");
			return;
		}
		const errors: Partial<Record<FieldName, string>> = {};
		for (const name of FIELDS) if (answer.fields[name]) errors[name] = answer.fields[name];
		if (answer.status === 409) errors.slug = answer.detail;
		setFieldErrors(errors);
		setProblem(answer.detail);
		const first = FIELDS.find((name) => errors[name]);
		if (first) form.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
	}

	const field = (name: FieldName, hint?: string) => {
		const described = [hint, fieldErrors[name] ? `storefront-error-${name}` : undefined].filter(Boolean).join(" ");
		return {
			id: `storefront-${name}`,
			name,
			"aria-invalid": fieldErrors[name] ? true : undefined,
			"aria-describedby": described === "" ? undefined : described,
		};
	};
	const error = (name: FieldName) =>
		fieldErrors[name] ? (
			<p className="field-error" id={`storefront-error-${name}`}>
				{fieldErrors[name]}
			</p>
		) : null;

	return (
		<div className="storefront-settings">
			<div className="storefront-live" aria-live="polite">
				{saved ? (
					<p className="callout">
						{notice ? `${notice} ` : ""}Your storefront is at <a href={address(saved)}>{address(saved)}</a>
					</p>
				) : (
					<p className="state">You have no storefront yet. Choose its address and name below.</p>
				)}
			</div>
			<form ref={form} className="form" method="post" onSubmit={submit} noValidate aria-busy={busy}>
				<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
					{problem}
				</div>
				<div className="field">
					<label htmlFor="storefront-slug">Storefront address</label>
					<input
						{...field("slug", "storefront-slug-hint")}
						type="text"
						autoComplete="off"
						autoCapitalize="none"
						spellCheck={false}
						maxLength={63}
						required
						value={slug}
						onChange={(event) => setSlug(event.currentTarget.value)}
					/>
					<p className="hint" id="storefront-slug-hint">
						Letters a–z, digits and hyphens.{" "}
						{typed ? (
							<>
								Your storefront will be at <span className="storefront-address">{address(typed)}</span>
							</>
						) : (
							"It becomes the first part of your storefront's web address."
						)}
					</p>
					{error("slug")}
				</div>
				<div className="field">
					<label htmlFor="storefront-display_name">Storefront name</label>
					<input
						{...field("display_name")}
						type="text"
						required
						maxLength={80}
						defaultValue={initial?.display_name ?? ""}
					/>
					{error("display_name")}
				</div>
				<div className="field">
					<label htmlFor="storefront-bio">About your business</label>
					<textarea
						{...field("bio", "storefront-bio-hint")}
						rows={4}
						maxLength={BIO_MAX}
						value={bio}
						onChange={(event) => setBio(event.currentTarget.value)}
					/>
					<p className="hint" id="storefront-bio-hint">
						Optional. {BIO_MAX - bio.length} of {BIO_MAX} characters left.
					</p>
					{error("bio")}
				</div>
				<button type="submit" className="button" disabled={busy || !ready}>
					{busy ? "Saving…" : "Save storefront"}
				</button>
			</form>
		</div>
	);
}
