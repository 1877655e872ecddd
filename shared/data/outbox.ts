/**
 * The transactional outbox over D1 (docs/architecture.md, Reliability rules): a handler writes its
 * state change and the queue message that announces it in one `db.batch` (one transaction), then
 * sends the message at once; the consumers Worker's cron resends whatever is still unsent. So a
 * committed change is always announced, at least once, and a refused or failed change announces
 * nothing.
 *
 * Trade-off: delivery is at-least-once. A flush and the cron can race, or a send can succeed
 * before its row is marked, so a message may be sent twice; consumers are idempotent on the
 * event id, which makes that harmless. Bodies are not validated here beyond being JSON: producers
 * parse them with their queue's zod schema before writing, and consumers parse them again.
 */
import { type QueueProducer, sendAll } from "../../queues/envelope.ts";

export type OutboxQueue = "offer-events" | "payment-events" | "backoffice-jobs";

export interface OutboxMessage {
	/** The body's own event id (`evt_…`): the outbox key and the consumers' idempotency key. */
	id: string;
	queue: OutboxQueue;
	body: unknown;
}

export type OutboxProducers = Partial<Record<OutboxQueue, QueueProducer>>;

interface OutboxRow {
	id: string;
	queue: OutboxQueue;
	body: string;
}

/** How long a row may stay unsent before the cron takes it over from the request's own flush. */
export const DEFAULT_RESEND_AFTER_MS = 30_000;
export const DEFAULT_RESEND_LIMIT = 500;

const iso = (now: number) => new Date(now).toISOString();

/**
 * INSERT INTO outbox. With `afterChange`, the row is inserted only if the statement just before
 * it in the same batch changed exactly one row (`WHERE changes() = 1`), so a refused state change
 * (a guarded UPDATE that matched nothing) announces nothing. `changes()` counts only the rows the
 * previous statement changed itself, not rows its triggers touched; an UPDATE that writes the
 * values a row already had still counts as a change. Several `afterChange` messages may follow one
 * change: each sees the insert before it (one row), so they are written all together or not at all.
 */
export function outboxInsert(
	db: D1Database,
	message: OutboxMessage,
	now: number,
	options: { afterChange?: boolean } = {},
): D1PreparedStatement {
	const body = JSON.stringify(message.body);
	if (body === undefined) throw new TypeError(`outbox message ${message.id} has no JSON body`);
	const sql = options.afterChange
		? "INSERT INTO outbox (id, queue, body, created_at) SELECT ?, ?, ?, ? WHERE changes() = 1"
		: "INSERT INTO outbox (id, queue, body, created_at) VALUES (?, ?, ?, ?)";
	return db.prepare(sql).bind(message.id, message.queue, body, iso(now));
}

/**
 * Sends the named rows that are still unsent (one sendBatch per queue, contentType json) and
 * marks them sent. Never throws: the state change is already committed, so a failure here (send
 * or D1) is logged and the rows are left for the cron to resend.
 */
export async function flushOutbox(
	db: D1Database,
	producers: OutboxProducers,
	ids: string[],
	now: number,
): Promise<void> {
	if (ids.length === 0) return;
	try {
		const { results } = await db
			.prepare(
				`SELECT id, queue, body FROM outbox
				 WHERE id IN (SELECT value FROM json_each(?)) AND sent_at IS NULL
				 ORDER BY created_at, rowid`,
			)
			.bind(JSON.stringify(ids))
			.all<OutboxRow>();
		await sendRows(db, producers, results, now);
	} catch (cause) {
		console.error("outbox flush failed; the cron resends", ids, cause);
	}
}

/**
 * Resends rows unsent for longer than `olderThanMs` (oldest first, at most `limit`) and marks them
 * sent; returns how many were sent. A send failure is logged and its rows wait for the next run;
 * a D1 failure throws, so the scheduled run is reported as failed.
 */
export async function resendStale(
	db: D1Database,
	producers: OutboxProducers,
	now: number,
	olderThanMs = DEFAULT_RESEND_AFTER_MS,
	limit = DEFAULT_RESEND_LIMIT,
): Promise<number> {
	const { results } = await db
		.prepare(
			`SELECT id, queue, body FROM outbox
			 WHERE sent_at IS NULL AND created_at <= ?
			 ORDER BY created_at, rowid
			 LIMIT ?`,
		)
		.bind(iso(now - olderThanMs), limit)
		.all<OutboxRow>();
	return sendRows(db, producers, results, now);
}

/** One sendBatch run per queue, then one UPDATE per queue for the rows that went out. */
async function sendRows(db: D1Database, producers: OutboxProducers, rows: OutboxRow[], now: number): Promise<number> {
	const byQueue = new Map<OutboxQueue, OutboxRow[]>();
	for (const row of rows) {
		const queued = byQueue.get(row.queue);
		if (queued) queued.push(row);
		else byQueue.set(row.queue, [row]);
	}
	let sent = 0;
	for (const [queue, queued] of byQueue) {
		const producer = producers[queue];
		if (!producer) {
			console.error("outbox has no producer for queue", queue, queued.length);
			continue;
		}
		const bodies: unknown[] = [];
		const ids: string[] = [];
		for (const row of queued) {
			try {
				bodies.push(JSON.parse(row.body));
				ids.push(row.id);
			} catch (cause) {
				// Written by outboxInsert, so this is corruption: leave the row for an operator.
				console.error("outbox row is not JSON", row.id, cause);
			}
		}
		try {
			await sendAll(producer, bodies);
		} catch (cause) {
			console.error("outbox send failed; left for the resend", queue, ids, cause);
			continue;
		}
		sent += ids.length;
		// `sent_at IS NULL` keeps the first send's time when a flush and the cron race.
		await db
			.prepare("UPDATE outbox SET sent_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND sent_at IS NULL")
			.bind(iso(now), JSON.stringify(ids))
			.run();
	}
	return sent;
}

/** How long sent rows are kept, for tracing a delivery after the fact. */
export const DEFAULT_KEEP_SENT_MS = 7 * 86_400_000;

/** Deletes rows sent more than `keepMs` ago, so the outbox stays small; returns how many. */
export async function pruneSent(db: D1Database, now: number, keepMs = DEFAULT_KEEP_SENT_MS): Promise<number> {
	const cutoff = new Date(now - keepMs).toISOString();
	const result = await db.prepare("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?").bind(cutoff).run();
	return result.meta.changes;
}
