/**
 * `/api/v1/admin/dead-letters`: list what the dead-letter consumer recorded
 * (workers/consumers/dead-letters.ts) and send it back to its queue. Admin only (the access
 * table), every replay audited.
 *
 * A replay claims before it sends: a conditional UPDATE marks the row (`replayed_at`, `replays + 1`)
 * only while it is in the state the handler read, so of two simultaneous replays exactly one wins
 * and sends; the other is 409. If the send throws, the claim is undone (guarded by the claim's own
 * time) and the answer is 503, so a replay that did not go out never looks done. The audit record
 * follows the send; if it cannot be queued the answer is 503 although the message went out (the
 * row says so, and the consumers are idempotent, so repeating is harmless).
 *
 * The trade-off: the body is sent as it was recorded, not re-validated here; a message its queue's
 * schema refuses is dead-lettered again by the consumer, as a new dead letter with a new id. That
 * is what keeps "replay all" finite: it takes only rows recorded at or before its `before`.
 */
import type { Context } from "hono";
import { contractApp } from "../../../shared/contract/app.ts";
import {
	REPLAY_BATCH,
	type ReplayableQueue,
	operationsRoutes as r,
	replayableQueues,
} from "../../../shared/contract/routes/operations.ts";
import { encodeCursor } from "../../../shared/http/cursor.ts";
import { HttpProblem } from "../../../shared/http/problem.ts";
import { recordAudit } from "../audit.ts";
import type { DispatchHono } from "../types.ts";

interface DeadLetterRow {
	message_id: string;
	queue: string;
	body: string;
	attempts: number;
	reason: string;
	recorded_at: string;
	replayed_at: string | null;
	replays: number;
}

const COLUMNS = "message_id, queue, body, attempts, reason, recorded_at, replayed_at, replays";

/** The stored body, parsed; a row written before bodies were JSON answers its text as it is. */
function parsedBody(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

const toView = (row: DeadLetterRow) => ({ ...row, body: parsedBody(row.body) });

const isReplayable = (queue: string): queue is ReplayableQueue =>
	(replayableQueues as readonly string[]).includes(queue);

/** The producer a dead letter of `queue` goes back through. */
function producerOf(c: Context<DispatchHono>, queue: ReplayableQueue): Queue {
	const producers: Record<ReplayableQueue, Queue> = {
		"offer-events": c.env.OFFER_EVENTS,
		"payment-events": c.env.PAYMENT_EVENTS,
		"backoffice-jobs": c.env.BACKOFFICE_JOBS,
	};
	return producers[queue];
}

async function find(db: D1Database, id: string): Promise<DeadLetterRow | null> {
	return db.prepare(`SELECT ${COLUMNS} FROM dead_letters WHERE message_id = ?`).bind(id).first<DeadLetterRow>();
}

async function waiting(db: D1Database, queue: ReplayableQueue, before: string): Promise<number> {
	const row = await db
		.prepare("SELECT COUNT(*) AS n FROM dead_letters WHERE queue = ? AND replayed_at IS NULL AND recorded_at <= ?")
		.bind(queue, before)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

export const deadLetters = contractApp<DispatchHono>()
	.openapi(r.listDeadLetters, async (c) => {
		const query = c.req.valid("query");
		const where: string[] = [];
		const binds: string[] = [];
		if (query.status === "waiting") where.push("replayed_at IS NULL");
		if (query.status === "replayed") where.push("replayed_at IS NOT NULL");
		if (query.queue) {
			where.push("queue = ?");
			binds.push(query.queue);
		}
		if (query.cursor) {
			where.push("(recorded_at, message_id) < (?, ?)");
			binds.push(...query.cursor);
		}
		const { results } = await c.env.DB.prepare(
			`SELECT ${COLUMNS} FROM dead_letters ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
			 ORDER BY recorded_at DESC, message_id DESC LIMIT ?`,
		)
			.bind(...binds, query.limit + 1)
			.all<DeadLetterRow>();
		const rows = results.slice(0, query.limit);
		const last = rows.at(-1);
		const next_cursor = results.length > query.limit && last ? encodeCursor([last.recorded_at, last.message_id]) : null;
		return c.json({ items: rows.map(toView), next_cursor }, 200);
	})
	.openapi(r.replayDeadLetter, async (c) => {
		const { id } = c.req.valid("param");
		const { force } = c.req.valid("query");
		const db = c.env.DB;
		const row = await find(db, id);
		if (!row) throw new HttpProblem({ reason: "not_found" });
		if (row.replayed_at !== null && !force) {
			throw new HttpProblem({
				reason: "conflict",
				detail: `This dead letter was replayed at ${row.replayed_at}; replay it again with force=true.`,
			});
		}
		if (!isReplayable(row.queue)) {
			throw new HttpProblem({ reason: "conflict", detail: `Dead letters of ${row.queue} cannot be replayed.` });
		}
		const at = new Date().toISOString();
		const claim = await db
			.prepare(
				`UPDATE dead_letters SET replayed_at = ?1, replays = replays + 1
				 WHERE message_id = ?2 AND replays = ?3 AND replayed_at IS ?4`,
			)
			.bind(at, id, row.replays, row.replayed_at)
			.run();
		if (claim.meta.changes !== 1) {
			throw new HttpProblem({ reason: "conflict", detail: "This dead letter was replayed meanwhile." });
		}
		try {
			await producerOf(c, row.queue).send(parsedBody(row.body), { contentType: "json" });
		} catch (cause) {
			await db
				.prepare(
					`UPDATE dead_letters SET replayed_at = ?1, replays = replays - 1
					 WHERE message_id = ?2 AND replays = ?3 AND replayed_at = ?4`,
				)
				.bind(row.replayed_at, id, row.replays + 1, at)
				.run();
			throw new HttpProblem({ reason: "service_unavailable" }, { cause });
		}
		await audited(c, {
			action: "admin.dead_letter_replayed",
			detail: { message_id: id, queue: row.queue, replays: row.replays + 1, forced: row.replayed_at !== null },
		});
		return c.json(toView({ ...row, replayed_at: at, replays: row.replays + 1 }), 200);
	})
	.openapi(r.replayDeadLetters, async (c) => {
		const body = c.req.valid("json");
		const db = c.env.DB;
		const before = new Date(body.before ?? Date.now()).toISOString();
		const { results: candidates } = await db
			.prepare(
				`SELECT message_id FROM dead_letters
				 WHERE queue = ? AND replayed_at IS NULL AND recorded_at <= ?
				 ORDER BY recorded_at, message_id LIMIT ?`,
			)
			.bind(body.queue, before, REPLAY_BATCH)
			.all<{ message_id: string }>();
		let replayed = 0;
		if (candidates.length > 0) {
			const at = new Date().toISOString();
			// Only rows still waiting are claimed: a concurrent call's claims are not sent twice.
			const { results: claimed } = await db
				.prepare(
					`UPDATE dead_letters SET replayed_at = ?1, replays = replays + 1
					 WHERE message_id IN (SELECT value FROM json_each(?2)) AND replayed_at IS NULL
					 RETURNING message_id, body`,
				)
				.bind(at, JSON.stringify(candidates.map((row) => row.message_id)))
				.all<{ message_id: string; body: string }>();
			if (claimed.length > 0) {
				try {
					await producerOf(c, body.queue).sendBatch(
						claimed.map((row) => ({ body: parsedBody(row.body), contentType: "json" as const })),
					);
				} catch (cause) {
					await db
						.prepare(
							`UPDATE dead_letters SET replayed_at = NULL, replays = replays - 1
							 WHERE message_id IN (SELECT value FROM json_each(?1)) AND replayed_at = ?2`,
						)
						.bind(JSON.stringify(claimed.map((row) => row.message_id)), at)
						.run();
					throw new HttpProblem({ reason: "service_unavailable" }, { cause });
				}
			}
			replayed = claimed.length;
		}
		const remaining = await waiting(db, body.queue, before);
		await audited(c, {
			action: "admin.dead_letters_replayed",
			detail: { queue: body.queue, count: replayed, remaining, before },
		});
		return c.json({ replayed, remaining, before }, 200);
	});

/** The replay's audit record; a failure to queue it is a 503 (the replay itself went out). */
async function audited(
	c: Context<DispatchHono>,
	entry: { action: string; detail: Record<string, string | number | boolean> },
): Promise<void> {
	try {
		await recordAudit(c, { ...entry, subjectTenantId: null });
	} catch (cause) {
		throw new HttpProblem({ reason: "service_unavailable" }, { cause });
	}
}
