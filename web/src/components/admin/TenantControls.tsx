/**
 * One tenant's admin controls on /admin/tenants, changed in place with
 * `PATCH /api/v1/admin/tenants/{id}`: suspend (after an explicit confirmation, since it ends
 * every session of the tenant at once), reactivate, and set or clear the rate-limit override.
 * The island owns the status and limit it shows, replaced by the tenant the API answers, so the
 * card is never out of step with what was saved. A refusal (suspending your own tenant, a limit
 * out of range) shows the problem's `detail`; field errors sit at the limit fields. Types only
 * from the contract: no zod in the browser.
 */
import type { z } from "@hono/zod-openapi";
import { useEffect, useRef, useState } from "react";
import type { adminTenantView } from "../../../../shared/contract/routes/admin.ts";
import { send } from "../../lib/browser-api.ts";

type Tenant = z.output<typeof adminTenantView>;
type RateLimit = Tenant["effective_rate_limit"];
type Action = "suspend" | "reactivate" | "save-limit" | "clear-limit";
type LimitField = keyof RateLimit;

const LIMIT_FIELDS: { name: LimitField; label: string }[] = [
	{ name: "limit", label: "Requests" },
	{ name: "window_seconds", label: "Per (seconds)" },
	{ name: "burst", label: "Burst" },
];

const number = new Intl.NumberFormat("en-US");

function per(seconds: number): string {
	if (seconds === 86_400) return "per day";
	if (seconds === 3_600) return "per hour";
	if (seconds === 60) return "per minute";
	if (seconds % 3_600 === 0) return `per ${seconds / 3_600} hours`;
	if (seconds % 60 === 0) return `per ${seconds / 60} minutes`;
	return `per ${number.format(seconds)} seconds`;
}

export function describeLimit(limit: RateLimit): string {
	return `${number.format(limit.limit)} requests ${per(limit.window_seconds)}, bursts of ${number.format(limit.burst)}`;
}

export default function TenantControls({ initial }: { initial: Tenant }) {
	const [tenant, setTenant] = useState(initial);
	const [confirming, setConfirming] = useState(false);
	const [busy, setBusy] = useState<Action | null>(null);
	const [ready, setReady] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [notice, setNotice] = useState<string | null>(null);
	const [limitErrors, setLimitErrors] = useState<Partial<Record<LimitField | "group", string>>>({});
	const statusButton = useRef<HTMLButtonElement>(null);
	const confirmButton = useRef<HTMLButtonElement>(null);
	const limitForm = useRef<HTMLFormElement>(null);
	useEffect(() => setReady(true), []);
	/** Set when the status button should take the focus back once it is shown and enabled again. */
	const refocus = useRef(false);
	useEffect(() => {
		if (confirming) confirmButton.current?.focus();
		else if (busy === null && refocus.current) {
			refocus.current = false;
			statusButton.current?.focus();
		}
	}, [confirming, busy]);

	const base = `tenant-${tenant.id}`;
	const suspended = tenant.status === "suspended";

	async function patch(action: Action, body: unknown, done: string): Promise<boolean> {
		setBusy(action);
		setProblem(null);
		setNotice(null);
		setLimitErrors({});
		const answer = await send<Tenant>("PATCH", `/api/v1/admin/tenants/${encodeURIComponent(tenant.id)}`, body);
		setBusy(null);
		if (answer.ok) {
			setTenant(answer.body);
			setNotice(done);
			return true;
		}
		setProblem(answer.detail);
		if (answer.fields.rate_limit) setLimitErrors({ group: `The limit ${answer.fields.rate_limit}.` });
		return false;
	}

	async function setStatus(status: Tenant["status"]) {
		refocus.current = true;
		setConfirming(false);
		await patch(
			status === "suspended" ? "suspend" : "reactivate",
			{ status },
			status === "suspended"
				? `${tenant.name} is suspended: its sessions have ended and it cannot sign in.`
				: `${tenant.name} is active again. Its users sign in anew.`,
		);
	}

	async function saveLimit(event: { preventDefault(): void; currentTarget: HTMLFormElement }) {
		event.preventDefault();
		const data = new FormData(event.currentTarget);
		const values: Partial<RateLimit> = {};
		const errors: Partial<Record<LimitField, string>> = {};
		for (const { name, label } of LIMIT_FIELDS) {
			const value = Number(String(data.get(name) ?? "").trim() || Number.NaN);
			if (Number.isInteger(value) && value >= 1) values[name] = value;
			else errors[name] = `${label}: enter a whole number of 1 or more.`;
		}
		const first = LIMIT_FIELDS.find(({ name }) => errors[name]);
		if (first) {
			setNotice(null);
			setProblem(null);
			setLimitErrors(errors);
			limitForm.current?.querySelector<HTMLElement>(`[name="${first.name}"]`)?.focus();
			return;
		}
		await patch("save-limit", { rate_limit: values }, `Override saved for ${tenant.name}.`);
	}

	const label = (text: string) => (
		<>
			{text}
			<span className="visually-hidden"> {tenant.name}</span>
		</>
	);
	const idle = busy === null && ready;

	return (
		<div className="tenant-controls" aria-busy={busy !== null}>
			<dl className="facts">
				<div>
					<dt>Status</dt>
					<dd>
						<span className={`status-badge status-${tenant.status}`}>{suspended ? "Suspended" : "Active"}</span>
					</dd>
				</div>
				<div>
					<dt>Rate limit</dt>
					<dd>
						{describeLimit(tenant.effective_rate_limit)}{" "}
						<span className="limit-source">{tenant.rate_limit ? "(override)" : "(role default)"}</span>
					</dd>
				</div>
			</dl>
			<p role="status" aria-live="polite" className={notice ? "notice" : "visually-hidden"}>
				{notice}
			</p>
			<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			{confirming ? (
				<div className="confirm">
					<p id={`${base}-confirm`}>
						Suspend {tenant.name}? Every session of this account ends at once, and its users cannot sign in or call the
						API until you reactivate it.
					</p>
					<div className="actions">
						<button
							ref={confirmButton}
							type="button"
							aria-describedby={`${base}-confirm`}
							className="button button-danger"
							onClick={() => setStatus("suspended")}
						>
							{label("Yes, suspend")}
						</button>
						<button
							type="button"
							className="button button-secondary"
							onClick={() => {
								refocus.current = true;
								setConfirming(false);
							}}
						>
							{label("Cancel suspending")}
						</button>
					</div>
				</div>
			) : (
				<div className="actions">
					<button
						ref={statusButton}
						type="button"
						className={suspended ? "button" : "button button-danger"}
						disabled={!idle}
						onClick={() => {
							setProblem(null);
							setNotice(null);
							if (suspended) setStatus("active");
							else setConfirming(true);
						}}
					>
						{busy === "suspend"
							? "Suspending…"
							: busy === "reactivate"
								? "Reactivating…"
								: label(suspended ? "Reactivate" : "Suspend")}
					</button>
				</div>
			)}
			<details className="limit-details">
				<summary>{label("Rate limit override")}</summary>
				<form
					ref={limitForm}
					key={JSON.stringify(tenant.effective_rate_limit)}
					className="limit-form"
					onSubmit={saveLimit}
					noValidate
				>
					<fieldset aria-describedby={limitErrors.group ? `${base}-limit-error` : `${base}-limit-hint`}>
						<legend>Limit for {tenant.name}</legend>
						<p className="hint" id={`${base}-limit-hint`}>
							Replaces the role's default bucket until cleared.
						</p>
						<div className="limit-fields">
							{LIMIT_FIELDS.map(({ name, label: text }) => (
								<div className="field" key={name}>
									<label htmlFor={`${base}-${name}`}>{text}</label>
									<input
										id={`${base}-${name}`}
										name={name}
										type="number"
										inputMode="numeric"
										min={1}
										step={1}
										defaultValue={tenant.effective_rate_limit[name]}
										aria-invalid={limitErrors[name] || limitErrors.group ? true : undefined}
										aria-describedby={limitErrors[name] ? `${base}-${name}-error` : undefined}
									/>
									{limitErrors[name] && (
										<p className="field-error" id={`${base}-${name}-error`}>
											{limitErrors[name]}
										</p>
									)}
								</div>
							))}
						</div>
						{limitErrors.group && (
							<p className="field-error" id={`${base}-limit-error`}>
								{limitErrors.group}
							</p>
						)}
					</fieldset>
					<div className="actions">
						<button type="submit" className="button" disabled={!idle}>
							{busy === "save-limit" ? "Saving…" : label("Save override")}
						</button>
						<button
							type="button"
							className="button button-secondary"
							disabled={!idle || tenant.rate_limit === null}
							onClick={() =>
								patch(
									"clear-limit",
									{ rate_limit: null },
									`Override cleared: ${tenant.name} has its role's default again.`,
								)
							}
						>
							{busy === "clear-limit" ? "Clearing…" : label("Clear override")}
						</button>
					</div>
				</form>
			</details>
		</div>
	);
}
