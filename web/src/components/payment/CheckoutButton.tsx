/**
 * The buyer's way to pay an accepted offer: `POST /api/v1/offers/{id}/checkout` from the page
 * (same origin, session cookie), then off to the Checkout page it names — Stripe's, or the local
 * Stripe's in development and tests. A repeat click while a checkout is open gets the same session
 * back (the API answers 200 with it), so a double click makes one payment. Nothing is decided by
 * where Stripe sends the browser back: the payment's page asks the API what the webhooks said.
 */
import type { z } from "@hono/zod-openapi";
import { useEffect, useState } from "react";
import type { checkoutView } from "../../../../shared/contract/routes/payments.ts";
import { send } from "../../lib/browser-api.ts";

type Checkout = z.output<typeof checkoutView>;

interface Props {
	offerId: string;
	/** The accepted amount, as the page shows it. */
	amount: string;
}

export default function CheckoutButton({ offerId, amount }: Props) {
	const [ready, setReady] = useState(false);
	const [busy, setBusy] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	useEffect(() => setReady(true), []);

	async function pay() {
		setBusy(true);
		setProblem(null);
		const answer = await send<Checkout>("POST", `/api/v1/offers/${offerId}/checkout`);
		if (answer.ok) {
			window.location.assign(answer.body.checkout_url);
			return;
		}
		setBusy(false);
		setProblem(answer.detail);
	}

	return (
		<div className="room-checkout">
			<div role="alert" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
			<p className="hint" id="checkout-hint">
				You pay {amount} on Stripe's secure page. TechFlunky holds the money in escrow until you confirm the handover,
				or for 14 days if nobody disputes.
			</p>
			<button type="button" className="button" onClick={pay} disabled={!ready || busy} aria-describedby="checkout-hint">
				{busy ? "Opening Stripe Checkout…" : "Proceed to checkout"}
			</button>
		</div>
	);
}
