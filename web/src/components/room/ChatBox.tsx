/**
 * The chat box: one line to the other party over the room's socket (chat has no REST route), so
 * it works while the link is live and says so otherwise. The line is cleared once the room has
 * relayed it back, i.e. once the other party could see it; a refusal (too long, too many) keeps
 * it for another try and shows the room's `detail` at the field.
 */
import { useEffect, useState } from "react";
import type { Room } from "./use-room.ts";

const MAX_CHAT = 2000;

export default function ChatBox({ room, other }: { room: Room; other: string }) {
	const [text, setText] = useState("");
	const [ready, setReady] = useState(false);
	const [empty, setEmpty] = useState(false);
	useEffect(() => setReady(true), []);
	const live = room.connection === "live";
	const error = empty ? "Write a message first." : room.refused?.action === "chat" ? room.refused.detail : null;

	async function submit(event: { preventDefault(): void }) {
		event.preventDefault();
		if (text.trim() === "") {
			setEmpty(true);
			return;
		}
		setEmpty(false);
		if (await room.say(text)) setText("");
	}

	return (
		<form className="room-chat" onSubmit={submit} noValidate aria-busy={room.busy === "chat"}>
			<div className="field">
				<label htmlFor="room-chat-text">Message to {other}</label>
				<textarea
					id="room-chat-text"
					name="text"
					rows={2}
					maxLength={MAX_CHAT}
					value={text}
					onChange={(event) => {
						setText(event.currentTarget.value);
						setEmpty(false);
					}}
					aria-invalid={error ? true : undefined}
					aria-describedby={error ? "room-chat-error" : "room-chat-hint"}
				/>
				{error ? (
					<p className="field-error" id="room-chat-error">
						{error}
					</p>
				) : (
					<p className="hint" id="room-chat-hint">
						{live ? "Both of you see it at once." : "Chat works while the room is live."}
					</p>
				)}
			</div>
			<button type="submit" className="button" disabled={!ready || !live || room.busy !== null}>
				{room.busy === "chat" ? "Sending…" : "Send message"}
			</button>
		</form>
	);
}
