/**
 * The seller's payout account (Stripe Connect Express): its state as Stripe last reported it
 * (`GET /api/v1/sellers/connect`, rendered on the server first), and the button that asks for an
 * onboarding link (`POST /api/v1/sellers/connect`, which makes the account once) and takes the
 * browser there. Stripe sends the seller back to `/sellers/connect/return`, which leads here with
 * `from=return`; Stripe's `account.updated` webhook arrives a moment later, so on return this
 * island asks again every two seconds, for at most thirty, then says to reload instead of
 * spinning on. An expired link comes back as `from=refresh`, and the button makes a new one.
 */

import type { z } from "@hono/zod-openapi";
import { useEffect, useState } from "react";
import type { sellerAccountView } from "../../../../shared/contract/routes/payments.ts";
import { send } from "../../lib/browser-api.ts";

type Account = z.output<typeof sellerAccountView>;

interface Props {
	account: Account;
	from: "return" | "refresh" | null;
}

const POLL_MS = 2000;
const POLLS = 15;

type Stage = "none" | "unfinished" | "pending" | "ready";

function stageOf(account: Account): Stage {
	if (account.account_id === null) return "none";
	if (account.can_receive_transfers) return "ready";
	return account.details_submitted ? "pending" : "unfinished";
}

const STAGES: Record<Stage, { title: string; text: string; button: string }> = {
	none: {
		title: "Not set up",
		text: "Set up payouts with Stripe to receive the money from your sales. Buyers cannot pay for your listings until you do.",
		button: "Set up payouts",
	},
	unfinished: {
		title: "Onboarding not finished",
		text: "Stripe still needs your details. Buyers cannot pay for your listings until you finish.",
		button: "Continue onboarding",
	},
	pending: {
		title: "Verification pending",
		text: "Stripe has your details and is checking them. Buyers can pay once Stripe enables transfers.",
		button: "Review your details at Stripe",
	},
	ready: {
		title: "Ready to receive payouts",
		text: "Buyers can pay for your listings. After each handover, your share goes to your Stripe account.",
		button: "Update payout details",
	},
};

const yesNo = (value: boolean) => (value ? "Yes" : "No");

export default function PayoutSetup({ account: initial, from }: Props) {
	const [account, setAccount] = useState(initial);
	const [busy, setBusy] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [watching, setWatching] = useState<"on" | "gave-up" | "off">(
		from === "return" && !initial.can_receive_transfers ? "on" : "off",
	);
	const [ready, setReady] = useState(false);
	useEffect(() => setReady(true), []);

	useEffect(() => {
		if (watching !== "on") return;
		let polls = 0;
		let stopped = false;
		const timer = setInterval(async () => {
			polls += 1;
			const answer = await send<Account>("GET", "/api/v1/sellers/connect");
			if (stopped) return;
			if (answer.ok) {
				setAccount(answer.body);
				if (answer.body.can_receive_transfers) {
					setWatching("off");
					return;
				}
			}
			if (polls >= POLLS) setWatching("gave-up");
		}, POLL_MS);
		return () => {
			stopped = true;
			clearInterval(timer);
		};
	}, [watching]);

	async function start() {
		setBusy(true);
		setProblem(null);
		const answer = await send<{ url: string }>("POST", "/api/v1/sellers/connect");
		if (answer.ok) {
			window.location.assign(answer.body.url);
			return;
		}
		setBusy(false);
		setProblem(answer.detail);
	}

	const stage = stageOf(account);
	const capabilities = Object.entries(account.capabilities);
	return (
		<section className="card seller-payouts" aria-labelledby="payout-state">
			<h2 id="payout-state">
				Payout account:{" "}
				<span className={`seller-chip seller-chip-${stage === "ready" ? "good" : "wait"}`}>{STAGES[stage].title}</span>
			</h2>
			<p>{STAGES[stage].text}</p>
			{from === "refresh" && stage !== "ready" && (
				<p className="callout">That onboarding link had expired. Start again with the button below.</p>
			)}
			<p role="status" aria-live="polite" className={watching === "off" ? "visually-hidden" : "hint"}>
				{watching === "on"
					? "Waiting for Stripe to confirm your details…"
					: watching === "gave-up"
						? "Stripe has not confirmed yet. Reload this page in a minute to see the news."
						: ""}
			</p>
			{account.account_id !== null && (
				<dl className="facts seller-facts">
					<div>
						<dt>Details submitted</dt>
						<dd>{yesNo(account.details_submitted)}</dd>
					</div>
					<div>
						<dt>Charges enabled</dt>
						<dd>{yesNo(account.charges_enabled)}</dd>
					</div>
					<div>
						<dt>Payouts enabled</dt>
						<dd>{yesNo(account.payouts_enabled)}</dd>
					</div>
					{capabilities.map(([name, status]) => (
						<div key={name}>
							<dt>Capability: {name.replaceAll("_", " ")}</dt>
							<dd>{status}</dd>
						</div>
					))}
				</dl>
			)}
			<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			<button type="button" className="button" disabled={!ready || busy} onClick={start}>
				{busy ? "Opening Stripe…" : STAGES[stage].button}
			</button>
		</section>
	);
}
