/**
 * The second, explicit step of a console action that cannot be taken back (archiving, a dispute's
 * decision, replaying a queue): the question, the danger button that does it (described by the
 * question, focused by `useConsoleAction` when the step opens) and "Cancel", whose hidden words
 * say what is cancelled, since a page holds one such step per card.
 */
import type { ReactNode, RefObject } from "react";

interface Props {
	/** The question's element id, unique on the page. */
	id: string;
	question: ReactNode;
	/** The confirm button's content. */
	confirm: ReactNode;
	/** What "Cancel" cancels, for screen readers ("archiving <title>"). */
	cancels: string;
	busy: boolean;
	buttonRef: RefObject<HTMLButtonElement | null>;
	onConfirm: () => void;
	onCancel: () => void;
}

export default function ConfirmStep({ id, question, confirm, cancels, busy, buttonRef, onConfirm, onCancel }: Props) {
	return (
		<div className="confirm">
			<p id={id}>{question}</p>
			<div className="actions">
				<button
					ref={buttonRef}
					type="button"
					className="button button-danger"
					aria-describedby={id}
					disabled={busy}
					onClick={onConfirm}
				>
					{confirm}
				</button>
				<button type="button" className="button button-secondary" disabled={busy} onClick={onCancel}>
					Cancel<span className="visually-hidden"> {cancels}</span>
				</button>
			</div>
		</div>
	);
}
