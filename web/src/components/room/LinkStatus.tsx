/**
 * The room's link and who is in it: connecting, live, reconnecting, gave up (with a button to try
 * again) or session ended (with the way to sign in), in a `role="status"` region; and each party
 * online or not, from the room's last `state` frame — shown only while live, since a dropped link
 * cannot know.
 */
import type { OfferView } from "../../../../shared/offers/protocol.ts";
import type { Connection } from "./link.ts";
import { presence, type Viewer } from "./thread.ts";

const SAYS: Record<Connection, string> = {
	connecting: "Connecting to the room…",
	live: "Live: moves and messages appear as they happen.",
	reconnecting: "Connection lost. Reconnecting…",
	gave_up: "Could not reach the room. Moves still work; chat and live updates need the connection.",
	ended: "Your session has ended.",
};

interface Props {
	connection: Connection;
	offer: OfferView;
	viewer: Viewer;
	onRetry(): void;
}

export default function LinkStatus({ connection, offer, viewer, onRetry }: Props) {
	const here = presence(offer, viewer);
	const next = typeof window === "undefined" ? `/offers/${offer.id}` : window.location.pathname;
	return (
		<div className="room-bar">
			<div className={`room-link room-link-${connection}`} role="status">
				<span className="room-dot" aria-hidden="true" />
				<span className="room-link-text">{SAYS[connection]}</span>
				{connection === "gave_up" && (
					<button type="button" className="link-button" onClick={onRetry}>
						Reconnect
					</button>
				)}
				{connection === "ended" && <a href={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in again</a>}
			</div>
			<ul className="room-presence" aria-label="Who is in the room">
				{here.map((party) => (
					<li key={party.side} className={connection === "live" && party.online ? "room-online" : "room-offline"}>
						<span className="room-dot" aria-hidden="true" />
						{party.label}: {connection !== "live" ? "unknown" : party.online ? "online" : "offline"}
					</li>
				))}
			</ul>
		</div>
	);
}
