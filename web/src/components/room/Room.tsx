/**
 * The negotiation room island: the thread the server rendered (`GET /api/v1/offers/{id}`), made
 * live over the room's socket (./use-room.ts). It shows where the deal stands and whose move it
 * is, the moves this visitor may make (./MovePanel.tsx), the history and chat (./RoomLog.tsx,
 * ./ChatBox.tsx), the link and who is online (./LinkStatus.tsx), and, once the buyer has paid,
 * the way to the payment's page. An admin watches: the same view, no moves and no chat.
 */
import type { OfferView } from "../../../../shared/offers/protocol.ts";
import ChatBox from "./ChatBox.tsx";
import LinkStatus from "./LinkStatus.tsx";
import MovePanel from "./MovePanel.tsx";
import { dollars, moment } from "./money.ts";
import RoomLog from "./RoomLog.tsx";
import { isOpen, logOf, movesFor, paymentLabel, STATUS_LABELS, situation, turnOf, type Viewer } from "./thread.ts";
import { useRoom } from "./use-room.ts";

interface Props {
	offer: OfferView;
	viewer: Viewer;
	/** The thread's latest checkout attempt (the consolidated timeline), before the room knows of a payment. */
	latestPayment: { id: string; status: NonNullable<OfferView["payment"]>["status"] } | null;
}

export default function Room({ offer: initial, viewer, latestPayment }: Props) {
	const room = useRoom(initial, viewer);
	const { offer } = room;
	const moves = movesFor(offer, viewer);
	const other = viewer === "buyer" ? "the seller" : "the buyer";
	const turn = turnOf(offer);
	const payment = offer.payment ?? latestPayment;
	return (
		<div className="room">
			<LinkStatus connection={room.connection} offer={offer} viewer={viewer} onRetry={room.retry} />
			<section className="room-deal" aria-labelledby="deal-title">
				<h2 id="deal-title">Where the deal stands</h2>
				<p className="room-situation">{situation(offer, viewer)}</p>
				<dl className="facts facts-large">
					<div>
						<dt>{offer.status === "accepted" ? "Agreed amount" : "Current amount"}</dt>
						<dd>{dollars(offer.amount_cents, offer.currency)}</dd>
					</div>
					<div>
						<dt>Status</dt>
						<dd>{offer.on_hold && isOpen(offer) ? "On hold" : STATUS_LABELS[offer.status]}</dd>
					</div>
					<div>
						<dt>Whose move</dt>
						<dd>{turn === null ? "Nobody's" : turn === viewer ? "Yours" : `The ${turn}'s`}</dd>
					</div>
					<div>
						<dt>Version</dt>
						<dd>{offer.version}</dd>
					</div>
					{offer.expires_at && (
						<div>
							<dt>Proposal expires</dt>
							<dd>
								<time dateTime={offer.expires_at}>{moment(offer.expires_at)}</time>
							</dd>
						</div>
					)}
					{payment && (
						<div>
							<dt>Payment</dt>
							<dd>{paymentLabel(payment.status)}</dd>
						</div>
					)}
				</dl>
				{payment && (
					<p>
						<a href={`/payments/${payment.id}`}>See the payment and escrow status</a>
					</p>
				)}
			</section>
			<div className={viewer === null ? "room-columns room-watching" : "room-columns"}>
				{viewer !== null && <MovePanel room={room} moves={moves} other={other} />}
				<div className="room-conversation">
					<RoomLog lines={logOf(offer, room.history, room.chat, viewer)} />
					{viewer !== null && (
						<section className="room-chat-box" aria-labelledby="chat-title">
							<h2 id="chat-title">Chat</h2>
							<ChatBox room={room} other={other} />
						</section>
					)}
				</div>
			</div>
			{viewer === null && <p className="callout">You are watching as an admin: moves and chat are the parties' own.</p>}
		</div>
	);
}
