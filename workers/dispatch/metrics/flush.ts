/**
 * When the isolate's rollup (./rollup.ts) leaves for D1: a flush drains every cell into
 * `metrics.flush` jobs and sends them on `backoffice-jobs`. A job whose send fails is kept as it
 * is, id and rows, and sent again first by the next flush: the consumer adds a job id once, so a
 * send that failed after the queue had in fact taken it (a timeout) is never counted twice, and
 * nothing is dropped silently. While the queue keeps refusing, at most `maxUnsentJobs` jobs are
 * kept; older ones are dropped with an error log (Analytics Engine still has every request).
 *
 * Sends are grouped so one `sendBatch` stays within the queue's 100 messages and 256 KB.
 */
import type { MetricsFlushJob } from "../../../queues/metrics.ts";
import { MetricsRollup, toFlushJobs } from "./rollup.ts";

/** How long after the first uncounted request a flush runs, unless `METRICS_FLUSH_MS` says otherwise. */
export const DEFAULT_FLUSH_INTERVAL_MS = 5_000;
/** Cells that make a flush run at once rather than at the interval. */
export const MAX_CELLS = 2_000;
/** Jobs kept while the queue refuses them (~200 rows each). */
export const MAX_UNSENT_JOBS = 50;

const BATCH_MESSAGES = 100;
const BATCH_BYTES = 192 * 1024;

export type SendJobs = (jobs: MetricsFlushJob[]) => Promise<void>;

export interface FlushOutcome {
	sent: number;
	/** Jobs kept for the next flush because their send failed. */
	kept: number;
	/** Jobs dropped because too many were kept already. */
	dropped: number;
}

/** `METRICS_FLUSH_MS` as a whole number of ms (1 ms – 60 s), else the default. */
export function flushIntervalMs(configured: string | undefined): number {
	const value = Number(configured);
	return Number.isInteger(value) && value >= 1 && value <= 60_000 ? value : DEFAULT_FLUSH_INTERVAL_MS;
}

/** Groups jobs for `sendBatch`: at most 100 messages and ~192 KB of JSON each. */
export function sendGroups(jobs: readonly MetricsFlushJob[]): MetricsFlushJob[][] {
	const groups: MetricsFlushJob[][] = [];
	let group: MetricsFlushJob[] = [];
	let bytes = 0;
	for (const job of jobs) {
		const size = JSON.stringify(job).length;
		if (group.length > 0 && (group.length >= BATCH_MESSAGES || bytes + size > BATCH_BYTES)) {
			groups.push(group);
			group = [];
			bytes = 0;
		}
		group.push(job);
		bytes += size;
	}
	if (group.length > 0) groups.push(group);
	return groups;
}

export class MetricsFlusher {
	readonly rollup = new MetricsRollup();
	#unsent: MetricsFlushJob[] = [];
	#scheduled = false;
	readonly #limits: { maxCells: number; maxUnsentJobs: number; rowsPerJob?: number };

	constructor(limits: { maxCells?: number; maxUnsentJobs?: number; rowsPerJob?: number } = {}) {
		this.#limits = {
			maxCells: limits.maxCells ?? MAX_CELLS,
			maxUnsentJobs: limits.maxUnsentJobs ?? MAX_UNSENT_JOBS,
			...(limits.rowsPerJob === undefined ? {} : { rowsPerJob: limits.rowsPerJob }),
		};
	}

	/** Jobs waiting for the next flush after a failed send. */
	get unsent(): readonly MetricsFlushJob[] {
		return this.#unsent;
	}

	/** The rollup holds so many cells that the next flush should not wait for the interval. */
	get overCap(): boolean {
		return this.rollup.size >= this.#limits.maxCells;
	}

	/**
	 * True when there is something to flush and no flush is scheduled yet; the caller then
	 * schedules one (and this answers false until that flush has started).
	 */
	claimSchedule(): boolean {
		if (this.#scheduled || (this.rollup.size === 0 && this.#unsent.length === 0)) return false;
		this.#scheduled = true;
		return true;
	}

	/** Sends what was kept, then everything the rollup holds; keeps what could not be sent. */
	async flush(send: SendJobs, now: Date, newJobId: () => string): Promise<FlushOutcome> {
		// Whatever arrives while this flush sends schedules the next one.
		this.#scheduled = false;
		const jobs = [
			...this.#unsent.splice(0),
			...toFlushJobs(this.rollup.drain(), newJobId, now, this.#limits.rowsPerJob),
		];
		const groups = sendGroups(jobs);
		let sent = 0;
		for (const [index, group] of groups.entries()) {
			try {
				await send(group);
				sent += group.length;
			} catch (cause) {
				const failed = groups.slice(index).flat();
				const dropped = this.#keep(failed);
				const kept = Math.max(0, failed.length - dropped);
				console.error("metrics flush failed; kept for the next flush", { kept, dropped }, cause);
				return { sent, kept, dropped };
			}
		}
		return { sent, kept: 0, dropped: 0 };
	}

	/** Keeps `jobs` for the next flush, oldest first; answers how many old ones had to go. */
	#keep(jobs: MetricsFlushJob[]): number {
		this.#unsent = [...jobs, ...this.#unsent];
		const excess = this.#unsent.length - this.#limits.maxUnsentJobs;
		if (excess <= 0) return 0;
		this.#unsent.splice(0, excess);
		return excess;
	}
}
