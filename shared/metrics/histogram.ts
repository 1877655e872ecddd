/**
 * Request latency as a fixed histogram: 16 buckets whose upper bounds are `LATENCY_BOUNDS_MS`
 * (the last one open-ended), so per-minute cells from any number of isolates add up column by
 * column (`SUM(h00)…` in D1, migrations/0015_metrics.sql) and a percentile is read from the sums.
 *
 * The trade-off is precision: a percentile is only known to within the width of the bucket it
 * falls in (linear interpolation inside it assumes the samples are spread evenly there). The
 * buckets are narrow where the marketplace's requests are (5–25 ms steps below 100 ms, 50–100 ms
 * steps up to 500 ms) and wide in the tail; a percentile in the open last bucket is answered as
 * its lower bound, 5000, and means "≥ 5000 ms". Pure: no clock, no I/O.
 */

/** Upper bounds (exclusive) of buckets 0…14; bucket 15 holds everything from 5000 ms up. */
export const LATENCY_BOUNDS_MS: readonly number[] = Object.freeze([
	5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 2500, 5000,
]);

export const BUCKET_COUNT = LATENCY_BOUNDS_MS.length + 1;

/** The bucket a latency falls in: the first whose upper bound is above it (negative and NaN count as 0 ms). */
export function bucketIndex(ms: number): number {
	const value = Number.isNaN(ms) ? 0 : ms;
	for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
		if (value < (LATENCY_BOUNDS_MS[i] as number)) return i;
	}
	return LATENCY_BOUNDS_MS.length;
}

/** The lower bound of bucket `i` (0 for the first). */
export function bucketLowerBound(i: number): number {
	return i === 0 ? 0 : (LATENCY_BOUNDS_MS[i - 1] as number);
}

/**
 * The `q` quantile (0 ≤ q ≤ 1) of the samples counted in `counts` (one count per bucket), in ms;
 * `null` when there are none. The rank `q × total` is found by cumulative count and interpolated
 * linearly inside its bucket; a rank in the open last bucket answers 5000 ("≥ 5000 ms"). `q = 0`
 * is the lower bound of the first non-empty bucket, `q = 1` the upper bound of the last.
 */
export function percentile(counts: readonly number[], q: number): number | null {
	if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
	let total = 0;
	for (const count of counts) total += count;
	if (total <= 0) return null;
	const rank = q * total;
	let before = 0;
	for (let i = 0; i < counts.length; i++) {
		const count = counts[i] as number;
		if (count <= 0) continue;
		if (before + count >= rank) {
			const lower = bucketLowerBound(i);
			if (i >= LATENCY_BOUNDS_MS.length) return lower;
			const upper = LATENCY_BOUNDS_MS[i] as number;
			return lower + (Math.max(0, rank - before) / count) * (upper - lower);
		}
		before += count;
	}
	// Only reached through rounding when q = 1: the last non-empty bucket's upper bound.
	return LATENCY_BOUNDS_MS.at(-1) as number;
}

/** What one (minute, tenant, route, portal) cell has counted. */
export interface RequestCell {
	requests: number;
	/** Answers with status ≥ 500. */
	errors: number;
	/** Answers with status 429. */
	limited: number;
	latencySumMs: number;
	latencyMaxMs: number;
	/** One count per bucket, `BUCKET_COUNT` long. */
	histogram: number[];
}

export function emptyCell(): RequestCell {
	return {
		requests: 0,
		errors: 0,
		limited: 0,
		latencySumMs: 0,
		latencyMaxMs: 0,
		histogram: new Array<number>(BUCKET_COUNT).fill(0),
	};
}

/** Counts one answered request into `cell`. */
export function addSample(cell: RequestCell, sample: { status: number; latencyMs: number }): void {
	const latency = Number.isFinite(sample.latencyMs) && sample.latencyMs > 0 ? sample.latencyMs : 0;
	cell.requests += 1;
	if (sample.status >= 500) cell.errors += 1;
	if (sample.status === 429) cell.limited += 1;
	cell.latencySumMs += latency;
	if (latency > cell.latencyMaxMs) cell.latencyMaxMs = latency;
	const index = bucketIndex(latency);
	cell.histogram[index] = (cell.histogram[index] ?? 0) + 1;
}

/** Adds `from` into `into`: counts and sums add, the maximum is the larger one. */
export function mergeCell(into: RequestCell, from: RequestCell): void {
	into.requests += from.requests;
	into.errors += from.errors;
	into.limited += from.limited;
	into.latencySumMs += from.latencySumMs;
	into.latencyMaxMs = Math.max(into.latencyMaxMs, from.latencyMaxMs);
	for (let i = 0; i < BUCKET_COUNT; i++) into.histogram[i] = (into.histogram[i] ?? 0) + (from.histogram[i] ?? 0);
}
