/**
 * The soak's consumers Worker: the real one (workers/consumers) with faults on `offer-events`,
 * switched on and read back through FAULT_CONTROL_URL (the soak turns them on once the restart
 * fault is over: Miniflare keeps queued messages in memory, so a workerd crash would lose retries
 * that are still waiting, which production would not). Only the exported handlers are wrapped,
 * never the consumer's internals: each batch is split by `consumerFaultFor(event id)` into
 * messages handed to the real `queue` handler as they are and messages handed to it with a `DB`
 * binding that fails every query (a D1 outage), so the real handler's own retry and backoff, and
 * the configured `max_retries` and dead-letter queue, do the rest. A `redeliver` message makes
 * the first batch it is in that holds no message redelivered already lose its acks and throw
 * once the real handler has written everything, so each message comes again at most once this
 * way: redelivering one batch over and over would exhaust the retries of messages that were
 * consolidated long ago and dead-letter them too, which is at-least-once delivery as designed
 * but not a fault this soak means to inject.
 */
import worker from "../../workers/consumers/index.ts";
import { consumerFaultFor, databaseFails, FAULT_CONTROL_URL } from "./plan.ts";

interface QueueMessage {
	readonly id: string;
	readonly timestamp: Date;
	readonly body: unknown;
	readonly attempts: number;
	ack(): void;
	retry(options?: { delaySeconds?: number }): void;
}

interface QueueBatch {
	readonly queue: string;
	readonly messages: readonly QueueMessage[];
	retryAll(options?: { delaySeconds?: number }): void;
	ackAll(): void;
}

interface ConsumersWorker {
	fetch?(request: Request, env: unknown, ctx: unknown): Response | Promise<Response>;
	queue?(batch: QueueBatch, env: unknown, ctx: unknown): void | Promise<void>;
	scheduled?(controller: unknown, env: unknown, ctx: unknown): void | Promise<void>;
}

const real: ConsumersWorker = worker;

/** What the wrapper did since the faults were switched on (in memory: a workerd restart resets it). */
interface Stats {
	enabled_at: string | null;
	batches: number;
	messages: number;
	database_failures: number;
	transient: Set<string>;
	permanent: Set<string>;
	redelivered_batches: number;
	redelivered_messages: number;
	acks_lost: number;
	real_handler_threw: number;
}

/** Ids of the messages already redelivered by a `redeliver` fault. */
const redelivered = new Set<string>();

const stats: Stats = {
	enabled_at: null,
	batches: 0,
	messages: 0,
	database_failures: 0,
	transient: new Set(),
	permanent: new Set(),
	redelivered_batches: 0,
	redelivered_messages: 0,
	acks_lost: 0,
	real_handler_threw: 0,
};

function eventId(message: QueueMessage): string {
	const id = (message.body as { id?: unknown } | null)?.id;
	return typeof id === "string" ? id : message.id;
}

/** A D1 binding that is down: every query rejects, as D1 does when it cannot be reached. */
function unavailableDatabase(): unknown {
	const fail = () => Promise.reject(new Error("D1_ERROR: soak fault: the database is unavailable"));
	const statement = { bind: () => statement, first: fail, all: fail, run: fail, raw: fail };
	const database = { prepare: () => statement, batch: fail, exec: fail, dump: fail, withSession: () => database };
	return database;
}

function withUnavailableDatabase(env: unknown): unknown {
	const database = unavailableDatabase();
	return new Proxy(env as object, {
		get: (target, key) => (key === "DB" ? database : Reflect.get(target, key)),
	});
}

function subBatch(batch: QueueBatch, messages: QueueMessage[]): QueueBatch {
	return {
		queue: batch.queue,
		messages,
		retryAll: (options) => {
			for (const message of messages) message.retry(options);
		},
		ackAll: () => {
			for (const message of messages) message.ack();
		},
	};
}

/** The message as the real handler sees it when the batch's acks are to be lost. */
function ackLost(message: QueueMessage): QueueMessage {
	return {
		id: message.id,
		timestamp: message.timestamp,
		body: message.body,
		attempts: message.attempts,
		ack: () => {
			stats.acks_lost += 1;
		},
		retry: (options) => message.retry(options),
	};
}

async function faultyQueue(batch: QueueBatch, env: unknown, ctx: unknown, queue: ConsumersWorker["queue"] & {}) {
	stats.batches += 1;
	stats.messages += batch.messages.length;
	const healthy: QueueMessage[] = [];
	const failing: QueueMessage[] = [];
	const redeliver =
		batch.messages.some((message) => consumerFaultFor(eventId(message)) === "redeliver") &&
		!batch.messages.some((message) => redelivered.has(message.id));
	for (const message of batch.messages) {
		const id = eventId(message);
		const fault = consumerFaultFor(id);
		if (databaseFails(fault, message.attempts)) {
			failing.push(message);
			stats.database_failures += 1;
			if (fault === "permanent") stats.permanent.add(id);
			else stats.transient.add(id);
		} else {
			healthy.push(message);
		}
	}
	let error: unknown = null;
	try {
		if (healthy.length > 0)
			await queue.call(real, subBatch(batch, redeliver ? healthy.map(ackLost) : healthy), env, ctx);
	} catch (cause) {
		stats.real_handler_threw += 1;
		error = cause;
	}
	try {
		if (failing.length > 0) await queue.call(real, subBatch(batch, failing), withUnavailableDatabase(env), ctx);
	} catch (cause) {
		stats.real_handler_threw += 1;
		error ??= cause;
	}
	if (error !== null) throw error;
	if (redeliver) {
		for (const message of batch.messages) redelivered.add(message.id);
		stats.redelivered_batches += 1;
		stats.redelivered_messages += batch.messages.length;
		throw new Error("soak fault: the consumer invocation failed after handling its batch; every message comes again");
	}
}

async function control(request: Request): Promise<Response> {
	if (request.method === "POST") {
		const { enabled } = (await request.json()) as { enabled?: unknown };
		stats.enabled_at = enabled === true ? new Date().toISOString() : null;
	}
	return Response.json({
		...stats,
		transient: stats.transient.size,
		permanent: stats.permanent.size,
		transient_event_ids: [...stats.transient],
		permanent_event_ids: [...stats.permanent],
	});
}

const controlPath = new URL(FAULT_CONTROL_URL).pathname;

export default {
	async fetch(request: Request, env: unknown, ctx: unknown): Promise<Response> {
		if (new URL(request.url).pathname === controlPath) return control(request);
		if (real.fetch) return real.fetch(request, env, ctx);
		return new Response(null, { status: 404 });
	},
	async queue(batch: QueueBatch, env: unknown, ctx: unknown): Promise<void> {
		if (!real.queue) throw new Error("the consumers Worker has no queue handler");
		if (stats.enabled_at !== null && batch.queue === "offer-events") return faultyQueue(batch, env, ctx, real.queue);
		return real.queue(batch, env, ctx);
	},
	async scheduled(controller: unknown, env: unknown, ctx: unknown): Promise<void> {
		await real.scheduled?.(controller, env, ctx);
	},
};
