/**
 * The thread's history and chat as one log, oldest first, in an `aria-live="polite"` region
 * (`role="log"`), so a screen reader hears the other party's counter or chat line as it arrives
 * without losing its place. History comes from the room (every version, with its message); chat
 * lines too (the room sends its newest 100 lines to every socket that connects, then each new
 * one). The log scrolls on its own past a screenful (and can
 * be scrolled by keyboard: it takes the focus), keeping the newest line in view as lines arrive.
 */
import { useEffect, useRef } from "react";
import { moment } from "./money.ts";
import type { LogLine } from "./thread.ts";

export default function RoomLog({ lines }: { lines: LogLine[] }) {
	const log = useRef<HTMLDivElement>(null);
	const count = lines.length;
	useEffect(() => {
		const element = log.current;
		if (element && count > 0) element.scrollTop = element.scrollHeight;
	}, [count]);
	return (
		<section className="room-history" aria-labelledby="history-title">
			<h2 id="history-title">History</h2>
			{/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take the focus to be scrolled by keyboard */}
			<div ref={log} className="room-log" role="log" aria-live="polite" aria-labelledby="history-title" tabIndex={0}>
				<ol className="room-lines">
					{lines.map((line) => (
						<li key={line.key} className={line.kind === "chat" ? "room-line room-line-chat" : "room-line"}>
							<p className="room-line-text">
								<strong>{line.actor}</strong> {line.text}
								{line.kind === "chat" ? ":" : "."}
							</p>
							{line.quote !== null && <blockquote className="room-quote">{line.quote}</blockquote>}
							<time className="room-time" dateTime={line.at}>
								{moment(line.at)}
							</time>
						</li>
					))}
				</ol>
			</div>
		</section>
	);
}
