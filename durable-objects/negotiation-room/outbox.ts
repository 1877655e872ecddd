/**
 * The room's outbox (docs/architecture.md, Reliability rules): every `offer-events` message is
 * recorded in the same transaction as the change it announces, sent right after, and resent by the
 * alarm while it stays unsent. A failed send is logged, never thrown: the change is committed, and
 * the message is not lost. Consumers dedupe on the event id, so a message sent twice (sent, then
 * the mark failed) is harmless.
 */
import type { OfferEvent } from "../../queues/offer-events.ts";
import { query } from "../sqlite.ts";

/** How long an unsent outbox row waits before the alarm retries it. */
export const RESEND_AFTER_MS = 30_000;
/** Messages per send; the rest wait for the next flush. */
const BATCH = 100;

/** Records `event` for sending; call it inside the change's transaction. */
export function enqueue(sql: SqlStorage, event: OfferEvent, now: number): void {
	query(sql)`INSERT INTO outbox (event_id, queue, body, created_at, sent_at)
		VALUES (${event.id}, 'offer-events', ${JSON.stringify(event)}, ${now}, NULL)`;
}

/** Sends what is unsent, oldest first, and marks it sent. */
export async function flush(sql: SqlStorage, queue: Queue, now: number): Promise<void> {
	const read = query(sql);
	const unsent = read<{ event_id: string; body: string }>`
		SELECT event_id, body FROM outbox WHERE sent_at IS NULL ORDER BY created_at, event_id LIMIT ${BATCH}`;
	if (unsent.length === 0) return;
	try {
		await queue.sendBatch(
			unsent.map((row) => ({ body: JSON.parse(row.body) as OfferEvent, contentType: "json" as const })),
		);
	} catch (cause) {
		console.error("offer-events send failed; the alarm will resend", cause);
		return;
	}
	for (const row of unsent) read`UPDATE outbox SET sent_at = ${now} WHERE event_id = ${row.event_id}`;
}

/** Whether some message still waits to be sent. */
export function hasUnsent(sql: SqlStorage): boolean {
	const [pending] = query(sql)<{ n: number }>`SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL`;
	return (pending?.n ?? 0) > 0;
}
