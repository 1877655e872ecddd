/**
 * A payment's page island, for both parties: where the money is — waiting for Stripe, held in
 * escrow, disputed, released, refunded, failed or expired — from the API alone (./watch.ts polls
 * while it is `pending`, bounded), in a `role="status"` region so the change is announced. The
 * query string Stripe's redirect carries only picks the words ("confirming your payment…" after
 * checkout, "you left the checkout" after cancelling); it never decides a status. The buyer of a
 * held payment gets the handover and dispute controls (./BuyerActions.tsx).
 */
import { dollars, moment } from "../room/money.ts";
import BuyerActions from "./BuyerActions.tsx";
import { type PaymentView, usePayment } from "./watch.ts";

interface Props {
	payment: PaymentView;
	viewer: "buyer" | "seller" | null;
	arrival: "returned" | "cancelled" | null;
}

interface Said {
	title: string;
	detail: string;
}

function said(payment: PaymentView, viewer: Props["viewer"], arrival: Props["arrival"]): Said {
	const money = (cents: number) => dollars(cents, payment.currency);
	const release = payment.release_at ? moment(payment.release_at) : "the end of the inspection window";
	switch (payment.status) {
		case "pending":
			if (payment.processing) {
				return {
					title: "Bank payment processing",
					detail: "Bank payments take a few business days to settle. The money is held in escrow once it does.",
				};
			}
			if (arrival === "cancelled") {
				return {
					title: "You left the checkout",
					detail: "Nothing was charged. You can pay from the offer when you are ready.",
				};
			}
			if (arrival === "returned") {
				return {
					title: "Confirming your payment…",
					detail: "Stripe tells us once the payment has gone through; this page updates by itself.",
				};
			}
			return viewer === "seller"
				? { title: "Waiting for the buyer to pay", detail: "The checkout is open. Nothing has been paid yet." }
				: { title: "Waiting for your payment", detail: "The checkout is open. Nothing has been paid yet." };
		case "paid":
			return {
				title: "Paid: the money is held in escrow",
				detail:
					viewer === "seller"
						? `You receive ${money(payment.seller_payout_cents)} when the buyer confirms the handover, or on ${release} if nobody disputes.`
						: `The seller receives it when you confirm the handover, or on ${release} if nobody disputes.`,
			};
		case "disputed":
			return {
				title: "Disputed: the release is frozen",
				detail: "An admin looks at the dispute and decides whether the money goes to the seller or back to the buyer.",
			};
		case "released":
			return {
				title: "Released to the seller",
				detail: `${money(payment.seller_payout_cents)} went to the seller; the deal is done.`,
			};
		case "refunded":
			return { title: "Refunded", detail: `${money(payment.refunded_cents)} went back to the buyer.` };
		case "failed":
			return { title: "The payment failed", detail: "Nothing was charged. The buyer can try again from the offer." };
		case "expired":
			return {
				title: "The checkout expired",
				detail: "Nothing was charged. The buyer can start a new checkout from the offer.",
			};
	}
}

export default function PaymentStatus({ payment: initial, viewer, arrival }: Props) {
	const { payment, watch, problem, replace } = usePayment(initial);
	const words = said(payment, viewer, arrival);
	const money = (cents: number) => dollars(cents, payment.currency);
	const resume = viewer === "buyer" && payment.status === "pending" && !payment.processing && payment.checkout_url;
	return (
		<div className="payment">
			<div className={`payment-status payment-status-${payment.status}`} role="status" aria-live="polite">
				<h2 className="payment-title">{words.title}</h2>
				<p>{words.detail}</p>
				{watch === "watching" && payment.status === "pending" && !payment.processing && (
					<progress className="payment-progress" aria-label="Waiting for Stripe's confirmation" />
				)}
				{watch === "stopped" && (
					<p>
						{problem ?? "Stripe has not confirmed the payment yet, so this page stopped checking after a minute."}{" "}
						<a href={`/payments/${payment.id}`}>Reload to check again</a>
					</p>
				)}
			</div>
			{resume && (
				<p>
					<a className="button" href={resume}>
						Continue to checkout
					</a>
				</p>
			)}
			<dl className="facts facts-large">
				<div>
					<dt>Amount</dt>
					<dd>{money(payment.amount_cents)}</dd>
				</div>
				<div>
					<dt>Platform fee (8%)</dt>
					<dd>{money(payment.fee_cents)}</dd>
				</div>
				<div>
					<dt>Seller receives</dt>
					<dd>{money(payment.seller_payout_cents)}</dd>
				</div>
				{payment.refunded_cents > 0 && (
					<div>
						<dt>Refunded</dt>
						<dd>{money(payment.refunded_cents)}</dd>
					</div>
				)}
			</dl>
			<dl className="facts payment-dates">
				{payment.paid_at && (
					<div>
						<dt>Paid</dt>
						<dd>
							<time dateTime={payment.paid_at}>{moment(payment.paid_at)}</time>
						</dd>
					</div>
				)}
				{payment.release_at && payment.status === "paid" && (
					<div>
						<dt>Released automatically on</dt>
						<dd>
							<time dateTime={payment.release_at}>{moment(payment.release_at)}</time>
						</dd>
					</div>
				)}
				{payment.released_at && (
					<div>
						<dt>Released</dt>
						<dd>
							<time dateTime={payment.released_at}>{moment(payment.released_at)}</time>
						</dd>
					</div>
				)}
				{payment.dispute && (
					<div>
						<dt>Dispute</dt>
						<dd>
							{payment.dispute.opened_by === "buyer" ? "Opened by the buyer" : "A chargeback"} on{" "}
							{moment(payment.dispute.opened_at)}: {payment.dispute.reason}
						</dd>
					</div>
				)}
			</dl>
			{viewer === "buyer" && payment.status === "paid" && <BuyerActions payment={payment} onChange={replace} />}
		</div>
	);
}
